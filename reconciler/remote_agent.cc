#include "remote_agent.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "exit_codes.h"
#include "utf8.h"

namespace mosaic {

namespace {
/// The longest a remote verb may take (a reset waits for a restart and a quiet pane).
constexpr std::chrono::minutes kRemoteBound{15};
constexpr int kSshFailed = 255;  ///< ssh's own status when it could not connect or log in
}  // namespace

const AgentSpec* RemoteAgent(const DesiredState& desired, const std::string& name) {
  for (const AgentSpec& agent : desired.elsewhere)
    if (agent.name == name && !agent.ssh.empty()) return &agent;
  return nullptr;
}

std::vector<std::string> SshCommandLine(const std::string& ssh_command, const std::string& target,
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
  argv.insert(argv.end(), {"-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "--", target});
  std::vector<std::string> remote = {"mosaic-fleet", "agent"};
  remote.insert(remote.end(), args.begin(), args.end());
  std::vector<std::string> quoted;
  quoted.reserve(remote.size());
  for (const std::string& w : remote) quoted.push_back(ShellQuote(w));
  argv.push_back(fmt::format("{}", fmt::join(quoted, " ")));
  return argv;
}

int RunOnAgentsHost(const AgentSpec& agent, const RemoteCall& call, System& system, Io& io) {
  ProcessRequest request;
  request.argv = SshCommandLine(system.environment().fleet_ssh, agent.ssh, call.args);
  request.input = call.input;
  auto unreachable = [&](const std::string& why) {
    io.err << fmt::format(
        "error: agent {} runs on host {}, which could not be reached over ssh "
        "({}): {}\n",
        agent.name, agent.host, agent.ssh, why);
    return kExitError;
  };
  if (call.follow) {
    Result<TerminalResult> r = system.processes().RunInTerminal(request);
    if (!r.ok()) return unreachable(r.status().message());
    if (r.value().exit_code == kSshFailed) return unreachable("see ssh's message above");
    return r.value().interrupted_by ? 128 + r.value().interrupted_by : r.value().exit_code;
  }
  request.timeout = kRemoteBound;
  Result<ProcessResult> r = system.processes().Run(request);
  if (!r.ok()) return unreachable(r.status().message());
  if (r.value().timed_out)
    return unreachable(fmt::format("no answer within {} minutes", kRemoteBound.count()));
  io.out << r.value().out;
  if (r.value().exit_code == kSshFailed) {
    std::string why = r.value().err;
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    return unreachable(why.empty() ? "ssh failed" : PrintableText(why));
  }
  io.err << r.value().err;
  return r.value().exit_code;
}

}  // namespace mosaic
