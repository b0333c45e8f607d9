#include "mosaic_link.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "cli.h"
#include "exit_codes.h"

namespace mosaic {
namespace {

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

}  // namespace

std::optional<MosaicOnPath> NextMosaicOnPath(const std::string& path,
                                             const std::vector<std::string>& skip,
                                             FileSystem& files,
                                             const std::string& working_directory) {
  for (std::string dir : Split(path, ':')) {
    if (dir.empty()) dir = working_directory;  // POSIX: an empty entry is "."
    std::string candidate = dir + "/mosaic";
    if (!files.IsExecutable(candidate)) continue;
    std::optional<std::string> canonical = files.CanonicalPath(candidate);
    if (!canonical) continue;
    if (std::find(skip.begin(), skip.end(), *canonical) != skip.end()) continue;
    return MosaicOnPath{candidate, *canonical};
  }
  return std::nullopt;
}

int RunMosaicLink(std::vector<std::string> args, System& system, Io& io) {
  if (!args.empty() && args.front() == "fleet") {
    args.erase(args.begin());
    return RunCli("mosaic fleet", args, system, io);
  }
  if (!args.empty() && args.front() == "agent") return RunCli("mosaic", args, system, io);

  const Environment& env = system.environment();
  std::string self = system.SelfExecutable();
  if (std::optional<std::string> canonical = system.files().CanonicalPath(self)) self = *canonical;
  // What this chain of execs already passed over: the record counts only in the process that
  // made it (exec keeps the process id). A later `mosaic` run by the real CLI's children is a
  // new call, and may reach the real CLI again.
  std::vector<std::string> record = Split(env.handed_off, ':');
  std::vector<std::string> skip;
  if (!record.empty() && record.front() == std::to_string(system.ProcessId()))
    skip.assign(record.begin() + 1, record.end());
  skip.push_back(self);
  // A wrapper that runs `mosaic` in a new process each time escapes that record; depth stops it.
  int depth = 0;
  std::from_chars(env.handoff_depth.data(), env.handoff_depth.data() + env.handoff_depth.size(),
                  depth);
  if (depth >= kMaxHandOffs) {
    io.err << fmt::format(
        "error: 'mosaic' was handed on {} times in a row: something between this link and the "
        "Mosaic CLI runs `mosaic` again (a wrapper or a second copy of mosaic-fleet on PATH)\n",
        depth);
    return kExitError;
  }
  std::optional<MosaicOnPath> next =
      NextMosaicOnPath(env.path, skip, system.files(), env.working_directory);
  if (!next) {
    io.err << fmt::format(
        "error: 'mosaic{}{}' is not a mosaic-fleet command, and there is no other 'mosaic' on "
        "PATH to run it.\n"
        "This 'mosaic' is mosaic-fleet ({}): it runs 'mosaic fleet COMMAND' and 'mosaic agent "
        "VERB'\n(see: mosaic fleet --help). Every other call goes to the Mosaic CLI, which is "
        "not installed\nor not on PATH (docs/operations.md, \"The mosaic link\").\n",
        args.empty() ? "" : " ", args.empty() ? "" : args.front(), self);
    return kExitNotFound;  // what an agent's unit shows when the Mosaic CLI is not installed
  }
  // Run as found on PATH (a shim may tell programs apart by the name it was called by).
  std::vector<std::string> argv = {next->path};
  argv.insert(argv.end(), args.begin(), args.end());
  // This program and the one it hands to are recorded: a wrapper that execs `mosaic` again
  // (a version manager's shim) reaches the next one along PATH, never this loop again.
  skip.push_back(next->canonical);
  std::string handed_off = fmt::format("{}:{}", system.ProcessId(), fmt::join(skip, ":"));
  ExecFailure failed = system.Exec(
      argv, "",
      {{kHandedOffVariable, handed_off}, {kHandOffDepthVariable, std::to_string(depth + 1)}}, {});
  io.err << "error: " << failed.message << "\n";
  return failed.exit_status;
}

}  // namespace mosaic
