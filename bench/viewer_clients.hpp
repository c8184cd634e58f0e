// bench/viewer_clients.hpp
#pragma once

// Many WebSocket viewers in one process, for the 1,000-viewer figure. The
// bench runs this in a child process (`citytwin-bench --viewer-clients`)
// so that the server's resident memory is measured without the clients'.
// Like viz/ws_client.hpp, a plain C++17 interface: WebSocket++ stays in
// viewer_clients.cpp.

#include <cstddef>
#include <string>

namespace citytwin::bench {

/// Opens `n` WebSocket connections to `url`, at most a few handshakes at
/// a time, until every one has received its snapshot (`snapshot_end`),
/// failed or closed, or `timeout_s` passed. Then prints one line to
/// stdout, `viewers <opened> <snapshots> <failed> <closed> <seconds>`,
/// keeps the connections open until stdin reaches EOF, and returns 0.
int run_viewer_clients(const std::string& url, size_t n, double timeout_s);

} // namespace citytwin::bench
