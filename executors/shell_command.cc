#include "shell_command.h"

#include <algorithm>
#include <array>

namespace mosaic {
namespace {

constexpr std::string_view kBlanks = " \t";

// dash's reserved words and builtins (and a few of bash's): the shell runs these itself, and
// PATH is never asked.
constexpr std::array<std::string_view, 59> kShellOwnWords = {
    "!",      "{",     "}",       "case",  "do",      "done",  "elif",  "else",     "esac",
    "fi",     "for",   "if",      "in",    "then",    "until", "while", ".",        ":",
    "[",      "alias", "bg",      "break", "builtin", "cd",    "chdir", "command",  "continue",
    "echo",   "eval",  "exec",    "exit",  "export",  "false", "fc",    "fg",       "getopts",
    "hash",   "jobs",  "kill",    "local", "printf",  "pwd",   "read",  "readonly", "return",
    "set",    "shift", "source",  "test",  "time",    "times", "trap",  "true",     "type",
    "ulimit", "umask", "unalias", "unset", "wait"};

bool IsShellOwnWord(std::string_view word) {
  return std::find(kShellOwnWords.begin(), kShellOwnWords.end(), word) != kShellOwnWords.end();
}

// A character the shell reads as itself inside a word: nothing it quotes, expands, globs,
// redirects or separates with. (A byte of a multi-byte UTF-8 character is a letter to it.)
bool IsOrdinary(char c) {
  auto byte = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         byte >= 0x80 || std::string_view("_./,:@%+-=").find(c) != std::string_view::npos;
}

}  // namespace

std::string ProgramOfCommand(std::string_view command) {
  size_t start = command.find_first_not_of(kBlanks);
  if (start == std::string_view::npos) return "";
  size_t end = command.find_first_of(" \t\n", start);
  std::string_view word = command.substr(start, end == std::string_view::npos ? end : end - start);
  // Quoting, expansions, assignments, redirections, globs: the shell decides what runs.
  if (word.find_first_of("'\"\\$`=;&|<>(){}[]*?~!#") != std::string_view::npos) return "";
  if (IsShellOwnWord(word)) return "";
  return std::string(word);
}

std::optional<std::vector<std::string>> PlainCommandWords(std::string_view command) {
  std::vector<std::string> words;
  for (size_t start = command.find_first_not_of(kBlanks); start != std::string_view::npos;
       start = command.find_first_not_of(kBlanks, start)) {
    size_t end = std::min(command.find_first_of(kBlanks, start), command.size());
    std::string_view word = command.substr(start, end - start);
    if (!std::all_of(word.begin(), word.end(), IsOrdinary)) return std::nullopt;
    words.emplace_back(word);
    start = end;
  }
  if (words.empty() || ProgramOfCommand(words.front()).empty()) return std::nullopt;
  return words;
}

}  // namespace mosaic
