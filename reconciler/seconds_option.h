// SecondsBetween: the check every option counted in seconds gets. CLI11's number checks let
// NaN through and take 1e308, which overflows once turned into milliseconds; a duration must
// be a finite number within bounds a person would mean.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <string>

namespace mosaic {

inline CLI::Validator SecondsBetween(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        double value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
            !std::isfinite(value) || value < min || value > max)
          return fmt::format("'{}' is not a number of seconds from {:g} to {:g}", text, min, max);
        return "";
      },
      fmt::format("SECONDS in [{:g}, {:g}]", min, max));
}

}  // namespace mosaic
