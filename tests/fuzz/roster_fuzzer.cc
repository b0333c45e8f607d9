// libFuzzer target: any bytes at all must load to a roster or to diagnostics — never a crash,
// a hang, an abort from a library, or unbounded memory (run with -rss_limit_mb).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "diagnostic.h"
#include "roster_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mosaic::RosterLoad load = mosaic::ParseRoster(text, "fuzz.yaml");
  // Loading and failing are both fine; having neither a roster nor an error is a bug.
  if (!load.roster && !mosaic::HasErrors(load.diagnostics)) __builtin_trap();
  for (const mosaic::Diagnostic& d : load.diagnostics)
    (void)mosaic::FormatDiagnosticText(d, text, false);
  return 0;
}
