// Benchmarks against a real `systemd --user` and real tmux (the integration sandbox):
//   plan:  on converged fleets of 10, 100, 200 and 1000 agents — wall time, tmux processes,
//          bus calls and peak memory of `mosaic-fleet plan`, beside the per-agent approach
//          (one `tmux has-session` and one `systemctl --user is-active` per agent).
//   apply: bringing up 50 agents from nothing, beside tmuxp and tmuxinator bringing up the
//          same 50 sessions.
// Usage: fleet_bench [plan|apply|all] [SIZES…]   (needs root, like the integration tests)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "sandbox.h"

namespace {

using mosaic::integration::RunResult;
using mosaic::integration::Sandbox;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

std::string Roster(int agents) {
  std::string yaml = "version: 1\ntmux: {socket_name: bench}\nagents:\n";
  for (int i = 0; i < agents; ++i) yaml += fmt::format("  - {{name: agent{}, runtime: pi}}\n", i);
  return yaml;
}

bool Check(const RunResult& r, const char* what) {
  if (r.code == 0) return true;
  fmt::print(stderr, "{} failed ({}):\n{}{}\n", what, r.code, r.out, r.err);
  return false;
}

// Brings up `agents` agents from nothing in `sandbox`; the wall time of that apply, or a
// negative number (after saying why) when it could not.
double ApplyFleet(Sandbox& sandbox, int agents) {
  if (!sandbox.unavailable().empty()) {
    fmt::print(stderr, "sandbox unavailable: {}\n", sandbox.unavailable());
    return -1;
  }
  sandbox.InstallStandInAgent();
  sandbox.WriteFile(sandbox.RosterPath(), Roster(agents));
  auto start = Clock::now();
  if (!Check(sandbox.Fleet({"apply", "--yes", "--lock-timeout", "600"}), "apply")) return -1;
  return Ms(start);
}

int BenchPlan(const std::vector<int>& sizes) {
  fmt::print("plan on a converged fleet (median of 5 runs)\n");
  fmt::print("{:>6} {:>10} {:>6} {:>6} {:>9} {:>12} {:>9} {:>10}\n", "agents", "plan ms", "tmux",
             "bus", "peak MiB", "per-agent ms", "speedup", "apply s");
  for (int n : sizes) {
    Sandbox sandbox;
    double apply_ms = ApplyFleet(sandbox, n);
    if (apply_ms < 0) return 1;
    double apply_s = apply_ms / 1000;
    std::vector<double> times;
    std::string stats;
    long rss = 0;
    for (int run = 0; run < 5; ++run) {
      auto t = Clock::now();
      RunResult r = sandbox.Fleet({"plan", "--stats", "--detailed-exitcode"});
      times.push_back(Ms(t));
      if (r.code != 0) {
        fmt::print(stderr, "plan is not empty after apply ({}):\n{}{}\n", r.code, r.out, r.err);
        return 1;
      }
      stats = r.err;
      rss = std::max(rss, r.max_rss_kb);
    }
    std::sort(times.begin(), times.end());
    std::smatch m;
    std::regex_search(stats, m, std::regex("with (\\d+) tmux process\\(es\\) and (\\d+) bus call"));
    auto t = Clock::now();
    for (int i = 0; i < n; ++i) {
      std::string name = fmt::format("agent{}", i);
      sandbox.Tmux("bench", {"has-session", "-t", "=" + name});
      sandbox.Exec({"systemctl", "--user", "is-active", "mosaic-agent@" + name + ".service"});
    }
    double per_agent = Ms(t);
    fmt::print("{:>6} {:>10.1f} {:>6} {:>6} {:>9.1f} {:>12.0f} {:>8.0f}x {:>10.1f}\n", n, times[2],
               m[1].str(), m[2].str(), rss / 1024.0, per_agent, per_agent / times[2], apply_s);
    std::fflush(stdout);
  }
  return 0;
}

int BenchApply(int n) {
  fmt::print("\nbringing up {} sessions from nothing\n", n);
  Sandbox sandbox;
  double fleet_ms = ApplyFleet(sandbox, n);
  if (fleet_ms < 0) return 1;
  if (sandbox.Sessions("bench").size() != static_cast<size_t>(n + 1))
    fmt::print(stderr, "warning: not all sessions up\n");

  // tmuxp: one workspace file per session, all loaded by one command.
  std::vector<std::string> tmuxp = {"tmuxp", "load", "-d", "-y", "-L", "tmuxp-bench"};
  for (int i = 0; i < n; ++i) {
    std::string file = sandbox.root() + fmt::format("/tmuxp/agent{}.yaml", i);
    sandbox.WriteFile(
        file, fmt::format("session_name: agent{}\nwindows:\n  - window_name: main\n    panes:\n"
                          "      - shell_command: [cat]\n",
                          i));
    tmuxp.push_back(file);
  }
  auto t = Clock::now();
  RunResult tp = sandbox.Exec(tmuxp);
  double tmuxp_ms = Ms(t);
  size_t tmuxp_sessions = sandbox.Sessions("tmuxp-bench").size();

  // tmuxinator: one project per session.
  t = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::string file = sandbox.root() + fmt::format("/tmuxinator/agent{}.yml", i);
    sandbox.WriteFile(
        file, fmt::format("name: agent{}\nsocket_name: tmuxinator-bench\nattach: false\nwindows:\n"
                          "  - main: cat\n",
                          i));
    sandbox.Exec(
        {"tmuxinator", "start", "-p", file, "--no-attach", "--suppress-tmux-version-warning=true"});
  }
  double tmuxinator_ms = Ms(t);
  size_t tmuxinator_sessions = sandbox.Sessions("tmuxinator-bench").size();

  fmt::print("{:<34} {:>9} {:>10} {:>8}\n", "tool", "sessions", "wall ms", "ratio");
  fmt::print("{:<34} {:>9} {:>10.0f} {:>8}\n", "mosaic-fleet apply --yes", n, fleet_ms, "1.0x");
  fmt::print("{:<34} {:>9} {:>10.0f} {:>7.1f}x\n", "tmuxp load -d (one command)", tmuxp_sessions,
             tmuxp_ms, tmuxp_ms / fleet_ms);
  fmt::print("{:<34} {:>9} {:>10.0f} {:>7.1f}x\n", "tmuxinator start (per session)",
             tmuxinator_sessions, tmuxinator_ms, tmuxinator_ms / fleet_ms);
  fmt::print(
      "(mosaic-fleet also writes {} env files and 2 unit files, enables and starts {} systemd "
      "units and\n"
      " verifies convergence; tmuxp exit {}.)\n",
      n, n + 1, tp.code);
  // The bench's own tmux servers: the Sandbox kills every server on its sockets when it ends.
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "all";
  std::vector<int> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {10, 100, 200, 1000};
  int rc = 0;
  if (mode == "plan" || mode == "all") rc |= BenchPlan(sizes);
  if (mode == "apply" || mode == "all") rc |= BenchApply(50);
  return rc;
}
