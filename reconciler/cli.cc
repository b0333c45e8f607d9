#include "cli.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "exit_codes.h"
#include "file_system.h"
#include "init_command.h"
#include "profiles.h"
#include "schema_document.h"
#include "validate_command.h"

#ifndef MOSAIC_FLEET_VERSION
#define MOSAIC_FLEET_VERSION "unknown"
#endif

namespace mosaic {

Environment CaptureEnvironment() {
  auto get = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  Environment env;
  env.home = get("HOME");
  env.xdg_config_home = get("XDG_CONFIG_HOME");
  env.xdg_runtime_dir = get("XDG_RUNTIME_DIR");
  env.mosaic_home = get("MOSAIC_HOME");
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) env.hostname = host;
  return env;
}

namespace {

const char kDescription[] =
    "mosaic-fleet keeps a fleet of long-lived AI-agent sessions (claude, codex, pi, ...) the way\n"
    "the roster describes it: each agent a tmux session on a named socket, owned by systemd user\n"
    "units. It never touches the default tmux socket.";

const char kFooter[] =
    "\nEXAMPLES:\n"
    "  mosaic-fleet init --profile minimal --write   start a roster\n"
    "  mosaic-fleet validate                         check ~/.config/mosaic/fleet/roster.yaml\n"
    "  mosaic-fleet validate --format github a.yaml  annotate a pull request in CI\n"
    "  mosaic-fleet schema > roster.schema.json      JSON Schema for editors\n"
    "\nThe roster is $MOSAIC_HOME/fleet/roster.yaml (MOSAIC_HOME defaults to\n"
    "${XDG_CONFIG_HOME:-~/.config}/mosaic). Run 'COMMAND --help' for a command's options.";

}  // namespace

int RunCli(const std::string& program, const std::vector<std::string>& args, const Environment& env, Io& io) {
  CLI::App app(kDescription, program);
  app.set_version_flag("--version", std::string("mosaic-fleet ") + MOSAIC_FLEET_VERSION);
  app.require_subcommand(1);
  app.footer(kFooter);
  app.get_formatter()->column_width(36);

  FleetPaths paths = ResolveFleetPaths(env);
  RealFileSystem fs;

  ValidateOptions validate;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Check roster files against the schema; exit 0 when all are valid, 1 otherwise.");
  validate_cmd->add_option("files", validate.files, "Roster files (default: " + paths.roster + ")");
  validate_cmd->add_option("--format", validate.format, "text (default), json, or github (Actions annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}));
  validate_cmd->footer(
      "\nErrors read FILE:LINE:COL: error: PATH: MESSAGE and are all reported, sorted by position.\n"
      "Needs neither tmux nor systemd: safe in any CI container.");

  InitOptions init;
  CLI::App* init_cmd = app.add_subcommand("init", "Print an example roster, or write it with --write.");
  init_cmd->add_option("--profile", init.profile, "Example to start from")
      ->check(CLI::IsMember(ProfileNames()))
      ->capture_default_str();
  init_cmd->add_flag("--write", init.write, "Write it to the roster path instead of printing it");
  init_cmd->add_flag("--force", init.force, "With --write: replace an existing roster");
  init_cmd->add_option("--roster", init.roster, "Where --write puts it (default: " + paths.roster + ")");

  CLI::App* schema_cmd = app.add_subcommand("schema", "Print the roster's JSON Schema (draft 7), for editors.");

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Success& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, io.out, io.err);
    return kExitError;
  }

  if (validate_cmd->parsed()) return RunValidate(validate, paths, fs, io);
  if (init_cmd->parsed()) return RunInit(init, paths, fs, io);
  if (schema_cmd->parsed()) {
    io.out << RosterSchemaText();
    return kExitSuccess;
  }
  return kExitError;
}

}  // namespace mosaic
