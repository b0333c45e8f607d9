#include "import_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "exit_codes.h"
#include "name_rules.h"
#include "roster_import.h"
#include "roster_loader.h"

namespace mosaic {
namespace {

// The running sessions to import: those named (each must run there), else all.
Result<std::vector<RunningSession>> RunningSessions(const Tmux& tmux,
                                                    const std::vector<std::string>& only) {
  Result<TmuxSessions> listed = tmux.ListSessions();
  if (!listed.ok()) return listed.status();
  if (!listed.value().server_running)
    return Status::Error(fmt::format("no tmux server runs on {}", tmux.Describe()));
  for (const std::string& name : only)
    if (!listed.value().sessions.contains(name))
      return Status::Error(fmt::format("no session named {} on {}", Quoted(name), tmux.Describe()));
  std::vector<RunningSession> sessions;
  for (const auto& [name, observed] : listed.value().sessions) {
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    RunningSession session{.name = name, .owner = observed.owner};
    // A name tmux could not be given exactly is reported, not described.
    if (Result<RunningSession> described = tmux.DescribeSession(name); described.ok()) {
      session = std::move(described.value());
      session.owner = observed.owner;
    }
    sessions.push_back(std::move(session));
  }
  return sessions;
}

}  // namespace

int RunImport(const ImportOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  Result<const Tmux*> fleet = context->tmux();
  if (!fleet.ok()) return io.err << "error: " << fleet.status().message() << "\n", kExitError;
  if (!context->note().empty()) io.err << context->note() << "\n";
  Result<Tmux> tmux = options.socket.empty() ? Result<Tmux>(*fleet.value())
                                             : fleet.value()->Sibling(options.socket);
  if (!tmux.ok()) return io.err << "error: " << tmux.status().message() << "\n", kExitError;
  RosterLoad loaded = ParseRoster(context->roster_text(), context->roster_path());
  if (!loaded.roster) return io.err << "error: the roster no longer loads\n", kExitError;
  for (const std::string& name : options.sessions)
    for (const AgentSpec& agent : loaded.roster->agents)
      if (agent.name == name) {
        io.err << fmt::format("error: {} is already an agent of {}\n", Quoted(name),
                              context->roster_path());
        return kExitError;
      }
  Result<std::vector<RunningSession>> sessions = RunningSessions(tmux.value(), options.sessions);
  if (!sessions.ok()) return io.err << "error: " << sessions.status().message() << "\n", kExitError;

  const std::string& text = context->roster_text();
  int indent = AgentsListIndent(text);
  ImportedEntries imported = ImportEntries(*loaded.roster, sessions.value(), tmux.value().socket(),
                                           system.environment().home, indent < 0 ? 2 : indent);
  if (imported.entries + imported.skipped == 0) {
    io.err << fmt::format("Nothing to import: every session on {} is in the roster.\n",
                          tmux.value().Describe());
    return kExitSuccess;
  }
  std::string adopt_hint =
      fmt::format("{} entr{} for {}{}.", imported.entries, imported.entries == 1 ? "y" : "ies",
                  tmux.value().Describe(),
                  imported.skipped ? fmt::format(" ({} session{} left as comments)",
                                                 imported.skipped, imported.skipped == 1 ? "" : "s")
                                   : "");
  bool own_socket = tmux.value().socket() == context->desired().socket;
  std::string next = own_socket
                         ? "A session the roster then names, on the fleet's own socket, is "
                           "adopted only by `mosaic-fleet apply --replace NAME`: it ends, and "
                           "the agent starts in its place."
                         : "The agents start on the fleet's socket; the sessions on -L " +
                               tmux.value().socket() + " are left running (end them yourself).";
  if (!options.write) {
    io.out << imported.yaml;
    io.err << adopt_hint << " Add them under `agents:` (or run again with --write), then "
           << "`mosaic-fleet plan`. " << next << "\n";
    return kExitSuccess;
  }
  if (indent < 0) {
    io.out << imported.yaml;
    io.err << fmt::format(
        "error: {}: `agents:` is not the roster's last block (or is written [inline]), so the "
        "entries cannot be appended without rewriting it; add the entries above yourself. "
        "Nothing was written.\n",
        context->roster_path());
    return kExitError;
  }
  std::string updated = text;
  if (!updated.empty() && updated.back() != '\n') updated += '\n';
  updated += imported.yaml;
  RosterLoad check = ParseRoster(updated, context->roster_path());
  if (!check.roster) {
    io.err << "error: the roster with these entries would not be valid; nothing was written:\n";
    for (const Diagnostic& d : check.diagnostics)
      io.err << FormatDiagnosticText(d, updated, /*color=*/false);
    return kExitError;
  }
  // Through a link to the file it names: a roster kept in a repository stays there.
  std::string target =
      system.files().CanonicalPath(context->roster_path()).value_or(context->roster_path());
  if (Status written = system.files().WriteFileAtomic(target, updated, 0600); !written.ok())
    return io.err << "error: " << written.message() << "\n", kExitError;
  io.err << fmt::format(
      "Appended {} to {} (nothing else in it changed). Run `mosaic-fleet "
      "plan` to see what adopting them does. {}\n",
      adopt_hint, context->roster_path(), next);
  return kExitSuccess;
}

Command AddImportCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Roster entries for sessions that already run and the roster does not name.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  cmd->add_option("--socket", options->socket,
                  "Look at this tmux socket (-L NAME) instead of the roster's; never \"default\"")
      ->type_name("NAME");
  cmd->add_option("SESSION", options->sessions, "Only these sessions; all by default");
  cmd->add_flag("--write", options->write,
                "Append the entries to the roster (its other lines are kept as they are)");
  cmd->footer(
      "\nPrints one roster entry (YAML) per session: its name, the runtime its program is, and\n"
      "its working directory, with a comment saying what it runs. A session that cannot be an\n"
      "agent as it is (a name the roster rejects, a shell whose runtime cannot be told, one\n"
      "mosaic-fleet made) is left as a comment that says why. Nothing is started or ended:\n"
      "adopting happens in `plan` and `apply`, where it is shown. On the fleet's own socket, a\n"
      "session the tool did not create is replaced only by `apply --replace NAME`.\n"
      "\n"
      "--write appends the entries at the end of the roster, whose last block must be the\n"
      "`agents:` list; the result is validated before anything is written.\n"
      "\n"
      "Exit status: 0 printed or written (or nothing to import); 1 on error (no such session,\n"
      "no server on the socket, a roster that cannot be appended to).\n"
      "\n"
      "Examples:\n"
      "  mosaic-fleet import\n"
      "  mosaic-fleet import --socket mosaic-factory coder0 reviewer\n"
      "  mosaic-fleet import --socket mosaic-factory --write && mosaic-fleet plan\n");
  return {cmd, [options, &ctx] { return RunImport(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
