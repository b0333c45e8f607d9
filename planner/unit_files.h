// UnitFiles: the systemd user units mosaic-fleet installs, rendered from plain values.
//
// mosaic-tmux-holder.service owns the tmux server on the fleet's socket: its main process
// starts the server (which forks into this unit's cgroup, and only here) and lives as long as
// the server does, so a lost server fails the unit and systemd starts a new one.
// mosaic-agent@.service runs one agent: it requires and is part of the holder, reads the
// agent's env file, and its main process (`mosaic-fleet session run %i`) creates or adopts
// exactly `=%i` and waits for its program to end. A drop-in per agent changes its Restart=.
// mosaic-fleet-reconcile.service and .timer, when the roster has a `reconcile:` block, run
// `mosaic-fleet apply --yes --unattended` on an interval.
//
// Every file begins with kUnitFileHeader and a fingerprint of the rest: a file that no
// longer matches its own fingerprint was edited by hand.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

inline constexpr char kHolderUnit[] = "mosaic-tmux-holder.service";
inline constexpr char kAgentTemplateUnit[] = "mosaic-agent@.service";
/// The drift-correcting timer and the service it runs (the roster's `reconcile:` block).
inline constexpr char kReconcileService[] = "mosaic-fleet-reconcile.service";
inline constexpr char kReconcileTimer[] = "mosaic-fleet-reconcile.timer";
/// The first line of every unit file the tool writes: how its own files are recognised.
inline constexpr char kUnitFileHeader[] =
    "# Written by mosaic-fleet from the roster; `mosaic-fleet apply` replaces local edits.\n";

/// The scope a socket move puts the old socket's server in, out of the holder's cgroup, so that
/// the holder's restart does not end it (socket names are safe in a unit name).
inline std::string PreviousServerScope(std::string_view socket) {
  return "mosaic-tmux-previous-" + std::string(socket) + ".scope";
}

/// An agent's drop-in, relative to the unit directory: "mosaic-agent@NAME.service.d/…".
std::string AgentDropInName(std::string_view agent);
/// The agent of a drop-in name, or "" for any other name.
std::string AgentOfDropIn(std::string_view name);

/// Whether this version of the tool writes (or wrote) a unit file named `name` (a drop-in:
/// relative to the unit directory): only these are ever retired, so an older copy never
/// removes the units a newer one added.
bool IsToolUnitFileName(std::string_view name);

/// Whether `content`, which begins with kUnitFileHeader, was changed since the tool wrote it:
/// its fingerprint line no longer matches the rest. (Files of versions that wrote no
/// fingerprint line count as unedited.)
bool UnitFileEditedByHand(std::string_view content);

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
  std::string config_home;  ///< absolute; given to the reconcile service as XDG_CONFIG_HOME
  /// The host the apply acted as (--host, else the hostname): the reconcile service acts as
  /// the same one, or it would take this host's agents for another's, and destroy them.
  std::string this_host;
};

std::string RenderHolderUnit(const UnitFileInputs& in);
std::string RenderAgentTemplateUnit(const UnitFileInputs& in);
/// An agent's Restart= policy ("always", "never"; the template's is "on-failure").
std::string RenderAgentRestartDropIn(std::string_view restart);
/// The service drift correction runs: `apply --yes --unattended --roster ROSTER`.
std::string RenderReconcileService(const UnitFileInputs& in, const std::string& roster);
/// The timer that starts it `interval` (a systemd time span) after each run ends.
std::string RenderReconcileTimer(std::string_view interval);

/// One word of a unit file command line or assignment: '%' doubled (specifiers), and quoted
/// when it holds whitespace, quotes or backslashes.
std::string SystemdWord(std::string_view word);

/// The words of a unit file's ExecStart= line, unquoted as SystemdWord quoted them; empty
/// when the text has none.
std::vector<std::string> ExecStartWords(std::string_view unit_text);

/// The program a unit file's ExecStart= runs (the first word, as SystemdWord wrote it), or
/// nullopt when the text has no ExecStart= line.
std::optional<std::string> ExecStartProgram(std::string_view unit_text);

/// The socket a holder unit file's ExecStart serves (its `--socket` word), if it names one.
std::optional<std::string> HolderSocketOf(std::string_view holder_unit_text);

}  // namespace mosaic
