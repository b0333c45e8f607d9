#include "init_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "exit_codes.h"
#include "profiles.h"
#include "validate_command.h"

namespace mosaic {

namespace {

// Keeps `target` as TARGET.bak-YYYYMMDD-HHMMSS (UTC; -2, -3, … when that is taken), byte for
// byte and written atomically, before --force replaces it. Returns the backup's path.
Result<std::string> BackUp(const std::string& target, FileSystem& fs, int64_t now_seconds) {
  Result<std::string> previous = fs.ReadFile(target, kMaxPlanFileBytes);
  if (!previous.ok()) return previous.status().Prefixed("not replacing it: ");
  std::string stamp =
      fmt::format("{:%Y%m%d-%H%M%S}", fmt::gmtime(static_cast<std::time_t>(now_seconds)));
  std::string backup = fmt::format("{}.bak-{}", target, stamp);
  for (int n = 2; fs.Stat(backup); ++n) backup = fmt::format("{}.bak-{}-{}", target, stamp, n);
  if (Status kept = fs.WriteFileAtomic(backup, previous.value(), 0600); !kept.ok())
    return kept.Prefixed("not replacing the roster: ");
  return backup;
}

}  // namespace

int RunInit(const InitOptions& options, const Result<std::string>& default_roster, FileSystem& fs,
            int64_t now_seconds, Io& io) {
  std::optional<std::string_view> text = ProfileText(options.profile);
  if (!text) {
    io.err << fmt::format("error: unknown profile '{}' (choose minimal or software-factory)\n",
                          options.profile);
    return kExitError;
  }
  if (!options.write) {
    io.out << *text;
    return kExitSuccess;
  }
  if (options.roster.empty() && !default_roster.ok()) {
    io.err << "error: " << default_roster.status().message() << " (or pass --roster FILE)\n";
    return kExitError;
  }
  const std::string target = options.roster.empty() ? default_roster.value() : options.roster;
  if (fs.Stat(target) && !options.force) {
    io.err << fmt::format(
        "error: {} already exists; not overwriting it (use --force to replace it)\n", target);
    return kExitError;
  }
  std::string backup;
  if (fs.Stat(target)) {
    Result<std::string> kept = BackUp(target, fs, now_seconds);
    if (!kept.ok()) {
      io.err << "error: " << kept.status().message() << "\n";
      return kExitError;
    }
    backup = kept.value();
  }
  std::string dir = target.substr(0, target.rfind('/'));
  Status status = dir.empty() || dir == target ? Status::Ok() : fs.MakeDirectories(dir, 0700);
  if (status.ok()) status = fs.WriteFileAtomic(target, std::string(*text), 0600);
  if (!status.ok()) {
    io.err << "error: " << status.message() << "\n";
    return kExitError;
  }
  if (!backup.empty()) io.out << fmt::format("kept the previous roster as {}\n", backup);
  io.out << fmt::format(
      "wrote the {} profile to {}\nnext: edit it, then `mosaic-fleet validate` and `mosaic-fleet "
      "plan`\n",
      options.profile, target);
  return kExitSuccess;
}

Command AddInitCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand("init", "Print an example roster, or write it with --write.");
  cmd->add_option("--profile", options->profile, "Example to start from")
      ->check(CLI::IsMember(ProfileNames()))
      ->capture_default_str();
  cmd->add_flag("--write", options->write, "Write it to the roster path instead of printing it");
  cmd->add_flag("--force", options->force,
                "With --write: replace an existing roster (kept as ROSTER.bak-TIMESTAMP)");
  cmd->footer(
      "\nProfiles: minimal (one reusable agent), software-factory (ten: an orchestrator,\n"
      "implementers, reviewers, a security and a final reviewer). Without --write the roster\n"
      "is printed; with it, written where plan and apply look (never over an existing one\n"
      "without --force, which keeps the old one as ROSTER.bak-TIMESTAMP).\n"
      "\nExit status: 0 printed or written; 1 a roster exists (without --force) or cannot be\n"
      "written.\n"
      "\nExamples:\n"
      "  mosaic-fleet init --profile minimal --write\n"
      "  mosaic-fleet init --profile software-factory > roster.yaml\n");
  cmd->add_option("--roster", options->roster,
                  "Where --write puts it (default: " + ctx.roster_help + ")")
      ->type_name("FILE");
  return {cmd, [options, &ctx] {
            return RunInit(*options, DefaultRoster(ctx.system.environment()), ctx.system.files(),
                           ctx.system.Now(), ctx.io);
          }};
}

}  // namespace mosaic
