// mosaic-fleet entry point: the one place that builds the real System (every command reaches
// the OS through it). Invoked through a link named `mosaic`, it serves the operator commands
// of the previous tool verbatim (`mosaic fleet plan` is `mosaic-fleet plan`) and hands every
// other call to the real Mosaic CLI (mosaic_link.h).
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "exit_codes.h"
#include "mosaic_link.h"
#include "real_system.h"
#include "utf8.h"

int main(int argc, char** argv) {
  std::string invoked = argc > 0 ? argv[0] : "mosaic-fleet";
  std::string base = invoked.substr(invoked.rfind('/') + 1);
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  bool no_color = std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0';
  mosaic::Io io{std::cout, std::cerr, !no_color && ::isatty(1) == 1, !no_color && ::isatty(2) == 1,
                &std::cin};
  // Errors are values everywhere; an exception that gets here is a bug. It is said so, on one
  // line and as printable text (a library's message can quote a file's bytes), with exit 1,
  // rather than by std::terminate's abort and core dump.
  auto internal_error = [](std::string_view what) {
    std::cout.flush();
    std::cerr << "error: internal error (a bug in mosaic-fleet; please report it): "
              << mosaic::PrintableText(what) << "\n";
    return mosaic::kExitError;
  };
  int code = mosaic::kExitError;
  try {
    mosaic::RealSystem system(mosaic::CaptureEnvironment());
    code = base == "mosaic" ? mosaic::RunMosaicLink(args, system, io)
                            : mosaic::RunCli("mosaic-fleet", args, system, io);
  } catch (const std::exception& e) {
    return internal_error(e.what());
  } catch (...) {
    return internal_error("an exception that is not a std::exception");
  }
  // Output that never arrived (a full disk, a closed pipe) is a failure, not a success: a
  // build writing `completion bash > FILE` must not install half a script.
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "error: could not write the output\n";
    return code == 0 ? 1 : code;
  }
  return code;
}
