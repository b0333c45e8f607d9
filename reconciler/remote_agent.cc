#include "remote_agent.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

#include "exit_codes.h"
#include "utf8.h"

namespace mosaic {

namespace {
constexpr int kSshFailed = 255;  ///< ssh's own status when it could not connect or log in
constexpr int kNotFound = 127;   ///< a POSIX shell's status for a program not on PATH
}  // namespace

const AgentSpec* RemoteAgent(const FleetContext& context, const std::string& name) {
  for (const AgentSpec& agent : context.desired().elsewhere)
    if (agent.name == name && !agent.ssh.empty() && !context.forwarded()) return &agent;
  return nullptr;
}

void PassFleetOptions(const FleetOptions& options, RemoteCall& call) {
  if (options.timeout_seconds > 0)
    call.args.insert(call.args.end(), {"--timeout", fmt::format("{}", options.timeout_seconds)});
}

void AddForwardedFlag(CLI::App& command, FleetOptions& options) {
  command.add_flag("--forwarded", options.forwarded, "Run over ssh for another host")->group("");
}

std::vector<std::string> SshCommandLine(const std::string& ssh_command, const AgentSpec& agent,
                                        const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  std::string word;
  for (char c : ssh_command + " ") {
    if (c != ' ' && c != '\t') {
      word += c;
    } else if (!word.empty()) {
      argv.push_back(std::move(word));
      word.clear();
    }
  }
  if (argv.empty()) argv.push_back("ssh");
  // Keep-alives: a connection that dies unseen ends the call in 45 s, not at its bound.
  argv.insert(argv.end(),
              {"-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o",
               "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "--", agent.ssh});
  std::vector<std::string> remote = {"mosaic-fleet", "agent"};
  remote.insert(remote.end(), args.begin(), args.end());
  remote.insert(remote.end(), {"--host", agent.host, "--forwarded"});
  std::vector<std::string> quoted;
  quoted.reserve(remote.size());
  for (const std::string& w : remote) quoted.push_back(ShellQuote(w));
  argv.push_back(fmt::format("{}", fmt::join(quoted, " ")));
  return argv;
}

int RunOnAgentsHost(const AgentSpec& agent, const RemoteCall& call, System& system, Io& io) {
  ProcessRequest request;
  request.argv = SshCommandLine(system.environment().fleet_ssh, agent, call.args);
  request.input = call.input;
  auto fail = [&](const std::string& what, const std::string& why) {
    io.err << fmt::format("error: agent {} runs on host {} ({} over ssh), {}: {}\n", agent.name,
                          agent.host, agent.ssh, what, why);
    return kExitError;
  };
  if (call.follow) {
    Result<TerminalResult> r = system.processes().RunInTerminal(request);
    if (!r.ok()) return fail("which could not be reached", r.status().message());
    // Interrupted (Ctrl-C): ssh ends with 255 then, which says nothing of the host.
    if (r.value().interrupted_by) return 128 + r.value().interrupted_by;
    if (r.value().exit_code == kSshFailed)
      return fail("which could not be reached", "see ssh's message above");
    return r.value().exit_code;
  }
  request.timeout = call.bound;
  Result<ProcessResult> r = system.processes().Run(request);
  if (!r.ok()) return fail("which could not be reached", r.status().message());
  io.out << r.value().out;
  std::string said = r.value().err;
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
  if (r.value().timed_out)
    return fail(
        "which did not finish the command",
        fmt::format("no answer within {} s (what it did so far is above)", call.bound.count()));
  if (r.value().exit_code == kSshFailed)
    return fail("which could not be reached (or ssh failed there)",
                said.empty() ? "ssh failed" : PrintableText(said));
  if (r.value().exit_code == kNotFound && said.find("mosaic-fleet") != std::string::npos)
    return fail("where mosaic-fleet was not found",
                "install it on that host's PATH for ssh logins (" + PrintableText(said) + ")");
  io.err << r.value().err;
  return r.value().exit_code;
}

}  // namespace mosaic
