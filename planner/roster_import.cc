#include "roster_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "desired_state.h"
#include "fleet_contract.h"
#include "json_text.h"
#include "name_rules.h"
#include "utf8.h"

namespace mosaic {
namespace {

bool Lower(std::string_view value, std::string_view word) {
  return value.size() == word.size() &&
         std::equal(value.begin(), value.end(), word.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// The words YAML 1.1 (and so many readers) takes for booleans and null.
bool IsYamlKeyword(std::string_view value) {
  for (std::string_view word : {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"})
    if (Lower(value, word)) return true;
  return false;
}

std::vector<std::string> Words(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  for (char c : command) {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else if (c != '\'' && c != '"') {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The runtime a session's program is: `mosaic yolo R`, or a program named as one of the
// roster's runtimes or of the runtimes mosaic knows, or the program a roster runtime's
// command starts. "" when it cannot be told: a shell, an editor, a script — guessing would
// make ordinary sessions agents.
std::string GuessRuntime(const Roster& roster, const RunningSession& session) {
  std::vector<std::string> words = Words(session.start_command);
  if (words.empty() && !session.current_command.empty()) words = {session.current_command};
  if (words.empty()) return "";
  std::string program = Basename(words[0]);
  std::string runtime;
  static const std::set<std::string> kShells = {"sh",  "bash", "zsh", "fish", "dash",
                                                "ksh", "tcsh", "csh", "env",  "sudo"};
  if (program == "mosaic" && words.size() >= 3 && words[1] == "yolo") {
    runtime = words[2];
  } else if (!kShells.contains(program)) {
    static const std::set<std::string> kKnown = {"claude", "codex", "pi"};
    if (roster.runtimes.contains(program) || kKnown.contains(program)) runtime = program;
    for (const auto& [name, settings] : roster.runtimes) {
      std::vector<std::string> launch = Words(settings.command);
      if (runtime.empty() && !launch.empty() && Basename(launch[0]) == program) runtime = name;
    }
  }
  if (ExplainNameViolation(NameRule::kRuntime, runtime, 32)) return "";
  return runtime;
}

// "~/x" for a directory under `home`.
std::string RosterDirectory(const std::string& directory, std::string_view home) {
  if (home.empty() || home == "/") return directory;
  if (directory == home) return "~";
  if (directory.starts_with(home) && directory.size() > home.size() &&
      directory[home.size()] == '/')
    return "~" + directory.substr(home.size());
  return directory;
}

}  // namespace

std::string YamlString(std::string_view value) {
  bool plain = !value.empty() && !IsYamlKeyword(value) &&
               std::isalpha(static_cast<unsigned char>(value.front())) &&
               std::all_of(value.begin(), value.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                        c == '/' || c == '.';
               });
  // A JSON string is a YAML double-quoted scalar: control characters escaped, UTF-8 kept.
  return plain ? std::string(value) : JsonText(std::string(value));
}

ImportedEntries ImportEntries(const Roster& roster, const std::vector<RunningSession>& sessions,
                              std::string_view socket, std::string_view home, int indent,
                              bool stopped) {
  std::set<std::string> named;
  for (const AgentSpec& agent : roster.agents) named.insert(agent.name);
  const std::string pad(static_cast<size_t>(indent), ' ');
  ImportedEntries out;
  for (const RunningSession& s : sessions) {
    if (named.contains(s.name) || s.owner == kOwnerHolder || s.owner == kOwnerViewer) continue;
    std::string origin = fmt::format(
        "{}# session {} on -L {}: {}{}\n", pad, Quoted(PrintableText(s.name)), socket,
        !s.start_command.empty()     ? "started as " + Quoted(PrintableText(s.start_command))
        : !s.current_command.empty() ? std::string("its shell")
                                     : std::string("what it runs was not read"),
        s.current_command.empty() ? ""
                                  : ", now running " + Quoted(PrintableText(s.current_command)));
    auto skip = [&](const std::string& why) {
      out.yaml += origin + fmt::format("{}#   not imported: {}\n", pad, why);
      ++out.skipped;
    };
    if (s.owner == kOwnerAgent) {
      skip("mosaic-fleet made it for an agent no longer in the roster (apply removes it)");
      continue;
    }
    if (!IsValidUtf8(s.name) || !IsValidUtf8(s.directory) || !IsValidUtf8(s.start_command)) {
      skip("its name, command or directory is not UTF-8 text");
      continue;
    }
    if (std::optional<std::string> why = ExplainNameViolation(NameRule::kSession, s.name, 64)) {
      skip(
          fmt::format("an agent's name {}; rename the session (tmux -L {} rename-session -t "
                      "{} NEW) and import again",
                      *why, socket, ShellQuote("=" + s.name)));
      continue;
    }
    if (s.name == roster.holder_session) {
      skip("it has the name of the fleet's holder session");
      continue;
    }
    if (s.directory.empty()) {  // tmux tells it once the pane's program runs
      skip(
          "tmux did not tell its working directory (its program had only just started); "
          "import again");
      continue;
    }
    std::string directory = RosterDirectory(s.directory, home);
    if (std::optional<std::string> why =
            ExplainNameViolation(NameRule::kDirectory, directory, 4096)) {
      skip(fmt::format("its working directory {}", *why));
      continue;
    }
    std::string runtime = GuessRuntime(roster, s);
    std::string entry = fmt::format("{}- name: {}\n", pad, YamlString(s.name));
    entry += fmt::format("{}  runtime: {}\n", pad, YamlString(runtime.empty() ? "?" : runtime));
    if (!directory.empty())
      entry += fmt::format("{}  working_directory: {}\n", pad, YamlString(directory));
    if (stopped) entry += fmt::format("{}  state: stopped\n", pad);
    out.yaml += origin;
    if (runtime.empty()) {
      // Commented out: a roster with `runtime: "?"` would not validate.
      out.yaml += fmt::format(
          "{}#   which runtime it is cannot be told: set runtime, then "
          "uncomment\n",
          pad);
      for (size_t start = 0; start < entry.size();) {
        size_t end = entry.find('\n', start);
        out.yaml += pad + "# " + entry.substr(start + pad.size(), end - start - pad.size()) + "\n";
        start = end + 1;
      }
      ++out.skipped;
      continue;
    }
    out.yaml += entry;
    ++out.entries;
  }
  return out;
}

int AgentsListIndent(std::string_view text) {
  // The last top-level key must be `agents:`, in block style.
  size_t agents = std::string_view::npos;
  bool content = false;  // a line other than blank or comment seen
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!content && line.starts_with("%")) line = "";  // a directive (%YAML 1.2)
    bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
    bool comment = !blank && line[line.find_first_not_of(" \t")] == '#';
    // A second document (or an end marker) after the first: entries would land outside it.
    if (content && (line.starts_with("---") || line.starts_with("..."))) return -1;
    // A key at the top (a list item at column 0 belongs to the key above it).
    if (!blank && !comment && !line.starts_with("---") && line.front() != ' ' &&
        line.front() != '\t' && line.front() != '-')
      agents = line.starts_with("agents:") ? start : std::string_view::npos;
    content = content || (!blank && !comment && !line.starts_with("---"));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (agents == std::string_view::npos) return -1;
  std::string_view rest = text.substr(agents + 7);
  std::string_view head = rest.substr(0, rest.find('\n'));
  size_t value = head.find_first_not_of(" \t");
  if (value != std::string_view::npos && head[value] != '#') return -1;  // `agents: [...]`
  // The first list item's indentation.
  for (size_t start = rest.find('\n'); start != std::string_view::npos;
       start = rest.find('\n', start + 1)) {
    std::string_view line = rest.substr(start + 1, rest.find('\n', start + 1) - start - 1);
    size_t first = line.find_first_not_of(' ');
    if (first == std::string_view::npos || line[first] == '#') continue;
    return line.substr(first).starts_with("- ") || line.substr(first) == "-"
               ? static_cast<int>(first)
               : -1;
  }
  return 2;  // `agents:` with no item yet
}

}  // namespace mosaic
