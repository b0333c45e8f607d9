#include "mosaic_link.h"

#include <fmt/format.h>

#include <algorithm>
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

std::optional<std::string> NextMosaicOnPath(const std::string& path,
                                            const std::vector<std::string>& skip, FileSystem& files,
                                            const std::string& working_directory) {
  for (std::string dir : Split(path, ':')) {
    if (dir.empty()) dir = working_directory;  // POSIX: an empty entry is "."
    std::string candidate = dir + "/mosaic";
    if (!files.IsExecutable(candidate)) continue;
    std::optional<std::string> canonical = files.CanonicalPath(candidate);
    if (!canonical) continue;
    if (std::find(skip.begin(), skip.end(), *canonical) != skip.end()) continue;
    return canonical;
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
  std::vector<std::string> skip = Split(env.handed_off, ':');
  skip.push_back(self);
  std::optional<std::string> next =
      NextMosaicOnPath(env.path, skip, system.files(), env.working_directory);
  if (!next) {
    io.err << fmt::format(
        "error: 'mosaic{}{}' is not a mosaic-fleet command, and there is no other 'mosaic' on "
        "PATH to run it.\n"
        "This 'mosaic' is mosaic-fleet ({}): it runs 'mosaic fleet COMMAND' and 'mosaic agent "
        "VERB'\n(see: mosaic fleet --help). Every other call goes to the Mosaic CLI, which is "
        "not installed\nor not on PATH (docs/operations.md, \"The mosaic link\").\n",
        args.empty() ? "" : " ", args.empty() ? "" : args.front(), self);
    return kExitError;
  }
  std::vector<std::string> argv = {*next};
  argv.insert(argv.end(), args.begin(), args.end());
  // Both this program and the one it hands to are recorded: a wrapper that execs `mosaic`
  // again (a version manager's shim) reaches the next one along PATH, never this loop again.
  std::string handed_off =
      fmt::format("{}{}{}:{}", env.handed_off, env.handed_off.empty() ? "" : ":", self, *next);
  Status exec = system.Exec(argv, "", {{kHandedOffVariable, handed_off}}, {});
  io.err << "error: " << exec.message() << "\n";
  return kExitError;
}

}  // namespace mosaic
