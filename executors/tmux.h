// Tmux: every tmux command mosaic-fleet runs goes through this class, which
//  - always names the fleet's socket — `-S PATH` when the path is known (resolved the way the
//    units resolve it, from the user manager's environment), else `-L NAME` — and refuses an
//    empty socket name or "default", so the user's default tmux server can never be reached;
//  - always passes `-N` (never start a server), except in StartServerWithHolder: only the
//    holder unit may start the fleet's server, and tmux itself enforces it;
//  - removes TMUX from the child's environment, so being run inside tmux changes nothing;
//  - takes session *names*, refuses unsafe ones, and builds exact targets (`=NAME`) itself:
//    `agent` never matches `agent0`;
//  - passes every argument literally: commands are joined with `;` by this class alone, and
//    an argument ending in `;` (which tmux would read as a separator) is escaped;
//  - never passes a roster value where tmux expands formats (`-s` and `-c` are expanded, so
//    `#(cmd)` there would run a command): names are checked, and no start directory is given
//    (`session exec` changes directory itself);
//  - bounds every call: a tmux server that does not answer (stopped, wedged) is an error
//    naming it, after `timeout`, never a hang.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "observed_state.h"
#include "process_runner.h"
#include "roster_import.h"
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

/// What Tmux::CreateSession did.
struct CreatedSession {
  enum class Outcome { kCreated, kNameTaken, kNoServer } outcome = Outcome::kCreated;
  int64_t pane_pid = 0;  ///< kCreated: the pane's program (tmux's child)
};

/// One tmux command and its arguments, each meant literally.
using TmuxCommand = std::vector<std::string>;

