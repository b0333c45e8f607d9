// mosaic-fleet entry point: the one place that builds the real System (every command reaches
// the OS through it). Invoked through a link named `mosaic`, it serves the operator commands
// of the previous tool verbatim: `mosaic fleet plan` is `mosaic-fleet plan`.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "exit_codes.h"
#include "real_system.h"

int main(int argc, char** argv) {
  std::string invoked = argc > 0 ? argv[0] : "mosaic-fleet";
  std::string base = invoked.substr(invoked.rfind('/') + 1);
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  std::string program = "mosaic-fleet";
  if (base == "mosaic") {
    if (args.empty() || args.front() != "fleet") {
      std::cerr << "usage: mosaic fleet <command> [options]   (see: mosaic fleet --help)\n"
                   "This 'mosaic' is mosaic-fleet; it provides only the 'fleet' commands.\n";
      return mosaic::kExitError;
    }
    args.erase(args.begin());
    program = "mosaic fleet";
  }
  bool no_color = std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0';
  mosaic::Io io{std::cout, std::cerr, !no_color && ::isatty(1) == 1, !no_color && ::isatty(2) == 1};
  mosaic::RealSystem system(mosaic::CaptureEnvironment());
  return mosaic::RunCli(program, args, system, io);
}
