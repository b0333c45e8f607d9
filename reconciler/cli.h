// Cli: the mosaic-fleet command line, `mosaic-fleet <command>` or `mosaic fleet <command>`.
#pragma once

#include <string>
#include <vector>

#include "fleet_paths.h"
#include "io.h"

namespace mosaic {

/// Runs one command. `program` is how the user invoked us ("mosaic-fleet" or "mosaic fleet"),
/// `args` excludes it. Returns the process exit code (exit_codes.h).
int RunCli(const std::string& program, const std::vector<std::string>& args, const Environment& env,
           Io& io);

/// The environment of this process (HOME, XDG_*, MOSAIC_HOME, hostname).
Environment CaptureEnvironment();

}  // namespace mosaic
