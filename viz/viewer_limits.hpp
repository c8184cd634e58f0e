// viz/viewer_limits.hpp
#pragma once

// Every limit of the viewer port (the WebSocket++ server of viz/) in one
// place, so the table of the server's limits can be assembled from the
// headers that define them. `citytwin serve` exposes the ones marked
// "option"; the rest are fixed. Each refusal a limit causes is counted in
// `/metrics` as `citytwin_viewer_refusals_total{reason="..."}`.
//
// C++17 (http_server.cpp includes it, see http_server.hpp).

#include <chrono>
#include <cstddef>

namespace citytwin::viz::viewer_limits {

/// Open TCP connections on the viewer port, viewers and HTTP requests
/// together (option `--viewer-max-connections`). Beyond it a new
/// connection is closed at once (reason `connections`), so the server
/// keeps descriptors for the twin, the broker and its files.
constexpr size_t max_connections = 512;

/// Simultaneous WebSocket viewers (option `--max-viewers`). Beyond it a
/// viewer is closed with 1013 try_again_later (reason `viewers`).
constexpr size_t max_viewers = 256;

/// Bytes queued for one viewer and not yet written to its socket, every
/// frame counted (hello, layout, snapshot, deltas, errors). No frame is
/// queued while a viewer is at or above it: it falls out of line and later
/// catches up with the newest state of each entity that changed meanwhile,
/// and a filter change waits. WebSocket++ counts only the frames
/// waiting behind the write in progress (`get_buffered_amount`), so a
/// viewer holds at most twice this plus two frames: the write in progress
/// and what waits behind it. A frame is a delta batch (`max_batch`
/// states) or the layout, which is encoded once and shared by every
/// viewer with the same filter.
constexpr size_t max_queued_bytes = 256 * 1024;

/// The kernel's send buffer of each accepted socket. Left to Linux's
/// autotuning it grows to 4 MiB (net.ipv4.tcp_wmem) for a client that
/// never reads, so the server encoded megabytes per such viewer before its
/// cap (which sees only the bytes the server holds) took effect: with 300
/// viewers the server thread was busy for ~10 s and /api/status waited.
constexpr int socket_send_buffer = 64 * 1024;

/// States per delta frame, during the snapshot and afterwards.
constexpr size_t max_batch = 1000;

/// Bytes of snapshot and catch-up frames the server thread encodes in one
/// go (one frame per viewer per pass) before it returns to its event loop
/// and comes back: 160 viewers catching up at once held new deltas for
/// seconds when each was served to its cap in turn.
constexpr size_t flush_budget_bytes = 1024 * 1024;

/// A viewer at or above `max_queued_bytes` for this long is closed with
/// 1008 (reason `not_reading`).
constexpr std::chrono::milliseconds stall_timeout{30'000};

/// Largest message a viewer may send; larger ones close it with 1009
/// (reason `oversized`).
constexpr size_t max_message_bytes = 4096;

/// Largest HTTP request body the viewer port reads. The largest any of
/// its routes takes is a scenario file (1 MiB, POST /api/scenarios, which
/// answers 413 itself up to this size); twice that bounds what one
/// request may make the server hold.
constexpr size_t max_http_body_bytes = size_t{2} << 20;

/// After accept fails for lack of descriptors (EMFILE, ENFILE, ENOBUFS,
/// ENOMEM), the port stops accepting for this long instead of retrying at
/// once, which would spin a core while the descriptors stay exhausted
/// (reason `accept_backoff`, counted once per failure).
constexpr std::chrono::milliseconds accept_backoff{100};

/// How long a connection we close waits for the client's closing
/// handshake before it is dropped (the library's default is 5 s).
constexpr std::chrono::milliseconds close_handshake_timeout{1000};

/// Bytes that must have gone out to viewers that left before the server
/// asks glibc to return free heap pages to the system (`malloc_trim`):
/// large frames raise glibc's mmap threshold, after which they come from
/// the heap and stay there when freed.
constexpr size_t trim_after_bytes = 8 * 1024 * 1024;

/// HTTP requests waiting for an answer from the twin (`/api/status`,
/// `/metrics`, `/api/entities/<urn>`) without holding the server's
/// thread. Beyond it a request is answered 503 at once (reason
/// `requests`), so a flood of requests to a slow twin cannot grow the
/// server's memory or the twin's mailbox.
constexpr size_t max_pending_requests = 64;

/// How long an HTTP request waits for the twin's answer before it is
/// answered 503.
constexpr std::chrono::milliseconds twin_timeout{5000};

/// Different layout frames (one per filter) kept encoded for reuse.
constexpr size_t layout_cache_entries = 8;

} // namespace citytwin::viz::viewer_limits
