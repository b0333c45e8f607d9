#include "cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "agent_command.h"
#include "agent_control_command.h"
#include "apply_command.h"
#include "completion.h"
#include "exit_codes.h"
#include "import_command.h"
#include "init_command.h"
#include "plan_command.h"
#include "schema_document.h"
#include "seconds_option.h"
#include "session_command.h"
#include "status_command.h"
#include "suggest.h"
#include "utf8.h"
#include "validate_command.h"
#include "verify_command.h"

#ifndef MOSAIC_FLEET_VERSION
#define MOSAIC_FLEET_VERSION "unknown"
#endif

namespace mosaic {
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
    "${XDG_CONFIG_HOME:-~/.config}/mosaic). Run 'COMMAND --help' for a command's options.\n"
    "\nExit status: 0 success; 1 error (nothing was changed when the input was bad); 2 changes\n"
    "pending (plan/apply --detailed-exitcode, or held); 3 unhealthy (status); 4 delivered but\n"
    "unconfirmed (agent send --verify). Each command's help says which it uses.";

Command AddSchemaCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd =
      app.add_subcommand("schema", "Print the roster's JSON Schema (draft 7), for editors.");
  cmd->footer(
      "\nThe schema `validate` checks rosters against (also installed as\n"
      "share/mosaic-fleet/roster.schema.json). Editors with a YAML language server complete\n"
      "and check the roster as you type when its first line is\n"
      "  # yaml-language-server: $schema=/path/to/roster.schema.json\n"
      "\nExit status: 0.\n"
      "\nExamples:\n"
      "  mosaic-fleet schema > roster.schema.json\n"
      "  mosaic-fleet schema | jq '.properties | keys'\n");
  return {cmd, [&ctx] {
            ctx.io.out << RosterSchemaText();
            return kExitSuccess;
          }};
}

Command AddCompletionCommand(CLI::App& app, CommandContext& ctx) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish.");
  cmd->add_option("shell", *shell, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer(
      "\nCompletes commands, options, fixed values, files, and agent names from the roster\n"
      "(the one --roster names, else the default). The packages install it; by hand:\n"
      "  bash  mosaic-fleet completion bash > "
      "~/.local/share/bash-completion/completions/mosaic-fleet\n"
      "  zsh   mosaic-fleet completion zsh > ~/.zfunc/_mosaic-fleet   (a directory on $fpath,\n"
      "        before `compinit` runs)\n"
      "  fish  mosaic-fleet completion fish > ~/.config/fish/completions/mosaic-fleet.fish\n"
      "\nExit status: 0; 1 for a shell it does not know.\n"
      "\nExamples:\n"
      "  source <(mosaic-fleet completion bash)   this bash session only\n"
      "  mosaic-fleet completion fish | source\n");
  return {cmd, [&app, shell, &ctx] {
            ctx.io.out << CompletionScript(CommandTree(app, kReplacedVerbsGroup), *shell,
                                           "mosaic-fleet");
            return kExitSuccess;
          }};
}

// `help [COMMAND…]` is `COMMAND… --help`, as git and terraform users type it; `help --list`
// names every command (the man page is made from it).
Command AddHelpCommand(CLI::App& app, CommandContext& ctx) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto list = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("help", "Show a command's help: `help agent send`.");
  cmd->add_option("COMMAND", *words, "The command, as typed after mosaic-fleet");
  cmd->add_flag("--list", *list, "Name every command, one per line");
  cmd->footer(
      "\nExit status: 0; 1 for a command that does not exist.\n"
      "\nExamples:\n"
      "  mosaic-fleet help apply\n"
      "  mosaic-fleet help --list\n");
  return {cmd, [&app, words, list, &ctx] {
            if (*list) {
              for (const CompletionCommand& c : CommandTree(app, kReplacedVerbsGroup))
                if (!c.path.empty()) ctx.io.out << c.path << "\n";
              return kExitSuccess;
            }
            // CLI11's help() shows the command that was parsed (this one) from the top: the
            // formatter shows the one asked for.
            const CLI::App* command = &app;
            std::string parents;
            for (const std::string& word : *words) {
              parents += (parents.empty() ? "" : " ") + command->get_name();
              const CLI::App* next = nullptr;
              for (const CLI::App* child : command->get_subcommands({}))
                if (child->check_name(word)) next = child;
              if (!next) {
                ctx.io.err << fmt::format("error: no command '{}'; `{} help --list` names them\n",
                                          fmt::join(*words, " "), ctx.program);
                return kExitError;
              }
              command = next;
            }
            std::string name = parents.empty() ? command->get_name()
                                               : fmt::format("{} {}", parents, command->get_name());
            ctx.io.out << command->get_formatter()->make_help(command, name,
                                                              CLI::AppFormatMode::Normal);
            return kExitSuccess;
          }};
}

