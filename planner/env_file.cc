#include "env_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace mosaic {
namespace {

bool IsValidKey(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Decodes the value part of one logical line (after '='), as systemd does.
std::string DecodeValue(std::string_view v) {
  std::string out;
  size_t trailing_space_start = std::string::npos;  // bare trailing whitespace is dropped
  enum { kBare, kSingle, kDouble } state = kBare;
  size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;  // leading whitespace of the value
  for (; i < v.size(); ++i) {
    char c = v[i];
    switch (state) {
      case kBare:
        if (c == '\'')
          state = kSingle, trailing_space_start = std::string::npos;
        else if (c == '"')
          state = kDouble, trailing_space_start = std::string::npos;
        else if (c == '\\' && i + 1 < v.size()) {
          if (v[i + 1] != '\n') out += v[i + 1];
          ++i;
          trailing_space_start = std::string::npos;
        } else if (c == ' ' || c == '\t') {
          if (trailing_space_start == std::string::npos) trailing_space_start = out.size();
          out += c;
        } else {
          out += c;
          trailing_space_start = std::string::npos;
        }
        break;
      case kSingle:
        if (c == '\'')
          state = kBare;
        else
          out += c;
        break;
      case kDouble:
        if (c == '"')
          state = kBare;
        else if (c == '\\' && i + 1 < v.size()) {
          char n = v[i + 1];
          if (n == '"' || n == '\\' || n == '`' || n == '$')
            out += n;
          else if (n != '\n')
            out += {'\\', n};
          ++i;
        } else
          out += c;
        break;
    }
  }
  if (state == kBare && trailing_space_start != std::string::npos) out.erase(trailing_space_start);
  return out;
}

}  // namespace

std::map<std::string, std::string> EnvFile::Variables() const {
  std::map<std::string, std::string> vars;
  for (const EnvLine& line : lines)
    if (line.is_assignment()) vars[line.key] = line.value;
  return vars;
}

EnvFile ParseEnvFile(std::string_view text) {
  EnvFile file;
  file.ends_with_newline = text.empty() || text.back() == '\n';
  size_t pos = 0;
  while (pos < text.size()) {
    // One logical line. A backslash before the newline continues it; in the value part (after
    // '='), a newline inside quotes does too. Quotes in comments and keys mean nothing.
    size_t first = pos;
    while (first < text.size() && (text[first] == ' ' || text[first] == '\t')) ++first;
    const bool comment = first < text.size() && (text[first] == '#' || text[first] == ';');
    size_t end = pos;
    bool in_value = false, in_single = false, in_double = false;
    while (end < text.size() && (text[end] != '\n' || in_single || in_double)) {
      char c = text[end];
      if (c == '\\' && !in_single && end + 1 < text.size()) {
        end += 2;
        continue;
      }
      if (!comment && !in_value && c == '=')
        in_value = true;
      else if (in_value && c == '\'' && !in_double)
        in_single = !in_single;
      else if (in_value && c == '"' && !in_single)
        in_double = !in_double;
      end++;
    }
    EnvLine line;
    line.raw = std::string(text.substr(pos, end - pos));
    pos = end < text.size() ? end + 1 : end;

    std::string_view body = line.raw;
    size_t key_start = body.find_first_not_of(" \t");
    if (comment || key_start == std::string_view::npos) {
      file.lines.push_back(std::move(line));
      continue;
    }
    size_t eq = body.find('=', key_start);
    if (eq != std::string_view::npos) {
      std::string key(body.substr(key_start, eq - key_start));
      while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
      if (IsValidKey(key)) {
        line.key = key;
        line.value = DecodeValue(body.substr(eq + 1));
      }
    }
    file.lines.push_back(std::move(line));
  }
  return file;
}

std::string FormatEnvAssignment(const std::string& key, const std::string& value) {
  if (value.empty()) return key + "=";
  std::string out = key + "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
    out += c;
  }
  return out + "\"";
}

const std::vector<std::string>& OwnedEnvKeys() {
  static const std::vector<std::string> keys = {
      "MOSAIC_AGENT_NAME",    "MOSAIC_AGENT_RUNTIME",   "MOSAIC_AGENT_MODEL",
      "MOSAIC_AGENT_WORKDIR", "MOSAIC_RUNTIME_COMMAND", "MOSAIC_TMUX_SOCKET",
      "MOSAIC_TMUX_HOLDER",
  };
  return keys;
}

bool IsOwnedEnvKey(std::string_view key) {
  const auto& keys = OwnedEnvKeys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string MergeEnvFile(std::string_view existing,
                         const std::vector<std::pair<std::string, std::string>>& owned) {
  std::map<std::string, std::string> wanted(owned.begin(), owned.end());
  std::string out;
  std::set<std::string> written;
  if (existing.empty()) {
    out +=
        "# mosaic-fleet agent environment. The tool rewrites only the keys it owns\n"
        "# (MOSAIC_AGENT_NAME, _RUNTIME, _MODEL, _WORKDIR, MOSAIC_RUNTIME_COMMAND,\n"
        "# MOSAIC_TMUX_SOCKET, _HOLDER). Add your own keys and comments: they are kept.\n"
        "# MOSAIC_AGENT_COMMAND, if you set it, replaces the runtime's launch command.\n";
  }
  EnvFile file = ParseEnvFile(existing);
  for (const EnvLine& line : file.lines) {
    if (line.is_assignment() && wanted.contains(line.key)) {
      if (written.insert(line.key).second)
        out += FormatEnvAssignment(line.key, wanted[line.key]) + "\n";
      continue;  // a later duplicate of an owned key would override ours: drop it
    }
    out += line.raw + "\n";
  }
  for (const auto& [key, value] : owned)
    if (!written.contains(key)) out += FormatEnvAssignment(key, value) + "\n";
  return out;
}

void Fingerprinter::Mix(std::string_view bytes) {
  for (char c : bytes) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 0x100000001b3ull;
  }
}

Fingerprinter& Fingerprinter::Add(std::string_view piece) {
  Add(static_cast<int64_t>(piece.size()));
  Mix(piece);
  return *this;
}

Fingerprinter& Fingerprinter::Add(int64_t number) {
  Mix(std::string_view(reinterpret_cast<const char*>(&number), sizeof number));
  return *this;
}

std::string Fingerprinter::Hex() const { return fmt::format("{:016x}", hash_); }

std::string Fingerprint(std::string_view text) {
  Fingerprinter f;
  f.Mix(text);
  return f.Hex();
}

std::string EnvFingerprint(const std::map<std::string, std::string>& variables) {
  std::string joined;
  for (const auto& [key, value] : variables) joined += key + '\0' + value + '\0';
  return Fingerprint(joined);
}

}  // namespace mosaic
