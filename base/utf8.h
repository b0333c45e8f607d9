// Utf8: the few UTF-8 facts every layer needs — is this text valid, how long is the character
// here, and how to show untrusted text on a terminal without it taking control.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mosaic {

/// Length in bytes of the well-formed UTF-8 character starting at text[i], or 0 when the
/// bytes there are not one (overlong forms, surrogates and code points past U+10FFFF are
/// rejected). Its code point goes to `*code_point` when given.
size_t Utf8CharLength(std::string_view text, size_t i, char32_t* code_point = nullptr);

/// Whether all of `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

/// Whether systemd's utf8_is_valid() accepts `text`: well-formed UTF-8 without the Unicode
/// noncharacters (U+FDD0..U+FDEF and every code point ending in FFFE or FFFF), which it
/// rejects too.
bool IsSystemdValidUtf8(std::string_view text);

/// `text` safe to print on a terminal: control characters (escape sequences from a hostile
/// file name or file) and bytes that are not UTF-8 become '?'; tabs are kept.
std::string PrintableText(std::string_view text);

/// PrintableText of each line, the line breaks kept: for messages that are several lines on
/// purpose (a failed step, with the lines of its unit's journal) and quote others' text.
std::string PrintableLines(std::string_view text);

}  // namespace mosaic
