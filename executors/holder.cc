#include "holder.h"

#include <fmt/format.h>

#include "fleet_contract.h"
#include "name_rules.h"
#include "tmux.h"

namespace mosaic {

Status StartHolder(System& system, const HolderOptions& options, std::ostream& err) {
  if (Status s = CheckSessionName("holder session", options.session); !s.ok()) return s;
  Result<Tmux> tmux = Tmux::ForSocket(options.socket, system.processes(), {"", options.timeout});
  if (!tmux.ok()) return tmux.status();
  Result<TmuxSessions> sessions = tmux.value().ListSessions();
  if (!sessions.ok()) return sessions.status();
  if (sessions.value().sessions.contains(options.session)) return Status::Ok();  // idempotent
  if (sessions.value().server_running)
    err << fmt::format(
        "warning: a tmux server already runs on {} without the holder session; it was not "
        "started by the holder and dies with whatever started it\n",
        tmux.value().Describe());
  // remain-on-exit (server-wide, this socket only): an agent whose program exits stays
  // visible as a dead pane, so plan can report and restart it. A server reads ~/.tmux.conf:
  // whatever that sets globally under the tool's option names would be inherited by every
  // session and make a foreign one look like the tool's.
  std::vector<TmuxCommand> start = {
      {"new-session", "-d", "-s", options.session, "--", "sleep", "infinity"},
      {"set-option", "-g", "remain-on-exit", "on"}};
  for (std::string_view option :
       {kOptionOwner, kOptionRuntime, kOptionWorkdir, kOptionCommand, kOptionEnv})
    start.push_back({"set-option", "-gu", std::string(option)});
  start.push_back(
      {"set-option", "-t", "=" + options.session + ":", std::string(kOptionOwner), kOwnerHolder});
  Result<ProcessResult> r = tmux.value().StartServerWithHolder(start);
  if (!r.ok()) return r.status();
  if (r.value().exit_code != 0)
    return Status::Error(
        fmt::format("{} new-session failed: {}", tmux.value().Describe(), r.value().err));
  return Status::Ok();
}

Status StopHolder(System& system, const HolderOptions& options) {
  Result<Tmux> tmux = Tmux::ForSocket(options.socket, system.processes(), {"", options.timeout});
  if (!tmux.ok()) return tmux.status();
  return tmux.value().KillServer();
}

}  // namespace mosaic
