#include "utf8.h"

namespace mosaic {

size_t Utf8CharLength(std::string_view text, size_t i, char32_t* code_point) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (code_point) *code_point = c;
  if (c < 0x80) return 1;
  size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  char32_t cp = c & (0x7f >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) >> 6) != 0x2) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kSmallest[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  if (code_point) *code_point = cp;
  return len;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t len = Utf8CharLength(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool IsSystemdValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // ASCII, nearly every byte: no call
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t len = Utf8CharLength(text, i, &cp);
    if (len == 0 || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) return false;
    i += len;
  }
  return true;
}

std::string PrintableLines(std::string_view text) {
  std::string out;
  for (size_t from = 0;;) {
    size_t end = text.find('\n', from);
    out += PrintableText(text.substr(from, end == std::string_view::npos ? end : end - from));
    if (end == std::string_view::npos) return out;
    out += '\n';
    from = end + 1;
  }
}

std::string PrintableText(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = Utf8CharLength(text, i);
    if (len == 0 || (len == 1 && ((c < 0x20 && c != '\t') || c == 0x7f))) {
      out += '?';
      i += 1;
    } else if (len == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      out += '?';  // C1 controls (U+0080..U+009F): some terminals act on them too
      i += 2;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace mosaic
