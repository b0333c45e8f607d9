// The commands the units run (not for everyday use, but safe to run by hand):
//   session start NAME [--replace]   ExecStart of mosaic-agent@NAME: create the agent's session
//   session stop NAME                ExecStop: kill exactly =NAME
//   session exec --env-file FILE     inside the new pane: load the env file, cd, exec the command
//   holder start --socket S --session H   ExecStart of the holder: the only tmux server start
//   holder stop --socket S                ExecStop: kill that socket's server, nothing else
#pragma once

#include <string>

#include "fleet_paths.h"
#include "io.h"

namespace mosaic {

struct SessionOptions {
  std::string name;
  bool replace = false;
  std::string env_file;  ///< for exec
};

int RunSessionStart(const SessionOptions& options, const Environment& env, Io& io);
int RunSessionStop(const SessionOptions& options, const Environment& env, Io& io);
/// Replaces this process with the agent's command; returns only on failure.
int RunSessionExec(const SessionOptions& options, Io& io);

struct HolderOptions {
  std::string socket;
  std::string session = "_holder";
};

int RunHolderStart(const HolderOptions& options, const Environment& env, Io& io);
int RunHolderStop(const HolderOptions& options, const Environment& env, Io& io);

}  // namespace mosaic
