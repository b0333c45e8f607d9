#include "fake_tmux_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace mosaic {
namespace {

// Undoes TmuxLiteral: a final "\;" stands for ";".
std::string Literal(const std::string& arg) {
  if (arg.size() >= 2 && arg.ends_with("\\;")) return arg.substr(0, arg.size() - 2) + ";";
  return arg;
}

// A tmux command string ("kill-session -t =a") split into words; quotes group.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool in_word = false;
  for (char c : text) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ') {
      if (in_word) words.push_back(word), word.clear(), in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

size_t MatchingBrace(const std::string& f, size_t open) {
  int depth = 0;
  for (size_t i = open; i < f.size(); ++i) {
    if (f[i] == '{') ++depth;
    if (f[i] == '}' && --depth == 0) return i;
  }
  return f.size();
}

// "=NAME:" or "=NAME" → NAME. Real tmux matches a target without "=" by prefix ("a" finds
// "a0" once "a" is gone), so the fake refuses one outright: every such call is a bug.
std::string TargetSession(const std::string& target) {
  if (!target.starts_with("="))
    throw std::logic_error("fake tmux: inexact target " + target +
                           " (tmux would match it by prefix)");
  std::string name = target.substr(1);
  if (name.ends_with(":")) name.pop_back();
  return name;
}

ProcessResult Fail(const std::string& err) { return {1, "", err + "\n"}; }

}  // namespace

std::string FakeTmuxServer::Expand(const std::string& format, const std::string& session) const {
  std::string out;
  auto found = sessions.find(session);
  const Session* s = found == sessions.end() ? nullptr : &found->second;
  for (size_t i = 0; i < format.size();) {
    if (format.compare(i, 2, "#{") != 0) {
      out += format[i++];
      continue;
    }
    size_t end = MatchingBrace(format, i + 1);
    std::string inner = format.substr(i + 2, end - i - 2);
    i = end + 1;
    if (inner.starts_with("==:")) {
      std::string args = inner.substr(3);
      size_t comma = 0;
      for (int depth = 0; comma < args.size(); ++comma) {
        if (args[comma] == '{') ++depth;
        if (args[comma] == '}') --depth;
        if (args[comma] == ',' && depth == 0) break;
      }
      out += Expand(args.substr(0, comma), session) ==
                     Expand(args.substr(std::min(comma + 1, args.size())), session)
                 ? "1"
                 : "0";
    } else if (inner == "session_name") {
      out += s ? session : "";
    } else if (inner == "pid") {
      out += std::to_string(server_pid);
    } else if (inner == "pane_pid") {
      out += s ? std::to_string(s->pane_pid) : "";
    } else if (inner == "pane_dead") {
      out += s && s->dead ? "1" : "0";
    } else if (inner == "pane_dead_status") {
      out += s && s->dead && s->dead_status >= 0 ? std::to_string(s->dead_status) : "";
    } else if (inner == "window_activity") {
      out += s ? std::to_string(s->activity) : "";
    } else if (inner == "pane_dead_signal") {
      out += s && s->dead && s->dead_signal >= 0 ? std::to_string(s->dead_signal) : "";
    } else if (inner == "session_group") {
      // No session of a fake server is grouped.
    } else if (inner == "window_index" || inner == "pane_index") {
      out += "0";
    } else if (inner.starts_with("@")) {
      if (s && s->options.contains(inner))
        out += s->options.at(inner);
      else if (global_options.contains(inner))
        out += global_options.at(inner);
    } else {
      out += "<unknown format " + inner + ">";
    }
  }
  return out;
}

