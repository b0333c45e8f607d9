// The `agent` command group: declares each verb's options and help; the verbs themselves are
// in agent_send_command.cc, agent_view_command.cc and agent_roster_command.cc.
#include "agent_command.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "remote_agent.h"
#include "seconds_option.h"
#include "status_command.h"

namespace mosaic {
namespace {

Command AddSend(CLI::App& agent, CommandContext& ctx) {
  auto options = std::make_shared<AgentSendOptions>();
  CLI::App* cmd = agent.add_subcommand("send", "Deliver a message to an agent, with [from LABEL].");
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddForwardedFlag(*cmd, options->fleet);
  cmd->add_option("NAME", options->name, "The agent (exact name)")->required();
  CLI::Option* message =
      cmd->add_option("-m,--message", options->message, "The message; '-' reads it from stdin");
  CLI::Option* file = cmd->add_option("--file", options->file, "Read the message from this file")
                          ->type_name("FILE");
  message->excludes(file);
  file->excludes(message);
  cmd->add_option("--from", options->from,
                  "Who speaks, in the preamble [from LABEL] (default: operator@HOSTNAME)");
  cmd->add_flag("--no-submit", options->no_submit, "Paste only; do not press Enter");
  cmd->add_flag("--verify", options->verify,
                "Wait for a receipt: report whether the pane changed after delivery");
  cmd->add_option("--verify-timeout", options->verify_seconds,
                  "Seconds --verify waits for the pane to change")
      ->capture_default_str()
      ->check(SecondsBetween(0.1, 3600));
  cmd->footer(
      "\nThe agent sees \"[from LABEL] MESSAGE\", pasted as one paste (a tmux paste buffer loaded\n"
      "from stdin, bracketed paste when its program asked for it, then deleted) and submitted\n"
      "with Enter. Any text arrives as written: quotes, $(...), backquotes, newlines, non-ASCII.\n"
      "Control characters (escape, ^C, ...) are refused, as they would act on the agent's\n"
      "program rather than be read by it. A dead pane, or a session the tool did not create,\n"
      "is refused.\n"
      "\n"
      "--verify is a receipt, not a reply: it says whether the pane changed after the Enter\n"
      "within --verify-timeout. A change shows that the program took the input and drew\n"
      "something; it does not show that the agent understood or will act. A busy agent may\n"
      "draw anyway (a spinner), a slow one may draw later.\n"
      "\n"
      "Exit status: 0 delivered (with --verify: and the pane changed); 4 delivered, but no\n"
      "change seen within --verify-timeout; 1 not delivered (unknown agent, no server, dead\n"
      "pane, bad text).\n"
      "\nExamples:\n"
      "  mosaic-fleet agent send coder0 -m 'Rebase on main and rerun the tests.'\n"
      "  git diff | mosaic-fleet agent send rev0 -m - --from ci@build1 --verify\n"
      "  mosaic-fleet agent send coder1 --file task.md --no-submit\n");
  cmd->callback([cmd, options] {
    if (cmd->count("--message") == 0 && cmd->count("--file") == 0)
      throw CLI::RequiredError("-m MESSAGE, -m - (stdin) or --file FILE");
  });
  return {cmd, [options, &ctx] { return RunAgentSend(*options, ctx.system, ctx.io); }};
}

Command AddReset(CLI::App& agent, CommandContext& ctx) {
  auto options = std::make_shared<AgentResetOptions>();
  CLI::App* cmd = agent.add_subcommand(
      "reset", "Reset a reusable agent: its runtime's reset command, then its kickstart.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddForwardedFlag(*cmd, options->fleet);
  cmd->add_option("NAME", options->name, "The agent (exact name)")->required();
  CLI::Option* clear =
      cmd->add_flag("--clear", options->clear, "Type /clear, whatever the runtime says");
  CLI::Option* fresh =
      cmd->add_flag("--new", options->new_conversation, "Type /new, whatever the runtime says");
  clear->excludes(fresh);
  fresh->excludes(clear);
  cmd->add_flag("--force", options->force, "Reset an agent with persistent_persona: true");
  cmd->add_option("--settle", options->settle_seconds,
                  "Seconds the pane must be quiet before the kickstart is sent")
      ->capture_default_str()
      ->check(SecondsBetween(0, 600));
  cmd->footer(
      "\nTypes the runtime's reset_command (runtimes: {claude: {reset_command: /clear}}) and\n"
      "Enter. A runtime without one is reset by restarting mosaic-agent@NAME.service: a fresh\n"
      "program, its session recreated, the server and the other agents untouched.\n"
      "Then, if the agent has a kickstart_template (a file; relative to the roster's directory,\n"
      "or ~/...), sends it once the pane is quiet, with {{name}}, {{class}}, {{model}} and\n"
      "{{runtime}} filled in. The template is read and checked before anything is typed.\n"
      "An agent with persistent_persona: true is refused without --force.\n"
      "\n"
      "Exit status: 0 reset; 1 not (unknown agent, dead pane, bad template, failed restart).\n"
      "\nExamples:\n"
      "  mosaic-fleet agent reset coder0\n"
      "  mosaic-fleet agent reset rev1 --new\n");
  return {cmd, [options, &ctx] { return RunAgentReset(*options, ctx.system, ctx.io); }};
}

Command AddTail(CLI::App& agent, CommandContext& ctx) {
  auto options = std::make_shared<AgentTailOptions>();
  CLI::App* cmd = agent.add_subcommand("tail", "Print the last lines of an agent's pane.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddForwardedFlag(*cmd, options->fleet);
  cmd->add_option("NAME", options->name, "The agent (exact name)")->required();
  cmd->add_option("-n,--lines", options->lines, "How many lines, scrollback included")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("-f,--follow", options->follow,
                "Keep printing lines as they are completed, until the program ends");
  cmd->footer(
      "\nReads the pane (tmux capture-pane), never types into it. A dead pane's last output is\n"
      "printed with how its program ended. A full-screen program (an alternate screen) keeps no\n"
      "scrollback: its current screen is printed, and said so; `agent watch` shows it live.\n"
      "--follow prints each line once it is complete (the cursor has left it), and stops when\n"
      "the program ends. Messages about the pane go to stderr, the pane's lines to stdout.\n"
      "\n"
      "Exit status: 0 printed; 1 unknown agent, no session, or --follow of a full-screen\n"
      "program.\n"
      "\nExamples:\n"
      "  mosaic-fleet agent tail coder0 -n 200\n"
      "  mosaic-fleet agent tail coder0 --follow\n");
  return {cmd, [options, &ctx] { return RunAgentTail(*options, ctx.system, ctx.io); }};
}

Command AddWatch(CLI::App& agent, CommandContext& ctx) {
  auto options = std::make_shared<AgentWatchOptions>();
  CLI::App* cmd = agent.add_subcommand("watch", "Watch an agent's session live, read-only.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  cmd->add_option("NAME", options->name, "The agent (exact name)")->required();
  cmd->footer(
      "\nAttaches this terminal to a viewer session grouped with the agent's (the same window,\n"
      "not a copy), read-only and ignoring its size: nothing typed reaches the agent and its\n"
      "window is never resized. Detach with the prefix key and d. The viewer is removed when\n"
      "the watch ends, also by a signal or a closed terminal; status and plan never count it.\n"
      "\n"
      "Exit status: 0 detached; 1 unknown agent or no session; 128+N ended by signal N.\n"
      "\nExample:\n  mosaic-fleet agent watch coder0\n");
  return {cmd, [options, &ctx] { return RunAgentWatch(*options, ctx.system, ctx.io); }};
}

Command AddRoster(CLI::App& agent, CommandContext& ctx) {
  auto options = std::make_shared<AgentRosterOptions>();
  CLI::App* cmd = agent.add_subcommand(
      "roster", "The roster as the tool understands it: defaults applied, where each agent lives.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  CLI::Option* json = cmd->add_flag("--json", options->json, "Machine-readable");
  cmd->add_flag("--names", options->names,
                "Only the names of this host's agents, one per line (for scripts and completion)")
      ->excludes(json);
  cmd->footer(
      "\nPer agent: runtime, class and model; its unit, env file, session and socket; the launch\n"
      "command; working directory, host, reset command, kickstart, persona and restart policy.\n"
      "Keys you added to an env file are named, their values never shown; a launch command set\n"
      "there (MOSAIC_AGENT_COMMAND) is named, not shown. Reads only the roster and env files.\n"
      "\nExit status: 0; 1 when the roster cannot be read or is not valid.\n"
      "\nExamples:\n  mosaic-fleet agent roster\n  mosaic-fleet agent roster --json | jq "
      "'.agents[].unit'\n  for a in $(mosaic-fleet agent roster --names); do mosaic-fleet agent "
      "tail \"$a\" -n 5; "
      "done\n");
  return {cmd, [options, &ctx] { return RunAgentRoster(*options, ctx.system, ctx.io); }};
}

Command AddStatus(CLI::App& agent, CommandContext& ctx) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* cmd =
      agent.add_subcommand("status", "The status rows of agents (see `status --help`).");
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddForwardedFlag(*cmd, options->fleet);
  cmd->add_option("NAME", options->names, "Only these agents; all by default");
  cmd->add_flag("--json", options->json, "Machine-readable status (docs/status-json.md)");
  cmd->footer(
      "\nThe same rows and flags as `mosaic-fleet status`.\n"
      "\nExit status: 0 every row healthy; 3 one is not; 1 error.\n"
      "\nExample:\n  mosaic-fleet agent status coder0 --json\n");
  return {cmd, [options, &ctx] { return RunAgentStatus(*options, ctx.system, ctx.io); }};
}

}  // namespace

std::vector<Command> AddAgentCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* agent = app.add_subcommand(
      "agent", "Address single agents: send, reset, tail, watch, roster, status.");
  agent->require_subcommand(1);
  agent->footer(
      "\nEvery verb works on the roster's socket with exact targets (`agent` never reaches\n"
      "`agent0`), and needs only tmux: no user manager (but reset of a runtime without a reset\n"
      "command, which restarts the unit). Run 'agent VERB --help' for each.\n"
      "\nExamples:\n"
      "  mosaic-fleet agent send coder0 -m 'Rebase on main.'\n"
      "  mosaic-fleet agent tail coder0 --follow\n"
      "  mosaic-fleet agent watch coder0\n");
  return {AddSend(*agent, ctx),  AddReset(*agent, ctx),  AddTail(*agent, ctx),
          AddWatch(*agent, ctx), AddRoster(*agent, ctx), AddStatus(*agent, ctx)};
}

}  // namespace mosaic
