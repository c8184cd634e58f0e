// adapters/replay/defaults.hpp
#pragma once

#include "twin/reading.hpp"

#include <cstddef>

namespace citytwin::replay::defaults {

/// Most readings in one replayed ReadingBatch message. A reading takes at
/// most 28 bytes on the wire, so a message stays well below the ingest's
/// 64 KiB payload limit (ingest/defaults.hpp `max_payload_bytes`).
constexpr size_t max_readings_per_message = 1000;

/// Readings of one recorded second go into one message: a replay keeps
/// the grouping of time it was recorded with, not more.
constexpr twin::time_ms message_span_ms = 1000;

/// An archive replay reads its interval in windows of this length, every
/// stream for one window at a time, so memory follows the window, not the
/// interval.
constexpr twin::time_ms archive_window_ms = 3'600'000;

/// Most readings one window may hold in memory (about 70 bytes each with
/// their messages, so some 1.4 GB). A fuller window is halved, down to
/// `min_archive_window_ms`, and the replay refuses beyond that.
constexpr size_t max_window_readings = 20'000'000;

/// The shortest window an archive replay halves down to.
constexpr twin::time_ms min_archive_window_ms = 1000;

} // namespace citytwin::replay::defaults
