// DesiredState: everything the roster asks of this machine, computed without looking at it.
//
// MakeDesiredState is pure: the roster, the fleet's paths and a few facts (this host's name,
// the binary's path) in; unit file contents, each agent's owned env keys and launch
// command out. Agents whose host is another machine are listed apart and never touched.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "env_merge.h"
#include "fleet_paths.h"
#include "roster.h"

namespace mosaic {

struct DesiredAgent {
  AgentSpec spec;
  std::string unit;  ///< mosaic-agent@NAME.service
  std::string env_path;
  std::string workdir;  ///< "~" expanded
  std::string command;  ///< the runtime's launch command line (shell syntax)
  /// The keys the tool owns in the agent's env file, in kOwnedEnvKeys order.
  OwnedEnv owned_env;
};

struct DesiredState {
  FleetPaths paths;
  std::string socket;
  std::string holder_session;
  std::string holder_unit_path;
  std::string holder_unit_content;
  std::string agent_template_path;
  std::string agent_template_content;
  std::vector<DesiredAgent> agents;  ///< managed on this host, in roster order
  std::vector<AgentSpec> elsewhere;  ///< on other hosts: reported, never touched
};

struct DesiredOptions {
  std::string this_host;  ///< compared with agents' `host`
  std::string binary;     ///< absolute path of mosaic-fleet, written into the unit files
};

DesiredState MakeDesiredState(const Roster& roster, const FleetPaths& paths,
                              const DesiredOptions& options);

/// The launch command of `agent`: its runtime's `command` as written, else
/// `mosaic yolo RUNTIME`, plus `--model HINT` when a model hint is set (docs/roster.md).
/// Roster values are shell-quoted.
std::string LaunchCommand(const Roster& roster, const AgentSpec& agent);

/// `word` quoted for a POSIX shell: unchanged when plainly safe, else in single quotes.
std::string ShellQuote(std::string_view word);

/// Whether an agent's `host` names this machine: empty, "localhost", or equal to `this_host`
/// ignoring case and the domain part of either.
bool IsThisHost(std::string_view host, std::string_view this_host);

}  // namespace mosaic
