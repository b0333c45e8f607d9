// Cli: the mosaic-fleet command line, `mosaic-fleet <command>` or `mosaic fleet <command>`.
#pragma once

#include <string>
#include <vector>

#include "io.h"
#include "system.h"

namespace mosaic {

/// Runs one command. `program` is how the user invoked us ("mosaic-fleet" or "mosaic fleet"),
/// `args` excludes it. Every command reaches the OS only through `system`. Returns the
/// process exit code (exit_codes.h).
int RunCli(const std::string& program, const std::vector<std::string>& args, System& system,
           Io& io);

}  // namespace mosaic
