#include "env_file.h"

#include <fmt/format.h>

#include <algorithm>

#include "utf8.h"

namespace mosaic {
namespace {

// systemd's character classes (src/basic/string-util.h, env-file.c).
constexpr std::string_view kWhitespace = " \t\n\r";
constexpr std::string_view kNewline = "\n\r";
constexpr std::string_view kComments = "#;";
constexpr std::string_view kShellNeedEscape = "\"\\`$";

// (A loop, not string_view::find: called for every byte, and a library call costs more there
// than comparing with two to four characters.)
constexpr bool In(std::string_view set, char c) {
  for (char member : set)
    if (member == c) return true;
  return false;
}

// Where the first line end at or after `from` is (npos: none).
size_t FindNewline(std::string_view text, size_t from) {
  for (size_t i = from; i < text.size(); ++i)
    if (In(kNewline, text[i])) return i;
  return std::string_view::npos;
}

// Where each line of `text` starts. Lines end as systemd ends them, at "\n" or "\r" — a
// "\r\n" pair is one line end — so that line numbers match what editors show for CRLF and
// CR-only files alike.
std::vector<size_t> LineStarts(std::string_view text) {
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')))
      starts.push_back(i + 1);
  return starts;
}

// The 1-based line holding byte `pos`.
int LineOf(const std::vector<size_t>& starts, size_t pos) {
  return static_cast<int>(std::upper_bound(starts.begin(), starts.end(), pos) - starts.begin());
}

// How a key is named in a message: keys are not secret, but one that is not a valid name may
// hold anything.
std::string KeyForMessage(const std::string& key) {
  return IsValidEnvName(key) ? key : std::string("a setting");
}

// Whether a physical line, read on its own, would look like `NAME=…`.
bool LooksLikeAssignment(std::string_view line) {
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  size_t eq = line.find('=', start);
  if (eq == std::string_view::npos) return false;
  std::string_view key = line.substr(start, eq - start);
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
  return IsValidEnvName(key);
}

// Walks the text the way systemd's parse_env_file_internal() does, one entry at a time,
// remembering where each entry's bytes begin and end.
class Parser {
 public:
  Parser(std::string_view text, EnvFile& file)
      : s_(text), file_(file), line_starts_(LineStarts(text)) {}

  void Run() {
    while (true) {
      size_t prefix_start = i_;
      while (i_ < s_.size() && In(kWhitespace, s_[i_])) ++i_;
      EnvEntry entry;
      entry.prefix = std::string(s_.substr(prefix_start, i_ - prefix_start));
      if (i_ == s_.size()) {
        if (!entry.prefix.empty()) file_.entries.push_back(std::move(entry));
        return;
      }
      entry.line = Line(i_);
      size_t body_start = i_;
      if (In(kComments, s_[i_]))
        ReadComment(entry);
      else
        ReadSetting(entry);
      entry.body = std::string(s_.substr(body_start, i_ - body_start));
      if (i_ < s_.size()) entry.terminator = std::string(1, s_[i_++]);
      file_.entries.push_back(std::move(entry));
    }
  }

 private:
  bool AtNewline() const { return i_ < s_.size() && In(kNewline, s_[i_]); }
  int Line(size_t pos) const { return LineOf(line_starts_, pos); }

  void Problem(int line, std::string message) {
    file_.problems.push_back({line, std::move(message)});
  }

  // COMMENT and COMMENT_ESCAPE. Leaves i_ on the terminating newline (or the end).
  void ReadComment(EnvEntry& entry) {
    entry.kind = EnvEntry::Kind::kComment;
    for (++i_; i_ < s_.size() && !AtNewline(); ++i_) {
      if (s_[i_] != '\\' || i_ + 1 >= s_.size()) continue;
      ++i_;  // the escaped character belongs to the comment, even a newline (before v254)
      if (!In(kNewline, s_[i_])) continue;
      // systemd v254 changed this: a newline after a backslash now ends the comment. If the
      // next line holds a setting, its meaning depends on the systemd version.
      size_t next = i_ + 1, end = FindNewline(s_, next);
      std::string_view following =
          s_.substr(next, end == std::string_view::npos ? s_.npos : end - next);
      size_t first = following.find_first_not_of(" \t");
      if (first != std::string_view::npos && !In(kComments, following[first]))
        Problem(Line(i_), fmt::format("a comment ends with a backslash: systemd before v254 "
                                      "reads line {} as part of the comment, later versions as "
                                      "a setting; remove the backslash, or make line {} a comment",
                                      Line(next), Line(next)));
    }
  }

