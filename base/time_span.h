// Time spans as systemd writes them ("30s", "5min", "1h 30min"): how the roster says how often
// drift correction runs. The roster's schema admits the same grammar; this gives the value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mosaic {

/// Seconds in `span` — numbers each followed by a unit (s, sec, m, min, h, hr, d), optionally
/// separated by spaces — or nullopt when it is not one (or exceeds a year).
std::optional<int64_t> ParseTimeSpan(std::string_view span);

}  // namespace mosaic
