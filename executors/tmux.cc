#include "tmux.h"

#include <fmt/format.h>

#include <charconv>

#include "name_rules.h"

namespace mosaic {
namespace {

// One line per pane. The session name is last: it is the only field a foreign session could
// fill with the separator. Our own option values never contain tabs (roster text has no
// control characters; hashes are hex).
constexpr char kPaneFormat[] =
    "#{pid}\t#{pane_pid}\t#{pane_dead}\t#{window_index}\t#{pane_index}\t#{@mosaic-owner}\t#{@"
    "mosaic-runtime}\t"
    "#{@mosaic-command}\t#{@mosaic-env}\t#{@mosaic-workdir}\t#{session_name}";

std::vector<std::string> Split(const std::string& line, char sep, size_t max_fields) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() + 1 < max_fields) {
    size_t end = line.find(sep, start);
    if (end == std::string::npos) break;
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string Exact(const std::string& name) { return "=" + name; }

// Names reach tmux's -s and -t, where tmux expands formats and parses ':' and '.'.
Status CheckSessionName(const std::string& name) {
  if (auto why = ExplainNameViolation(NameRule::kSession, name, 64))
    return Status::Error(fmt::format("refusing tmux session name {}: {}", Quoted(name), *why));
  return Status::Ok();
}

}  // namespace

bool IsNoServerMessage(const std::string& err) {
  return err.find("no server running") != std::string::npos ||
         err.find("error connecting to") != std::string::npos ||
         err.find("No such file or directory") != std::string::npos;
}

Result<Tmux> Tmux::ForSocket(const std::string& socket, ProcessRunner& runner) {
  if (socket.empty())
    return Status::Error(
        "refusing to run tmux without a socket name (-L): that is the default socket");
  if (socket == "default")
    return Status::Error(
        "refusing to use the tmux socket named \"default\": it is the user's default tmux server");
  if (auto why = ExplainNameViolation(NameRule::kSocket, socket, 64))
    return Status::Error(fmt::format("refusing tmux socket name {}: {}", Quoted(socket), *why));
  return Tmux(socket, runner);
}

Result<ProcessResult> Tmux::Invoke(bool may_start_server,
                                   const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"tmux", "-L", socket_};
  if (!may_start_server) argv.push_back("-N");
  argv.insert(argv.end(), args.begin(), args.end());
  return runner_->Run(argv, {"TMUX", "TMUX_PANE"});
}

Result<ProcessResult> Tmux::Run(const std::vector<std::string>& args) const {
  return Invoke(false, args);
}

Result<ProcessResult> Tmux::StartServerWithHolder(const std::vector<std::string>& args) const {
  return Invoke(true, args);
}

Result<TmuxSessions> Tmux::ListSessions() const {
  Result<ProcessResult> r = Run({"list-panes", "-a", "-F", kPaneFormat});
  if (!r.ok()) return r.status();
  TmuxSessions result;
  if (r.value().exit_code != 0) {
    if (IsNoServerMessage(r.value().err)) return result;
    return Status::Error(fmt::format("tmux -L {} list-panes failed: {}", socket_, r.value().err));
  }
  result.server_running = true;
  size_t start = 0;
  const std::string& out = r.value().out;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    std::string line =
        out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    std::vector<std::string> f = Split(line, '\t', 11);
    if (f.size() != 11) continue;
    result.server_pid = ToInt(f[0]);
    const std::string& name = f[10];
    // A session's identity is its first pane: the one the tool created it with.
    if (result.sessions.contains(name)) continue;
    ObservedSession s;
    s.name = name;
    s.pane_pid = ToInt(f[1]);
    s.dead = f[2] == "1";
    s.owner = f[5];
    s.runtime = f[6];
    s.command_hash = f[7];
    s.env_hash = f[8];
    s.workdir = f[9];
    result.sessions[name] = std::move(s);
  }
  return result;
}

Result<bool> Tmux::HasSession(const std::string& name) const {
  if (Status s = CheckSessionName(name); !s.ok()) return s;
  Result<ProcessResult> r = Run({"has-session", "-t", Exact(name)});
  if (!r.ok()) return r.status();
  return r.value().exit_code == 0;
}

Status Tmux::NewSession(const std::string& name, const std::vector<std::string>& argv,
                        const SessionRecord& record) const {
  if (Status s = CheckSessionName(name); !s.ok()) return s;
  std::vector<std::string> args = {"new-session", "-d", "-s", name, "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  auto set = [&](std::string_view option, const std::string& value) {
    // "=NAME:" (exact session, its current window): tmux 3.3's set-option rejects "=NAME".
    for (const std::string& a : {std::string(";"), std::string("set-option"), std::string("-t"),
                                 Exact(name) + ":", std::string(option), value})
      args.push_back(a);
  };
  set(kOptionOwner, record.owner);
  set(kOptionRuntime, record.runtime);
  set(kOptionWorkdir, record.workdir);
  set(kOptionCommand, record.command_hash);
  set(kOptionEnv, record.env_hash);
  Result<ProcessResult> r = Run(args);
  if (!r.ok()) return r.status();
  if (r.value().exit_code != 0)
    return Status::Error(
        fmt::format("tmux -L {} new-session {} failed: {}", socket_, name, r.value().err));
  return Status::Ok();
}

Status Tmux::KillSession(const std::string& name) const {
  if (Status s = CheckSessionName(name); !s.ok()) return s;
  Result<ProcessResult> r = Run({"kill-session", "-t", Exact(name)});
  if (!r.ok()) return r.status();
  const ProcessResult& p = r.value();
  if (p.exit_code == 0 || IsNoServerMessage(p.err) ||
      p.err.find("can't find session") != std::string::npos)
    return Status::Ok();
  return Status::Error(
      fmt::format("tmux -L {} kill-session -t ={} failed: {}", socket_, name, p.err));
}

Status Tmux::KillServer() const {
  Result<ProcessResult> r = Run({"kill-server"});
  if (!r.ok()) return r.status();
  if (r.value().exit_code == 0 || IsNoServerMessage(r.value().err)) return Status::Ok();
  return Status::Error(fmt::format("tmux -L {} kill-server failed: {}", socket_, r.value().err));
}

}  // namespace mosaic
