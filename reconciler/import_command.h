// `mosaic-fleet import [--socket NAME] [SESSION…] [--write]`: roster entries for sessions that
// already run on a socket and that the roster does not name, so that an operator can adopt
// them; `--write` appends them to the roster, keeping every line of it.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"

namespace mosaic {

struct ImportOptions {
  FleetOptions fleet;
  std::string socket;                 ///< "": the roster's
  bool socket_given = false;          ///< --socket was given (an empty one is an error)
  std::vector<std::string> sessions;  ///< only these; all the roster does not name when empty
  bool write = false;
};

int RunImport(const ImportOptions& options, System& system, Io& io);

Command AddImportCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
