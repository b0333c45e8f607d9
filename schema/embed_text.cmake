# Writes OUTPUT, a C++ file defining `std::string_view mosaic::SYMBOL()` with SOURCE's text.
file(READ ${SOURCE} content)
string(LENGTH "${content}" length)
# A raw string literal cannot contain its own delimiter; fail loudly rather than truncate.
string(FIND "${content}" ")MOSAIC_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${SOURCE} contains the embedding delimiter")
endif()
file(WRITE ${OUTPUT} "// Generated from ${SOURCE}; do not edit.\n#include <string_view>\nnamespace mosaic {\nstd::string_view ${SYMBOL}() {\n  static constexpr char kText[] = R\"MOSAIC_EMBED(${content})MOSAIC_EMBED\";\n  return {kText, sizeof(kText) - 1};\n}\n}  // namespace mosaic\n")
