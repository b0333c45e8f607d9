#include "time_span.h"

#include <cctype>
#include <string>

namespace mosaic {

std::optional<int64_t> ParseTimeSpan(std::string_view span) {
  constexpr int64_t kYear = 366LL * 24 * 3600;
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  auto skip_space = [&] {
    while (i < span.size() && span[i] == ' ') ++i;
  };
  skip_space();
  while (i < span.size()) {
    int64_t number = 0;
    size_t digits = 0;
    for (; i < span.size() && std::isdigit(static_cast<unsigned char>(span[i])); ++i, ++digits) {
      number = number * 10 + (span[i] - '0');
      if (number > kYear) return std::nullopt;
    }
    if (digits == 0) return std::nullopt;
    skip_space();
    size_t start = i;
    while (i < span.size() && std::isalpha(static_cast<unsigned char>(span[i]))) ++i;
    std::string_view unit = span.substr(start, i - start);
    int64_t scale = unit == "s" || unit == "sec"   ? 1
                    : unit == "m" || unit == "min" ? 60
                    : unit == "h" || unit == "hr"  ? 3600
                    : unit == "d"                  ? 86400
                                                   : 0;
    if (scale == 0) return std::nullopt;
    total += number * scale;
    if (total > kYear) return std::nullopt;
    any = true;
    skip_space();
  }
  if (!any) return std::nullopt;
  return total;
}

}  // namespace mosaic