/// How long a tmux call may take unless told otherwise.
inline constexpr std::chrono::milliseconds kDefaultTmuxTimeout{10'000};

struct TmuxOptions {
  std::string socket_path;  ///< the socket's path (`-S`); empty: `-L NAME` in our environment
  std::chrono::milliseconds timeout = kDefaultTmuxTimeout;
};

class Tmux {
 public:
  /// REQUIRES: `runner` outlives this. Fails for an empty or "default" socket name, or one
  /// that is not a safe name.
  static Result<Tmux> ForSocket(const std::string& socket, ProcessRunner& runner,
                                TmuxOptions options = {});

  const std::string& socket() const { return socket_; }
  /// The same, for socket `socket` in the same directory (a socket the fleet moved away from).
  Result<Tmux> Sibling(const std::string& socket) const;
  /// "tmux -L NAME" or "tmux -S PATH", for messages.
  std::string Describe() const;

  /// The commands, in one tmux process (`a ; b`), never starting a server. A non-zero exit
  /// is not an error here; no answer within the timeout is.
  Result<ProcessResult> Run(const std::vector<TmuxCommand>& commands) const;
  /// Run, with `input` on tmux's stdin (what `load-buffer -` reads): text that never passes
  /// through a command line, a format or a key name.
  Result<ProcessResult> RunWithInput(const std::vector<TmuxCommand>& commands,
                                     std::string input) const;

  /// `commands` (an attach-session, and what follows it once attached) run on this process's
  /// terminal until the client ends, never starting a server; see
  /// ProcessRunner::RunInTerminal for signals.
  Result<TerminalResult> RunInTerminal(const std::vector<TmuxCommand>& commands) const;

  /// The exact target of session `name`'s current pane ("=NAME:"), after checking the name:
  /// `agent` never reaches `agent0`.
  static Result<std::string> PaneTarget(const std::string& name);

  /// The one call allowed to start the server: the holder's own start (holder start, run by
  /// mosaic-tmux-holder.service so that the server lives in the holder's cgroup).
  Result<ProcessResult> StartServerWithHolder(const std::vector<TmuxCommand>& commands) const;

  /// Every session on the socket with its first pane and the tool's options: one process.
  /// A missing server is a normal answer (server_running = false), not an error.
  Result<TmuxSessions> ListSessions() const;
  /// Session `name` alone, as ListSessions would show it, read by one targeted command (its
  /// cost does not grow with the fleet): no such session leaves `sessions` empty.
  Result<TmuxSessions> ListSession(const std::string& name) const;

  /// What session `name`'s active pane runs, and where (for `import`): name and owner left
  /// to the caller.
  Result<RunningSession> DescribeSession(const std::string& name) const;

  /// Creates detached session `name` running `argv` (executed without a shell; at least two
  /// words, as tmux hands a single word to a shell) and records `record` on it, in one tmux
  /// process. Fails, starting nothing, when the server is not running.
  Status NewSession(const std::string& name, const std::vector<std::string>& argv,
                    const SessionRecord& record) const;
  /// NewSession, telling apart what needs no look first: the session made (with its pane's
  /// pid), the name already taken (tmux checks inside the server: no race with a listing), or
  /// no server. Anything else is an error.
  Result<CreatedSession> CreateSession(const std::string& name,
                                       const std::vector<std::string>& argv,
                                       const SessionRecord& record) const;

  /// Kills exactly `=name` if the tool created it (@mosaic-owner), checked and done in one
  /// step inside the tmux server, after the `agent watch` viewers grouped with it. A session
  /// that is already gone is success; one that someone else created is an error, and is left
  /// alone.
  Status KillOwnedSession(const std::string& name) const;
  /// Kills exactly `=name`, whoever created it: only for a session an operator asked to adopt
  /// (`apply --replace NAME` of a session the tool did not create). Gone is success.
  Status KillAdoptedSession(const std::string& name) const;
  /// Kills the `agent watch` viewers grouped with session `name` (@mosaic-owner checked inside
  /// the server); none, or no server, is success.
  Status KillViewersOf(const std::string& name) const;

  /// Kills this socket's server (and nothing else); no server is success.
  Status KillServer() const;
  /// Kills this socket's server only if every session on it is the tool's (an agent's, the
  /// holder's keep-alive, a viewer), checked and done in one step inside the server. Whether it
  /// is gone now (no server: true); false when a session someone else made keeps it.
  Result<bool> KillServerIfOnlyOurs() const;

  /// Makes the death of session `name` wake whoever waits on WatchChannel(name): its pane's
  /// death (a hook on the session) and the session's closing (a server-wide hook, set once).
  Status WatchSession(const std::string& name) const;
  /// Blocks until `channel` is signalled or the server goes away (then: true), or `bound`
  /// passes (then: false; zero: no bound). tmux keeps one signal that nobody waited for, but a
  /// second one clears it: a supervisor must look again now and then, not trust one wake.
  Result<bool> WaitFor(const std::string& channel, std::chrono::milliseconds bound) const;
  /// The last `lines` lines of session `name`'s pane, scrollback included, without the line
  /// tmux adds under a dead pane.
  Result<std::vector<std::string>> CapturePane(const std::string& name, int lines) const;

 private:
  Tmux(std::string socket, ProcessRunner& runner, TmuxOptions options)
      : socket_(std::move(socket)), runner_(&runner), options_(std::move(options)) {}
  Result<ProcessResult> Invoke(bool may_start_server, const std::vector<TmuxCommand>& commands,
                               std::optional<std::string> input = std::nullopt) const;
  ProcessRequest Request(bool may_start_server, const std::vector<TmuxCommand>& commands) const;
  std::string socket_;
  ProcessRunner* runner_;
  TmuxOptions options_;
};

/// Whether tmux's stderr says there is no server on the socket (not an error for us).
bool IsNoServerMessage(const std::string& err);

/// The wait-for channel that wakes agent `name`'s supervisor.
std::string WatchChannel(const std::string& name);
/// The longest a supervisor (an agent unit's, the holder's) waits on its channel before it
/// looks at its session again anyway: a lost wake costs at most this, and a fleet of 200 agents
/// in the steady state about seven short tmux processes a second (a wait and a listing each).
inline constexpr std::chrono::milliseconds kSupervisorRecheck{60'000};
/// How long a supervisor (holder or agent) goes on looking at a server that does not answer
/// before it gives up: a busy server (hundreds of sessions being made at once) answers within
/// it; a wedged one is then an error, so that systemd acts.
inline constexpr std::chrono::milliseconds kBusyServerPatience{5 * 60'000};

/// `arg` as tmux must receive it on its command line to read it literally: a final `;`
/// (which tmux takes as a command separator) is escaped as `\;`.
std::string TmuxLiteral(const std::string& arg);

}  // namespace mosaic
