#include "observed_state.h"

#include <fmt/format.h>

#include <cstring>

#include "fingerprint.h"

namespace mosaic {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedSession, name, pane_pid, dead, dead_status,
                                                dead_signal, activity, owner, runtime, workdir,
                                                command_hash, env_hash)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedPreviousSocket, name, recorded, server,
                                                server_pid, server_in_holder, sessions, unreadable)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AgentUsage, memory_bytes, cpu_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedUnit, name, load_state, active_state,
                                                enabled, sub_state, result)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedState, tmux_tmpdir, tmux_server,
                                                tmux_server_pid, tmux_server_outside_holder,
                                                sessions, previous_sockets, units, files,
                                                stale_unit_files, retired_unit_files, symlinks,
                                                env_files, heartbeat_ages, operator_stopped,
                                                observed_at, usage, preserved, missing_directories,
                                                missing_programs)

std::string HowItEnded(const ObservedSession& session) {
  if (session.dead_status >= 0) return fmt::format("exited with status {}", session.dead_status);
  if (session.dead_signal >= 0) {
    const char* abbrev = ::sigabbrev_np(session.dead_signal);
    return abbrev == nullptr
               ? fmt::format("was killed by signal {}", session.dead_signal)
               : fmt::format("was killed by signal {} ({})", session.dead_signal, abbrev);
  }
  return "ended (tmux has not reported how)";
}

nlohmann::json ToJson(const ObservedState& observed) { return observed; }

ObservedState ObservedFromJson(const nlohmann::json& j) { return j.get<ObservedState>(); }

namespace {

void AddSessions(Fingerprinter& f, const std::map<std::string, ObservedSession>& sessions) {
  f.Add(static_cast<int64_t>(sessions.size()));
  for (const auto& [name, s] : sessions)
    f.Add(name)
        .Add(s.pane_pid)
        .Add(s.dead)
        .Add(s.dead_status)
        .Add(s.dead_signal)
        .Add(s.owner)
        .Add(s.runtime)
        .Add(s.workdir)
        .Add(s.command_hash)
        .Add(s.env_hash);
}

}  // namespace

std::string ObservedFingerprint(const ObservedState& o) {
  // Every field but heartbeat ages, hashed directly (a JSON copy of every file costs more
  // than the whole plan at a few hundred agents).
  Fingerprinter f;
  f.Add(o.tmux_tmpdir).Add(o.tmux_server).Add(o.tmux_server_pid).Add(o.tmux_server_outside_holder);
  AddSessions(f, o.sessions);
  f.Add(static_cast<int64_t>(o.previous_sockets.size()));
  for (const ObservedPreviousSocket& p : o.previous_sockets) {
    f.Add(p.name).Add(p.recorded).Add(p.server).Add(p.server_pid).Add(p.server_in_holder);
    f.Add(p.unreadable);
    AddSessions(f, p.sessions);
  }
  f.Add(static_cast<int64_t>(o.units.size()));
  for (const auto& [name, u] : o.units)
    f.Add(name).Add(u.load_state).Add(u.active_state).Add(u.enabled).Add(u.sub_state).Add(u.result);
  f.Add(static_cast<int64_t>(o.files.size()));
  for (const auto& [path, content] : o.files) f.Add(path).Add(content);
  f.Add(static_cast<int64_t>(o.stale_unit_files.size()));
  for (const std::string& name : o.stale_unit_files) f.Add(name);
  f.Add(static_cast<int64_t>(o.retired_unit_files.size()));
  for (const std::string& name : o.retired_unit_files) f.Add(name);
  f.Add(static_cast<int64_t>(o.symlinks.size()));
  for (const std::string& path : o.symlinks) f.Add(path);
  f.Add(static_cast<int64_t>(o.env_files.size()));
  for (const std::string& name : o.env_files) f.Add(name);
  f.Add(static_cast<int64_t>(o.operator_stopped.size()));
  for (const std::string& name : o.operator_stopped) f.Add(name);
  f.Add(static_cast<int64_t>(o.preserved.size()));
  for (const std::string& path : o.preserved) f.Add(path);
  f.Add(static_cast<int64_t>(o.missing_directories.size()));
  for (const std::string& name : o.missing_directories) f.Add(name);
  f.Add(static_cast<int64_t>(o.missing_programs.size()));
  for (const auto& [name, program] : o.missing_programs) f.Add(name).Add(program);
  return f.Hex();
}

}  // namespace mosaic
