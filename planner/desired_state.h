// DesiredState: everything the roster asks of this machine, computed without looking at it.
//
// MakeDesiredState is pure: the roster, the fleet's paths and a few facts (this host's name,
// the binary's path) in; unit file contents, each agent's owned env keys and launch
// command out. Agents whose host is another machine are listed apart and never touched.
#pragma once

#include <optional>
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
  std::string workdir;        ///< "~" expanded
  std::string command;        ///< the runtime's launch command line (shell syntax)
  std::string reset_command;  ///< its runtime's `reset_command`; empty: reset restarts it
  /// The keys the tool owns in the agent's env file, in kOwnedEnvKeys order.
  OwnedEnv owned_env;
};

/// A unit file the tool writes, and what the fleet needs of the unit(s) it defines.
struct ManagedUnitFile {
  std::string name;       ///< "mosaic-tmux-holder.service", "mosaic-agent@.service", …
  std::string path;       ///< in the user unit directory
  std::string content;    ///< begins with kUnitFileHeader
  std::string wanted_by;  ///< the target in its [Install]: its .wants/ enables the unit
  bool run = false;       ///< the unit must be enabled and active (not so for a template,
                          ///< whose instances are the agents)
  friend bool operator==(const ManagedUnitFile&, const ManagedUnitFile&) = default;
};

struct DesiredState {
  FleetPaths paths;
  std::string roster_path;  ///< where the roster was read (diagnostics about agents name it)
  std::optional<ReconcileSettings> reconcile;
  std::string socket;
  std::string tenant_id;  ///< tags what status reports
  std::string holder_session;
  /// Every unit file the tool writes, the holder's first. A unit file the tool wrote earlier
  /// and that is not here any more is removed.
  std::vector<ManagedUnitFile> unit_files;
  std::vector<DesiredAgent> agents;   ///< managed on this host, in roster order
  std::vector<AgentSpec> elsewhere;   ///< on other hosts: reported, never touched
  std::string binary;                 ///< the mosaic-fleet the unit files run
  bool binary_in_build_tree = false;  ///< see DesiredOptions
  std::string binary_kept_over;       ///< see DesiredOptions

  /// The unit file named `name`, or nullptr when the fleet has none by that name.
  const ManagedUnitFile* UnitFile(std::string_view name) const;
};

struct DesiredOptions {
  std::string this_host;    ///< compared with agents' `host`
  std::string binary;       ///< absolute path of mosaic-fleet, written into the unit files
  std::string roster_path;  ///< absolute: the reconcile service applies this roster
  /// `binary` lies in a build tree: units that run it break when the tree is rebuilt or
  /// removed, so a plan that writes them says so.
  bool binary_in_build_tree = false;
  /// The units keep running `binary`, an installed mosaic-fleet, although the program that
  /// made this plan is this build tree's (a plan says so); empty otherwise.
  std::string binary_kept_over;
};

DesiredState MakeDesiredState(const Roster& roster, const FleetPaths& paths,
                              const DesiredOptions& options);

/// The launch command of `agent`: its runtime's `command` as written, else
/// `mosaic yolo RUNTIME`, plus `--model HINT` when a model hint is set (docs/roster.md).
/// Roster values are shell-quoted.
std::string LaunchCommand(const Roster& roster, const AgentSpec& agent);

/// `word` quoted for a POSIX shell: unchanged when plainly safe, else in single quotes.
std::string ShellQuote(std::string_view word);

/// A host as IsThisHost compares it: the part before the first dot, lowercase.
std::string HostName(std::string_view host);

/// Whether an agent's `host` names this machine: empty, "localhost", or equal to `this_host`
/// ignoring case and the domain part of either.
bool IsThisHost(std::string_view host, std::string_view this_host);

}  // namespace mosaic
