#include "unit_binary.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "unit_files.h"

#ifndef MOSAIC_FLEET_VERSION
#define MOSAIC_FLEET_VERSION "unknown"
#endif

namespace mosaic {
namespace {

constexpr std::string_view kThisVersion = "mosaic-fleet " MOSAIC_FLEET_VERSION;
constexpr std::chrono::seconds kVersionTimeout{5};

// CMake leaves CMakeCache.txt at the top of a build tree; mosaic-fleet is built there or one
// directory down.
bool InBuildTree(const std::string& binary, FileSystem& files) {
  std::string dir = binary.substr(0, binary.rfind('/'));
  for (int level = 0; level < 2 && !dir.empty(); ++level) {
    if (files.Stat(dir + "/CMakeCache.txt")) return true;
    dir = dir.substr(0, dir.rfind('/'));
  }
  return false;
}

// A unit file's line ends at a newline: a path holding one would add directives of its own.
Status UnitFileSafe(const std::string& path, std::string_view source) {
  if (std::any_of(path.begin(), path.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    return Status::Error(fmt::format(
        "{} holds a control character, which a unit file cannot carry; move mosaic-fleet", source));
  return Status::Ok();
}

// What `path --version` says ("mosaic-fleet 0.1.0"); an error when it is not mosaic-fleet.
Result<std::string> VersionOf(const std::string& path, System& system) {
  Result<ProcessResult> run =
      system.processes().Run({{path, "--version"}, {}, kVersionTimeout, std::nullopt});
  if (!run.ok()) return run.status();
  const ProcessResult& r = run.value();
  std::string line = r.out.substr(0, r.out.find('\n'));
  if (r.timed_out || r.exit_code != 0 || !line.starts_with("mosaic-fleet "))
    return Status::Error(
        fmt::format("{} is not mosaic-fleet (`{} --version` said \"{}\")", path, path, line));
  return line;
}

Result<UnitBinary> Chosen(const std::string& path, std::string_view source, System& system,
                          std::ostream& warnings) {
  if (!path.starts_with("/"))
    return Status::Error(fmt::format("{} {}: the units need an absolute path", source, path));
  if (Status safe = UnitFileSafe(path, source); !safe.ok()) return safe;
  if (!system.files().IsExecutable(path))
    return Status::Error(fmt::format(
        "{} {}: not an executable file (install mosaic-fleet there first)", source, path));
  Result<std::string> version = VersionOf(path, system);
  if (!version.ok())
    return Status::Error(fmt::format("{}: {}", source, version.status().message()));
  if (version.value() != kThisVersion)
    warnings << fmt::format(
        "warning: {} is {}, and this is {}: the unit files are this version's; install the same "
        "version there\n",
        path, version.value(), kThisVersion);
  // Kept as given (not resolved): a link that an upgrade re-points is what units should name.
  return UnitBinary{path, InBuildTree(path, system.files()), ""};
}

}  // namespace

Result<UnitBinary> ChooseUnitBinary(const std::string& flag, const std::string& unit_dir,
                                    System& system, std::ostream& warnings) {
  if (!flag.empty()) return Chosen(flag, "--binary", system, warnings);
  if (const std::string& env = system.environment().fleet_binary; !env.empty())
    return Chosen(env, "MOSAIC_FLEET_BINARY", system, warnings);

  FileSystem& files = system.files();
  const std::string self = system.SelfExecutable();
  if (Status safe = UnitFileSafe(self, "this program's path"); !safe.ok()) return safe;
  const bool self_in_tree = InBuildTree(self, files);
  // What the units run now, if the tool wrote them and nobody edited them since.
  std::optional<std::string> current;
  Result<std::string> holder = files.ReadFile(unit_dir + "/" + kHolderUnit, size_t{64} * 1024);
  if (holder.ok() && !UnitFileEditedByHand(holder.value()))
    current = ExecStartProgram(holder.value());
  if (current && current->starts_with("/") && *current != self) {
    // This very program, through a link (/proc/self/exe names the target): keep the link.
    if (files.CanonicalPath(*current) == self) return UnitBinary{*current, self_in_tree, ""};
    // A build run by hand does not take over a fleet that runs an installed mosaic-fleet of
    // the same version (another version may not understand this one's unit files).
    if (self_in_tree && files.IsExecutable(*current) && !InBuildTree(*current, files)) {
      Result<std::string> version = VersionOf(*current, system);
      if (version.ok() && version.value() == kThisVersion) return UnitBinary{*current, false, self};
    }
  }
  return UnitBinary{self, self_in_tree, ""};
}

}  // namespace mosaic
