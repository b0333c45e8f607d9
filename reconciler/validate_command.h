// `mosaic-fleet validate [FILE…]`: checks rosters, for people, editors and CI.
// Needs no tmux and no systemd, so it runs in a bare CI container.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "file_system.h"
#include "fleet_paths.h"
#include "io.h"

namespace mosaic {

struct ValidateOptions {
  std::vector<std::string> files;  ///< empty: the default roster
  std::string format = "text";     ///< text | json | github
};

/// Exit 0 when every file is a valid roster, 1 otherwise.
/// `default_roster` is used when no file is named (and its error reported then).
int RunValidate(const ValidateOptions& options, const Result<std::string>& default_roster,
                FileSystem& fs, Io& io);

Command AddValidateCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
