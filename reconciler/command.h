// Command: how each subcommand plugs into the CLI. Every command file has one Add…Command
// function that declares its options on the parent CLI11 app and returns what runs it; the
// CLI parses, then runs the one that was chosen. Commands reach the OS only through
// `system`, and write only to `io`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "io.h"
#include "system.h"

namespace CLI {
class App;
}

namespace mosaic {

struct CommandContext {
  System& system;
  Io& io;
  std::string program;      ///< as the user typed it: "mosaic-fleet" or "mosaic fleet"
  std::string roster_help;  ///< the default roster path, for help texts
};

struct Command {
  CLI::App* app = nullptr;   ///< parsed() says whether it was chosen
  std::function<int()> run;  ///< its exit code (exit_codes.h)
};

struct FleetOptions;

/// The help group of the previous tool's verbs, which only say what replaced them.
inline constexpr char kReplacedVerbsGroup[] = "Previous tool's verbs";

/// A repeatable option that takes one agent NAME each time (`--target a --target b`): one
/// name per flag, so `--target a plan.json` leaves the file to the command.
void AddNameOption(CLI::App& command, const std::string& flag, std::vector<std::string>& names,
                   const std::string& help);

/// --roster, --host and --timeout, as every fleet command has them.
void AddFleetOptions(CLI::App& command, FleetOptions& options, const CommandContext& ctx);

/// --binary, for the commands that write or compare unit files (plan, apply, status, verify,
/// start, stop, restart).
void AddBinaryOption(CLI::App& command, FleetOptions& options);

}  // namespace mosaic
