#include "agent_text.h"

#include <fmt/format.h>

#include "utf8.h"

namespace mosaic {
namespace {

// The first character that may not be pasted, described for an error; empty when none. Tab
// and newline are text (`allow_layout`) in a message, not in a one-line label.
std::string FirstForbidden(std::string_view text, bool allow_layout) {
  for (size_t i = 0; i < text.size();) {
    char32_t code_point = 0;
    size_t length = Utf8CharLength(text, i, &code_point);
    if (length == 0)
      return fmt::format("a byte that is not UTF-8 (0x{:02x}) at byte {}",
                         static_cast<unsigned char>(text[i]), i + 1);
    bool control =
        code_point < 0x20 || code_point == 0x7f || (code_point >= 0x80 && code_point < 0xa0);
    if (control && !(allow_layout && (code_point == '\t' || code_point == '\n')))
      return fmt::format("the control character U+{:04X} at byte {}",
                         static_cast<uint32_t>(code_point), i + 1);
    i += length;
  }
  return {};
}

}  // namespace

Result<std::string> PasteableText(std::string_view text, std::string_view what) {
  if (text.size() > kMaxMessageBytes)
    return Status::Error(
        fmt::format("{} is {} bytes; at most {} can be sent", what, text.size(), kMaxMessageBytes));
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  if (out.find_first_not_of(" \t\n") == std::string::npos)
    return Status::Error(fmt::format("{} is empty: nothing to send", what));
  if (std::string bad = FirstForbidden(out, true); !bad.empty())
    return Status::Error(fmt::format(
        "{} contains {}; refusing to send it (a control character would act on the agent's "
        "program instead of being read by it)",
        what, bad));
  return out;
}

Result<std::string> ComposeMessage(std::string_view label, std::string_view text) {
  if (label.empty()) return Status::Error("--from: the label may not be empty");
  if (std::string bad = FirstForbidden(label, false); !bad.empty())
    return Status::Error(fmt::format("--from: the label contains {}", bad));
  Result<std::string> body = PasteableText(text, "the message");
  if (!body.ok()) return body;
  return fmt::format("[from {}] {}", label, body.value());
}

Result<std::string> ExpandKickstart(std::string_view text, const std::string& file,
                                    const std::map<std::string, std::string>& values) {
  std::string out;
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\n') line += 1, line_start = i + 1;
    if (text.compare(i, 2, "{{") != 0) {
      out.push_back(text[i++]);
      continue;
    }
    size_t close = text.find("}}", i + 2);
    size_t newline = text.find('\n', i + 2);
    int column = static_cast<int>(i - line_start) + 1;
    if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close))
      return Status::Error(fmt::format(
          "{}:{}:{}: error: '{{{{' without a closing '}}}}' on its line", file, line, column));
    std::string_view key = text.substr(i + 2, close - i - 2);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    auto value = values.find(std::string(key));
    if (value == values.end()) {
      std::string known;
      for (const auto& [name, unused] : values)
        known += fmt::format("{}{{{{{}}}}}", known.empty() ? "" : ", ", name);
      return Status::Error(
          fmt::format("{}:{}:{}: error: unknown placeholder '{{{{{}}}}}' (known: {})", file, line,
                      column, PrintableText(key), known));
    }
    out += value->second;
    i = close + 2;
  }
  return out;
}

}  // namespace mosaic
