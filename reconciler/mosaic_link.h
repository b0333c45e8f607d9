// The `mosaic` link: mosaic-fleet invoked through a link (or copy) named `mosaic`.
//
// `mosaic fleet COMMAND …` is `mosaic-fleet COMMAND …`, and `mosaic agent VERB …` is
// `mosaic-fleet agent VERB …`: the previous tool's command surface. Every other call belongs
// to the real Mosaic CLI — agents start with `mosaic yolo RUNTIME` — so it is handed, with the
// same arguments and environment, to the next `mosaic` on PATH that is not this program: the
// link never shadows the real CLI, wherever it sits on PATH.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io.h"
#include "system.h"

namespace mosaic {

/// "PID:PROGRAM:PROGRAM…": the programs a chain of hand-offs (execs, one process id) passed.
inline constexpr char kHandedOffVariable[] = "MOSAIC_FLEET_HANDED_OFF";
/// How many hand-offs in a row led here, across processes; at kMaxHandOffs the link stops.
inline constexpr char kHandOffDepthVariable[] = "MOSAIC_FLEET_HANDOFF_DEPTH";
inline constexpr int kMaxHandOffs = 16;

struct MosaicOnPath {
  std::string path;       ///< as found on PATH: what is run
  std::string canonical;  ///< every symlink resolved: what is compared
};

/// The first executable `mosaic` on `path` (':'-separated; an empty entry is the current
/// directory) whose canonical path is not one of `skip`.
std::optional<MosaicOnPath> NextMosaicOnPath(const std::string& path,
                                             const std::vector<std::string>& skip,
                                             FileSystem& files,
                                             const std::string& working_directory);

/// Runs `mosaic ARGS` (argv[0] already dropped): ours, or handed off by exec (returning only
/// when that fails).
int RunMosaicLink(std::vector<std::string> args, System& system, Io& io);

}  // namespace mosaic
