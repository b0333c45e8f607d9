// Tmux: every tmux command mosaic-fleet runs goes through Tmux::Run, which
//  - always passes `-L SOCKET` and refuses an empty socket name or "default", so the user's
//    default tmux server can never be reached;
//  - always passes `-N` (never start a server), except in StartServerWithHolder: only the
//    holder unit may start the fleet's server, and tmux itself enforces it;
//  - removes TMUX from the child's environment, so being run inside tmux changes nothing;
//  - takes session *names*, refuses unsafe ones, and builds exact targets (`=NAME`) itself:
//    `agent` never matches `agent0`;
//  - never passes a roster value where tmux expands formats (`-s` and `-c` are expanded, so
//    `#(cmd)` there would run a command): names are checked, and no start directory is given
//    (`session exec` changes directory itself).
// Several tmux commands are sent as one process where tmux allows (`a ; b`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "observed_state.h"
#include "process_runner.h"
#include "status.h"

namespace mosaic {

/// Options recorded on each session the tool creates; ObservedSession mirrors them.
struct SessionRecord {
  std::string owner;  ///< kOwnerAgent or kOwnerHolder
  std::string runtime;
  std::string workdir;
  std::string command_hash;
  std::string env_hash;
};

struct TmuxSessions {
  bool server_running = false;
  int64_t server_pid = 0;
  std::map<std::string, ObservedSession> sessions;
};

class Tmux {
 public:
  /// REQUIRES: `runner` outlives this. Fails for an empty or "default" socket name, or one
  /// that is not a safe name.
  static Result<Tmux> ForSocket(const std::string& socket, ProcessRunner& runner);

  const std::string& socket() const { return socket_; }

  /// `tmux -L SOCKET -N args…` with TMUX unset: never starts a server. A non-zero exit is
  /// not an error here.
  Result<ProcessResult> Run(const std::vector<std::string>& args) const;

  /// The one tmux command allowed to start the server: the holder's own start (holder start,
  /// run by mosaic-tmux-holder.service so that the server lives in the holder's cgroup).
  Result<ProcessResult> StartServerWithHolder(const std::vector<std::string>& args) const;

  /// Every session on the socket with its first pane and the tool's options: one process.
  /// A missing server is a normal answer (server_running = false), not an error.
  Result<TmuxSessions> ListSessions() const;

  /// Whether the server runs and has a session named exactly `name`.
  Result<bool> HasSession(const std::string& name) const;

  /// Creates detached session `name` running `argv` (executed without a shell) and records
  /// `record` on it, in one tmux process. Fails, starting nothing, when the server is not
  /// running.
  Status NewSession(const std::string& name, const std::vector<std::string>& argv,
                    const SessionRecord& record) const;

  /// Kills exactly `=name`; a session that is already gone is success.
  Status KillSession(const std::string& name) const;

  /// Kills this socket's server (and nothing else); no server is success.
  Status KillServer() const;

 private:
  Tmux(std::string socket, ProcessRunner& runner) : socket_(std::move(socket)), runner_(&runner) {}
  Result<ProcessResult> Invoke(bool may_start_server, const std::vector<std::string>& args) const;
  std::string socket_;
  ProcessRunner* runner_;
};

/// Whether tmux's stderr says there is no server on the socket (not an error for us).
bool IsNoServerMessage(const std::string& err);

}  // namespace mosaic