  // KEY, then the value states. Leaves i_ on the terminating newline (or the end).
  void ReadSetting(EnvEntry& entry) {
    // The first character is the key's even when it is '=' (systemd's PRE_KEY → KEY).
    size_t key_start = i_++;
    while (i_ < s_.size() && s_[i_] != '=' && !AtNewline()) ++i_;
    if (i_ == s_.size() || AtNewline()) {
      entry.kind = EnvEntry::Kind::kDiscarded;  // no '=': systemd drops the line
      return;
    }
    entry.kind = EnvEntry::Kind::kAssignment;
    std::string_view key = s_.substr(key_start, i_ - key_start);
    while (!key.empty() && In(" \t", key.back())) key.remove_suffix(1);
    entry.key = std::string(key);
    ++i_;  // '='

    enum { kPreValue, kValue, kValueEscape, kSingle, kDouble, kDoubleEscape } state = kPreValue;
    std::string value;
    size_t last_whitespace = std::string::npos;  // where a run of trailing whitespace starts
    for (; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      bool newline = In(kNewline, c);
      switch (state) {
        case kPreValue:
          if (newline) break;
          if (c == '\'')
            state = kSingle;
          else if (c == '"')
            state = kDouble;
          else if (c == '\\')
            state = kValueEscape;
          else if (!In(kWhitespace, c))
            state = kValue, value += c;
          continue;
        case kValue:
          if (newline) break;
          if (c == '\\') {
            state = kValueEscape;
            last_whitespace = std::string::npos;
          } else {
            if (!In(kWhitespace, c))
              last_whitespace = std::string::npos;
            else if (last_whitespace == std::string::npos)
              last_whitespace = value.size();
            value += c;
          }
          continue;
        case kValueEscape:
          state = kValue;
          if (!newline) value += c;  // an escaped newline continues the line
          continue;
        case kSingle:
          if (c == '\'')
            state = kPreValue;
          else
            value += c;
          continue;
        case kDouble:
          if (c == '"')
            state = kPreValue;
          else if (c == '\\')
            state = kDoubleEscape;
          else
            value += c;
          continue;
        case kDoubleEscape:
          state = kDouble;
          if (In(kShellNeedEscape, c))
            value += c;
          else if (c != '\n')
            value += {'\\', c};
          continue;
      }
      break;  // a newline that ends the entry
    }
    if (state == kValue && last_whitespace != std::string::npos) value.erase(last_whitespace);
    entry.value = std::move(value);

    std::string name = KeyForMessage(entry.key);
    if (i_ == s_.size() && state != kPreValue && state != kValue)
      Problem(entry.line,
              fmt::format("the value of {} {} that is never closed, so systemd reads "
                          "everything up to the end of the file as part of it; close it",
                          name,
                          state == kSingle || state == kDouble ? "opens a quote"
                                                               : "ends with a backslash"));
    CheckContinuationLines(key_start, i_, entry.line, name);
    if (!IsSystemdValidUtf8(entry.key) || !IsSystemdValidUtf8(entry.value)) {
      file_.ignored_by_systemd = true;
      Problem(entry.line, fmt::format("{} is not valid UTF-8, so systemd ignores this whole "
                                      "file; re-encode the file as UTF-8",
                                      IsSystemdValidUtf8(entry.key) ? "the value of " + name
                                                                    : std::string("a key")));
    }
  }

  // A line inside a multi-line value that reads like a setting of its own is almost always
  // a quote someone forgot to close: systemd swallows it into the value above.
  void CheckContinuationLines(size_t from, size_t to, int first_line, const std::string& name) {
    std::string_view body = s_.substr(from, to - from);
    for (size_t pos = FindNewline(body, 0); pos != std::string_view::npos;
         pos = FindNewline(body, pos + 1)) {
      size_t end = FindNewline(body, pos + 1);
      std::string_view physical =
          body.substr(pos + 1, end == body.npos ? body.npos : end - pos - 1);
      if (!LooksLikeAssignment(physical)) continue;
      Problem(Line(from + pos + 1),
              fmt::format("this line looks like a setting, but systemd reads it as part "
                          "of the value of {} that starts on line {} (an unclosed quote or "
                          "a trailing backslash there); close the quote or remove the "
                          "backslash",
                          name, first_line));
      return;  // one report per value is enough to find it
    }
  }

  std::string_view s_;
  EnvFile& file_;
  std::vector<size_t> line_starts_;
  size_t i_ = 0;
};

}  // namespace

bool IsValidEnvName(std::string_view key) {
  // ASCII only, as systemd's env_name_is_valid() (std::isalnum would ask the locale).
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (key.empty() || digit(key.front())) return false;
  return std::all_of(key.begin(), key.end(),
                     [&](char c) { return letter(c) || digit(c) || c == '_'; });
}

EnvFile ParseEnvFile(std::string_view text) {
  EnvFile file;
  // systemd refuses a file holding a NUL byte outright (and ignores it, as EnvironmentFile=-
  // says); the bytes before it are still parsed, so the entries cover the whole file.
  size_t nul = text.find('\0');
  Parser(text.substr(0, nul), file).Run();
  if (nul != std::string_view::npos) {
    int line = LineOf(LineStarts(text), nul);
    file.ignored_by_systemd = true;
    file.problems.push_back({line,
                             "a NUL byte: systemd refuses a file that holds one and ignores all "
                             "of it; remove it"});
    EnvEntry rest;  // kept byte for byte, never interpreted
    rest.kind = EnvEntry::Kind::kDiscarded;
    rest.line = line;
    rest.body = std::string(text.substr(nul));
    file.entries.push_back(std::move(rest));
  }
  std::stable_sort(file.problems.begin(), file.problems.end(),
                   [](const EnvProblem& a, const EnvProblem& b) { return a.line < b.line; });
  return file;
}

std::map<std::string, std::string> EnvFile::Variables() const {
  std::map<std::string, std::string> vars;
  if (ignored_by_systemd) return vars;
  for (const EnvEntry& e : entries)
    if (e.kind == EnvEntry::Kind::kAssignment) vars[e.key] = e.value;
  std::erase_if(vars, [](const auto& kv) { return !IsValidEnvName(kv.first); });
  return vars;
}

std::string FormatEnvAssignment(const std::string& key, const std::string& value) {
  if (value.empty()) return key + "=";
  std::string out = key + "=\"";
  for (char c : value) {
    if (In(kShellNeedEscape, c)) out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace mosaic