// The previous tool's verbs that have no command of the same name here: each says what
// replaced it, and changes nothing (`ps` is an alias of status, `verify` kept its name).
std::vector<Command> AddReplacedVerbs(CLI::App& app, CommandContext& ctx) {
  struct Replaced {
    const char* verb;
    const char* replacement;
  };
  static constexpr Replaced kReplaced[] = {
      {"install", "apply"},
      {"install-systemd", "apply"},
  };
  std::vector<Command> commands;
  for (const Replaced& r : kReplaced) {
    CLI::App* cmd = app.add_subcommand(r.verb, std::string("Replaced by '") + r.replacement + "'.");
    cmd->group(kReplacedVerbsGroup);
    cmd->allow_extras();
    commands.push_back({cmd, [r, &ctx] {
                          ctx.io.err << fmt::format(
                              "error: '{0} {1}' is replaced by '{0} {2}': it writes the unit and "
                              "env files, enables and starts the units, and is a dry run unless "
                              "--yes.\n  {0} {2}          shows what it would do\n  {0} {2} "
                              "--yes    does it\n",
                              ctx.program, r.verb, r.replacement);
                          return kExitError;
                        }});
  }
  return commands;
}

// --version and --help work on every command, at every level.
void AddVersionEverywhere(CLI::App& app) {
  const std::string version = std::string("mosaic-fleet ") + MOSAIC_FLEET_VERSION;
  app.set_version_flag("--version", version);
  std::vector<CLI::App*> commands = app.get_subcommands({});
  for (size_t i = 0; i < commands.size(); ++i) {
    commands[i]->set_version_flag("--version", version);
    for (CLI::App* nested : commands[i]->get_subcommands({})) commands.push_back(nested);
  }
}

// An unknown command gets a suggestion rather than CLI11's generic complaint.
bool RejectUnknownCommand(const CLI::App& app, const std::vector<std::string>& args,
                          const std::string& program, Io& io) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands({})) {
    names.push_back(command->get_name());
    for (const std::string& alias : command->get_aliases()) names.push_back(alias);
  }
  if (args.empty() || args.front().starts_with("-") ||
      std::find(names.begin(), names.end(), args.front()) != names.end())
    return false;
  io.err << fmt::format("error: unknown command '{}'", PrintableText(args.front()));
  if (auto guess = SuggestClosest(args.front(), names))
    io.err << fmt::format(" (did you mean '{}'?)", *guess);
  io.err << fmt::format("\ncommands: {}\nsee: {} --help\n", fmt::join(names, ", "), program);
  return true;
}

}  // namespace

