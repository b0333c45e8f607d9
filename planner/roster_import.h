// RosterImport: roster entries for sessions that already run (`mosaic-fleet import`), and the
// roster text with them appended — pure, from what tmux said of each session.
//
// Adopting a session never happens here: the entries only name it. The next plan shows the
// agent; a session the tool did not create, on the fleet's own socket, is replaced only when
// `apply --replace NAME` says so (make_plan.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "roster.h"
#include "status.h"

namespace mosaic {

/// What tmux says of a running session (its active pane).
struct RunningSession {
  std::string name;
  std::string owner;            ///< @mosaic-owner ("" when the tool did not create it)
  std::string start_command;    ///< the command it was created with ("" for the default shell)
  std::string current_command;  ///< the program in the foreground now
  std::string directory;        ///< the pane's current directory
};

/// The roster entries for `sessions` that the roster does not name, as YAML list items indented
/// by `indent` spaces, each with a comment saying where it came from. A session that cannot be
/// an agent as it is (a name the roster rejects, an unknown runtime, one the tool made and
/// still removes) gets a comment saying why instead, or a commented-out entry to finish by
/// hand. Values that YAML would read as something else than a string are quoted.
struct ImportedEntries {
  std::string yaml;
  int entries = 0;  ///< complete entries in `yaml`
  int skipped = 0;  ///< sessions left as comments
};
/// `stopped` adds `state: stopped` to each entry: for sessions on the fleet's own socket, whose
/// names an entry would otherwise turn into a plan error (no run, the timer's included, could
/// apply anything) until each is adopted.
ImportedEntries ImportEntries(const Roster& roster, const std::vector<RunningSession>& sessions,
                              std::string_view socket, std::string_view home, int indent,
                              bool stopped = false);

/// How the roster's `agents:` list is indented ("  - " → 2), or -1 when `agents:` is not the
/// roster's last top-level key as a block list (then entries cannot be appended to its end).
int AgentsListIndent(std::string_view roster_text);

/// `value` as a YAML scalar that reads back as this string: plain when it is plainly a
/// string, else double-quoted (true, null, 1e3, 2024-01-01, "a: b", …).
std::string YamlString(std::string_view value);

}  // namespace mosaic