ProcessResult FakeTmuxServer::RunCommand(const std::vector<std::string>& c, bool may_start) {
  if (c.empty()) return Fail("no command");
  const std::string& name = c[0];
  if (!running && !(name == "new-session" && may_start))
    return Fail("no server running on /fake/tmux");
  if ((name == "list-panes" && c.size() == 4 && c[1] == "-a" && c[2] == "-F") ||
      (name == "list-sessions" && c.size() == 3 && c[1] == "-F")) {
    const std::string& format = c.back();
    ProcessResult r;
    for (const auto& [session, ignored] : sessions) r.out += Expand(format, session) + "\n";
    return r;
  }
  // Only the exact session target "=NAME:": tmux reads a bare "=NAME" as a window name.
  if (name == "list-panes" && c.size() == 6 && c[1] == "-s" && c[2] == "-t" &&
      c[3].starts_with("=") && c[3].ends_with(":") && c[4] == "-F") {
    std::string session = c[3].substr(1, c[3].size() - 2);
    if (!sessions.contains(session)) return Fail("can't find session: " + session);
    return {0, Expand(c[5], session) + "\n", ""};
  }
  // new-session -d [-P -F FORMAT] -s NAME -- PROGRAM…
  bool prints = c.size() >= 4 && c[1] == "-d" && c[2] == "-P" && c[3] == "-F";
  size_t at = prints ? 5 : 2;  // where -s is
  if (name == "new-session" && c.size() >= at + 4 && c[1] == "-d" && c[at] == "-s" &&
      c[at + 2] == "--") {
    const std::string& session = c[at + 1];
    if (sessions.contains(session)) return Fail("duplicate session: " + session);
    if (!running) running = true, server_pid = next_pid_++;
    sessions[session] = {
        .pane_pid = next_pid_++,
        .dead = programs_exit_with.has_value() || programs_end_unreaped,
        .dead_status = programs_end_unreaped ? -1 : programs_exit_with.value_or(-1),
        .argv = std::vector<std::string>(c.begin() + static_cast<long>(at) + 3, c.end())};
    if (prints) return {0, Expand(c[4], session) + "\n", ""};
    return {};
  }
  if (name == "set-option" && c.size() == 4 && c[1] == "-g") {
    global_options[c[2]] = c[3];
    return {};
  }
  if (name == "set-option" && c.size() == 3 && c[1] == "-gu") {
    global_options.erase(c[2]);
    return {};
  }
  if (name == "set-option" && c.size() == 5 && c[1] == "-t") {
    auto s = sessions.find(TargetSession(c[2]));
    if (s == sessions.end()) return Fail("can't find session: " + TargetSession(c[2]));
    s->second.options[c[3]] = c[4];
    return {};
  }
  if (name == "kill-session" && c.size() == 3 && c[1] == "-t") {
    if (sessions.erase(TargetSession(c[2])) == 0)
      return Fail("can't find session: " + TargetSession(c[2]));
    return {};
  }
  if (name == "kill-server" && c.size() == 1) {
    running = false;
    sessions.clear();
    return {};
  }
  if (name == "display-message" && c.size() == 3 && c[1] == "-p") return {0, c[2] + "\n", ""};
  if (name == "set-hook" && c.size() == 5 && c[1] == "-t") {
    hooks[TargetSession(c[2]) + " " + c[3]] = c[4];
    return {};
  }
  if (name == "set-hook" && c.size() == 4 && c[1] == "-g") {
    hooks[c[2]] = c[3];
    return {};
  }
  if (name == "wait-for" && c.size() == 2) return {};  // woken at once: callers look again
  if (name == "capture-pane" && c.size() == 6 && c[1] == "-p" && c[2] == "-t") {
    auto s = sessions.find(TargetSession(c[3]));
    if (s == sessions.end()) return Fail("can't find session: " + TargetSession(c[3]));
    ProcessResult r;
    for (const std::string& line : s->second.screen) r.out += line + "\n";
    return r;
  }
  if (name == "if-shell" && (c.size() == 6 || c.size() == 7) && c[1] == "-F" && c[2] == "-t") {
    std::string condition = Expand(c[4], TargetSession(c[3]));
    bool yes = !condition.empty() && condition != "0";
    if (!yes && c.size() == 6) return {};
    return RunCommand(Words(yes ? c[5] : c[6]), false);
  }
  return Fail("fake tmux: unknown command: " + fmt::format("{}", fmt::join(c, " ")));
}

Result<TerminalResult> FakeTmuxServer::RunInTerminal(const ProcessRequest& request) {
  calls.push_back(request.argv);
  return Status::Error("fake tmux: no terminal to attach");
}

Result<ProcessResult> FakeTmuxServer::Run(const ProcessRequest& request) {
  calls.push_back(request.argv);
  const std::vector<std::string>& argv = request.argv;
  if (auto canned = other_programs.find(argv); canned != other_programs.end())
    return canned->second;
  if (argv.size() < 3 || argv[0] != "tmux" || (argv[1] != "-L" && argv[1] != "-S"))
    return Status::Error("fake tmux: not a tmux command line with a socket");
  if (wedged) {
    ProcessResult r;
    r.timed_out = true;
    return r;
  }
  size_t i = 3;
  bool may_start = true;
  if (i < argv.size() && argv[i] == "-N") may_start = false, ++i;
  ProcessResult all;
  std::vector<std::string> command;
  for (; i <= argv.size(); ++i) {
    if (i < argv.size() && argv[i] != ";") {
      command.push_back(Literal(argv[i]));
      continue;
    }
    ProcessResult r = RunCommand(command, may_start);
    all.out += r.out;
    all.err += r.err;
    if (r.exit_code != 0) {
      all.exit_code = r.exit_code;
      break;
    }
    command.clear();
  }
  return all;
}

}  // namespace mosaic