void AddNameOption(CLI::App& command, const std::string& flag, std::vector<std::string>& names,
                   const std::string& help) {
  command.add_option(flag, names, help)
      ->allow_extra_args(false)
      ->type_name("NAME")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void AddFleetOptions(CLI::App& command, FleetOptions& options, const CommandContext& ctx) {
  const std::string& host = ctx.system.environment().hostname;
  command.add_option("--roster", options.roster, "Roster file (default: " + ctx.roster_help + ")")
      ->type_name("FILE");
  command
      .add_option("--host", options.host,
                  "Act as this host: agents the roster places on another host are not run here "
                  "(and are removed here if they run); the reconcile timer remembers it "
                  "(default: the host the reconcile timer acts as, else " +
                      (host.empty() ? std::string("this hostname") : host) + ")")
      ->check(CLI::Validator(
          [](const std::string& value) {
            bool ok = !value.empty() && std::isalnum(static_cast<unsigned char>(value[0])) &&
                      std::all_of(value.begin(), value.end(), [](unsigned char c) {
                        return std::isalnum(c) || c == '.' || c == '-';
                      });
            return ok ? std::string() : "a host name is letters, digits, '.' and '-'";
          },
          "HOST"));
  command
      .add_option("--timeout", options.timeout_seconds,
                  "Seconds one tmux or systemd call may take before it is an error (default: "
                  "$MOSAIC_FLEET_TIMEOUT, else 10)")
      ->check(SecondsBetween(0.1, 3600));
}

void AddBinaryOption(CLI::App& command, FleetOptions& options) {
  options.writes_units = true;
  command
      .add_option("--binary", options.binary,
                  "The mosaic-fleet the unit files run, an absolute path (default: "
                  "$MOSAIC_FLEET_BINARY, else the one the units run when that is this program "
                  "or, for a build tree's, an installed one of its version; else this program)")
      ->type_name("FILE");
}

namespace {

// Terraform's single-dash spelling of the flags mosaic-fleet shares with it (`-replace NAME`,
// `-target=NAME`, `-out FILE`, `-detailed-exitcode`, `-json`), as its users type them, and
// its `-auto-approve`, which is --yes here.
std::string TerraformSpelling(const std::string& arg) {
  if (arg == "-auto-approve") return "--yes";
  for (std::string_view flag : {"-replace", "-target", "-out"})
    if (arg == flag ||
        (arg.starts_with(flag) && arg.size() > flag.size() && arg[flag.size()] == '='))
      return "-" + arg;
  for (std::string_view flag : {"-detailed-exitcode", "-json"})
    if (arg == flag) return "-" + arg;
  return arg;
}

}  // namespace

int RunCli(const std::string& program, const std::vector<std::string>& args, System& system,
           Io& io) {
  CLI::App app(kDescription, program);
  app.require_subcommand(1);
  app.get_formatter()->column_width(36);

  Result<std::string> default_roster = DefaultRoster(system.environment());
  CommandContext ctx{system, io, program,
                     default_roster.ok()
                         ? default_roster.value()
                         : "${XDG_CONFIG_HOME:-~/.config}/mosaic/fleet/roster.yaml"};
  std::vector<Command> commands;
  if (!args.empty() && args.front() == "session") {
    // What systemd runs for every agent (`session run`, then `session exec` in its pane: two
    // starts per agent) declares only its own commands: declaring all of them is 0.36 ms of a
    // 2.0 ms start. What it parses, and its help, are the same (`help session …` declares all).
    commands = AddSessionCommands(app, ctx);
  } else {
    commands = {
        AddValidateCommand(app, ctx), AddInitCommand(app, ctx),   AddSchemaCommand(app, ctx),
        AddPlanCommand(app, ctx),     AddApplyCommand(app, ctx),  AddStatusCommand(app, ctx),
        AddVerifyCommand(app, ctx),   AddImportCommand(app, ctx),
    };
    for (auto add :
         {AddAgentControlCommands, AddAgentCommands, AddSessionCommands, AddHolderCommands})
      for (Command& command : add(app, ctx)) commands.push_back(std::move(command));
    commands.push_back(AddCompletionCommand(app, ctx));
    commands.push_back(AddHelpCommand(app, ctx));
    for (Command& command : AddReplacedVerbs(app, ctx)) commands.push_back(std::move(command));
  }
  AddVersionEverywhere(app);
  // Set last: CLI11 copies a parent's footer into every command added after it.
  app.footer(kFooter);
  if (RejectUnknownCommand(app, args, program, io)) return kExitError;

  std::vector<std::string> argv_storage{program};
  for (const std::string& arg : args) argv_storage.push_back(TerraformSpelling(arg));
  std::vector<char*> argv;
  argv.reserve(argv_storage.size());
  for (std::string& a : argv_storage) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Success& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::ParseError& e) {
    // Said like every other error (scripts and people look for "error: ").
    io.err << "error: " << PrintableText(e.what()) << "\nRun with --help for more information.\n";
    return kExitError;
  }
  for (const Command& command : commands)
    if (command.app->parsed()) return command.run();
  return kExitError;
}

}  // namespace mosaic
