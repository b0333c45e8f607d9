// `mosaic-fleet init --profile NAME [--write [--force]]`: an example roster to start from.
#pragma once

#include <string>

#include "command.h"
#include "file_system.h"
#include "fleet_paths.h"
#include "io.h"

namespace mosaic {

struct InitOptions {
  std::string profile = "minimal";
  bool write = false;  ///< write to the roster path instead of printing
  bool force = false;  ///< with write: replace an existing roster
  std::string roster;  ///< where to write; empty: the default roster path
};

/// Prints the profile, or writes it atomically (mode 0600, directories 0700). Never replaces
/// an existing roster without --force, and with it keeps the old one beside it first
/// (ROSTER.bak-YYYYMMDD-HHMMSS, UTC at `now_seconds`): it is the operator's data.
/// `default_roster` is where --write writes unless --roster says otherwise.
int RunInit(const InitOptions& options, const Result<std::string>& default_roster, FileSystem& fs,
            int64_t now_seconds, Io& io);

Command AddInitCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
