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

// Appends `entries` to the roster at `path`, read as `text`: checked to be valid first, through
// a link to the file it names (a roster kept in a repository stays there), with the file's own
// permissions, never over a read-only file or one edited since it was read. Nothing is written
// when it fails.
Status AppendToRoster(FileSystem& files, const std::string& path, const std::string& text,
                      int indent, const std::string& entries) {
  if (indent < 0)
    return Status::Error(fmt::format(
        "{}: `agents:` is not the roster's last block (or is written [inline]), so the entries "
        "cannot be appended without rewriting it; add the entries above yourself. Nothing was "
        "written",
        path));
  std::string updated = text;
  if (!updated.empty() && updated.back() != '\n') updated += '\n';
  updated += entries;
  RosterLoad check = ParseRoster(updated, path);
  if (!check.roster) {
    std::string why;
    for (const Diagnostic& d : check.diagnostics)
      why += FormatDiagnosticText(d, updated, /*color=*/false);
    return Status::Error(
        "the roster with these entries would not be valid (lines past its end "
        "are the entries above); nothing was written:\n" +
        why);
  }
  std::string target = files.CanonicalPath(path).value_or(path);
  std::optional<FileInfo> info = files.Stat(target);
  if (info && (info->mode & 0200) == 0)
    return Status::Error(fmt::format("{} is read-only; nothing was written", target));
  Result<std::string> now = files.ReadFile(target, YamlLimits{}.max_bytes);
  if (!now.ok() || now.value() != text)
    return Status::Error(
        fmt::format("{} changed while import ran; nothing was written, run it again", target));
  return files.WriteFileAtomic(target, updated, info ? info->mode : 0600);
}

}  // namespace

int RunImport(const ImportOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  Result<const Tmux*> fleet = context->tmux();
  if (!fleet.ok()) return io.err << "error: " << fleet.status().message() << "\n", kExitError;
  if (!context->note().empty()) io.err << context->note() << "\n";
  if (options.socket_given && options.socket.empty())
    return io.err << "error: --socket needs a socket name\n", kExitError;
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
  // On the fleet's own socket an entry would make every plan an error (the session holds its
  // name) until adopted: written stopped, it stops nothing else, the timer's runs included.
  bool own_socket = tmux.value().socket() == context->desired().socket;
  ImportedEntries imported =
      ImportEntries(*loaded.roster, sessions.value(), tmux.value().socket(),
                    system.environment().home, indent < 0 ? 2 : indent, own_socket);
  if (imported.entries + imported.skipped == 0) {
    io.err << fmt::format("Nothing to import: every session on {} is in the roster.\n",
                          tmux.value().Describe());
    return kExitSuccess;
  }
  std::string counted =
      fmt::format("{} entr{} for {}{}", imported.entries, imported.entries == 1 ? "y" : "ies",
                  tmux.value().Describe(),
                  imported.skipped ? fmt::format(" ({} session{} left as comments)",
                                                 imported.skipped, imported.skipped == 1 ? "" : "s")
                                   : "");
  std::string next = own_socket
                         ? "Entries for sessions on the fleet's own socket say `state: stopped`: "
                           "remove that line, then `mosaic-fleet apply --replace NAME` adopts the "
                           "session (it ends, and the agent starts in its place)."
                         : "The agents start on the fleet's socket; the sessions on -L " +
                               tmux.value().socket() + " are left running (end them yourself).";
  io.out << imported.yaml;
  if (!options.write) {
    io.err << counted << ". Add them under `agents:` (or run again with --write), then "
           << "`mosaic-fleet plan`. " << next << "\n";
    return kExitSuccess;
  }
  if (imported.entries == 0) return io.err << counted << ": nothing to write.\n", kExitSuccess;
  Status written =
      AppendToRoster(system.files(), context->roster_path(), text, indent, imported.yaml);
  if (!written.ok()) return io.err << "error: " << written.message() << "\n", kExitError;
  io.err << fmt::format(
      "Appended {} to {} (its other lines are as they were). Run `mosaic-fleet plan` to see "
      "what adopting them does. {}\n",
      counted, context->roster_path(), next);
  return kExitSuccess;
}

Command AddImportCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Roster entries for sessions that already run and the roster does not name.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  cmd->add_option("--socket", options->socket,
                  "Look at this tmux socket (-L NAME) instead of the roster's; never \"default\"")
      ->type_name("NAME")
      ->each([options](const std::string&) { options->socket_given = true; });
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
