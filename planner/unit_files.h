// UnitFiles: the systemd user units mosaic-fleet installs, rendered from plain values.
//
// mosaic-tmux-holder.service owns the tmux server on the fleet's socket: a oneshot whose
// start creates the holder session only if it is missing (the server forks into this unit's
// cgroup, and only here), and whose stop kills only that socket's server.
// mosaic-agent@.service starts one agent: it requires and is part of the holder, reads the
// agent's env file, and goes through `mosaic-fleet session start|stop %i`, which targets
// exactly `=%i` and never creates a tmux server.
#pragma once

#include <string>
#include <string_view>

namespace mosaic {

inline constexpr char kHolderUnit[] = "mosaic-tmux-holder.service";
inline constexpr char kAgentTemplateUnit[] = "mosaic-agent@.service";
/// The drift-correcting timer and the service it runs (the roster's `reconcile:` block).
inline constexpr char kReconcileService[] = "mosaic-fleet-reconcile.service";
inline constexpr char kReconcileTimer[] = "mosaic-fleet-reconcile.timer";
/// The first line of every unit file the tool writes: how its own files are recognised.
inline constexpr char kUnitFileHeader[] =
    "# Written by mosaic-fleet from the roster; `mosaic-fleet apply` replaces local edits.\n";

/// Whether this version of the tool writes (or wrote) a unit file named `name`: only these are
/// ever retired, so an older copy never removes the units a newer one added.
bool IsToolUnitFileName(std::string_view name);

/// The unit file that defines `unit`: an agent instance's is the template.
std::string UnitFileName(std::string_view unit);

/// "mosaic-agent@NAME.service"
std::string AgentUnitName(std::string_view agent);
/// The agent name of "mosaic-agent@NAME.service", or "" for any other unit.
std::string AgentOfUnit(std::string_view unit);

struct UnitFileInputs {
  std::string binary;  ///< absolute path of mosaic-fleet
  std::string socket;  ///< tmux -L name
  std::string holder_session;
  std::string mosaic_home;  ///< absolute; given to agents as MOSAIC_HOME
  std::string agents_dir;   ///< where agents' env files are (FleetPaths::agents_dir)
};

std::string RenderHolderUnit(const UnitFileInputs& in);
std::string RenderAgentTemplateUnit(const UnitFileInputs& in);

/// One word of a unit file command line or assignment: '%' doubled (specifiers), and quoted
/// when it holds whitespace, quotes or backslashes.
std::string SystemdWord(std::string_view word);

}  // namespace mosaic
