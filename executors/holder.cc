#include "holder.h"

#include <fmt/format.h>

#include "busy_server_patience.h"
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

int SuperviseHolder(System& system, const HolderOptions& options, std::ostream& out,
                    std::ostream& err) {
  if (Status started = StartHolder(system, options, err); !started.ok())
    return err << "error: " << started.message() << "\n", 1;
  Result<Tmux> tmux = Tmux::ForSocket(options.socket, system.processes(), {"", options.timeout});
  if (!tmux.ok()) return err << "error: " << tmux.status().message() << "\n", 1;
  // Waking on the keep-alive session's channel also catches its closing (the server-wide
  // session-closed hook); the server's own end ends every wait.
  if (Status watched = tmux.value().WatchSession(options.session); !watched.ok())
    return err << "error: " << watched.message() << "\n", 1;
  system.NotifyReady();
  BusyServerPatience patience;
  while (true) {
    Result<TmuxSessions> sessions = tmux.value().ListSession(options.session);
    if (!sessions.ok()) {
      if (patience.LookAgain(system, sessions.status(), err)) continue;
      return 1;
    }
    patience.Answered();
    if (!sessions.value().server_running) {
      out << fmt::format(
          "the fleet's tmux server ({}) is gone; exiting so that systemd starts "
          "a new one\n",
          tmux.value().Describe());
      return 1;
    }
    if (!sessions.value().sessions.contains(options.session)) {
      // Killed on its own: recreate it in the running server, which stops nobody's session.
      out << fmt::format("the keep-alive session {} was killed; recreating it\n", options.session);
      if (Status s = tmux.value().NewSession(options.session, {"sleep", "infinity"},
                                             {kOwnerHolder, "", "", "", ""});
          !s.ok())
        err << "warning: " << s.message() << "\n";
      (void)tmux.value().WatchSession(options.session);
    }
    if (Result<bool> woke = tmux.value().WaitFor(WatchChannel(options.session), kSupervisorRecheck);
        !woke.ok()) {
      err << "warning: " << woke.status().message() << "; looking again\n";
      system.Sleep(std::chrono::seconds(1));
    }
  }
}

Status StopHolder(System& system, const HolderOptions& options) {
  Result<Tmux> tmux = Tmux::ForSocket(options.socket, system.processes(), {"", options.timeout});
  if (!tmux.ok()) return tmux.status();
  return tmux.value().KillServer();
}

}  // namespace mosaic
