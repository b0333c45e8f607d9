// Which mosaic-fleet the unit files run. It must outlive them: a build tree's binary breaks
// every agent once the tree is rebuilt or removed, and the path /proc/self/exe gives is the
// resolved one, not the stable link (/usr/local/bin/mosaic-fleet) an upgrade re-points.
#pragma once

#include <ostream>
#include <string>

#include "status.h"
#include "system.h"

namespace mosaic {

struct UnitBinary {
  std::string path;
  bool in_build_tree = false;  ///< CMakeCache.txt beside it or one level up
  /// When the units keep running an installed binary although this program is a build
  /// tree's: this program's path (the plan says so); empty otherwise.
  std::string kept_over;
};

/// `flag` (--binary) if given, else $MOSAIC_FLEET_BINARY; either must be an absolute path
/// without control characters to an executable that says it is mosaic-fleet. Else the
/// program the units already run, when it is this one reached through a link, or when this
/// one lies in a build tree and that one is an installed mosaic-fleet of the same version
/// whose holder unit nobody edited. Else this program. Warnings (another version) go to
/// `warnings`.
Result<UnitBinary> ChooseUnitBinary(const std::string& flag, const std::string& unit_dir,
                                    System& system, std::ostream& warnings);

}  // namespace mosaic
