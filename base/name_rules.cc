#include "name_rules.h"

#include <fmt/format.h>

#include <cctype>

#include "utf8.h"

namespace mosaic {

std::optional<NameRule> NameRuleFromString(std::string_view rule) {
  if (rule == "session") return NameRule::kSession;
  if (rule == "socket") return NameRule::kSocket;
  if (rule == "runtime") return NameRule::kRuntime;
  if (rule == "identifier") return NameRule::kIdentifier;
  if (rule == "host") return NameRule::kHost;
  if (rule == "directory") return NameRule::kDirectory;
  if (rule == "text") return NameRule::kText;
  return std::nullopt;
}

std::string Quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out + "\"";
}

namespace {

bool IsControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// The character at text[i], whole: a UTF-8 sequence is never cut in half in a message.
std::string_view CharAt(std::string_view text, size_t i) {
  size_t len = Utf8CharLength(text, i);
  return text.substr(i, len == 0 ? 1 : len);
}

std::string ShowChar(std::string_view c) {
  if (c == "'") return "\"'\"";
  if (!IsValidUtf8(c)) return fmt::format("the byte 0x{:02x}", static_cast<unsigned char>(c[0]));
  return fmt::format("'{}'", c);
}

bool AllowedInName(NameRule rule, char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') return true;
  return c == '.' && (rule == NameRule::kHost || rule == NameRule::kIdentifier);
}

std::string_view Why(char c) {
  switch (c) {
    case ':':
    case '.':
      return " (tmux reads it as a window or pane separator)";
    case '#':
      return " (tmux would expand it as a format)";
    case '/':
      return " (it is a path separator)";
    case '$':
    case '`':
    case ';':
    case '&':
    case '|':
      return " (a shell would interpret it)";
    default:
      return "";
  }
}

}  // namespace

Status CheckSessionName(std::string_view what, std::string_view name) {
  if (auto why = ExplainNameViolation(NameRule::kSession, name, kMaxNameLength))
    return Status::Error(fmt::format("{} {} {}", what, Quoted(name), *why));
  return Status::Ok();
}

std::optional<std::string> ExplainNameViolation(NameRule rule, std::string_view value,
                                                size_t max_length) {
  for (char c : value)
    if (IsControl(c)) return std::string("may not contain control characters");
  if (rule == NameRule::kText) {
    if (value.size() > max_length)
      return fmt::format("is {} characters long; at most {}", value.size(), max_length);
    return std::nullopt;
  }
  if (rule == NameRule::kDirectory) {
    if (value == "~" || value.starts_with("~/") || value.starts_with("/")) return std::nullopt;
    if (value.starts_with("~"))
      return std::string(
          "'~user' is not supported; write an absolute path or one starting with '~/'");
    return std::string(
        "must be an absolute path or start with '~/' (a relative directory would depend on where "
        "systemd starts)");
  }
  if (value.empty()) return std::string("may not be empty");
  for (char c : value)
    if (std::isspace(static_cast<unsigned char>(c)))
      return std::string("may not contain whitespace");
  if (value.front() == '-')
    return std::string("may not start with '-' (it would read as an option)");
  if (value.front() == '.') return std::string("may not start with '.'");
  for (size_t i = 0; i < value.size(); ++i)
    if (!AllowedInName(rule, value[i]))
      return fmt::format("may not contain {}{}", ShowChar(CharAt(value, i)), Why(value[i]));
  if (value.size() > max_length)
    return fmt::format("is {} characters long; at most {}", value.size(), max_length);
  return std::nullopt;
}

}  // namespace mosaic
