// Benchmarks against a real `systemd --user` and real tmux (the integration sandbox):
//   plan:  on converged fleets of 10, 100, 200 and 1000 agents — wall time, tmux processes,
//          bus calls and peak memory of `mosaic-fleet plan`, beside the per-agent approach
//          (one `tmux has-session` and one `systemctl --user is-active` per agent).
//   apply: bringing up 50 and 200 agents from nothing, beside tmuxp bringing up the same
//          sessions and the floor: one chained tmux call creating them plus one batched
//          `systemctl --user start` of as many trivial oneshot units; then the CPU each agent
//          cost, split between the manager, the tmux server, the agents' units and apply.
//   hosts: the pull model simulated: HOSTS sandboxes (each its own systemd --user and tmux
//          server, as separate machines would have) share one roster of HOSTS × AGENTS agents
//          and all converge at once, each with `apply --yes --host hostK`; then each runs the
//          timer's converged `plan`. Reports the time until all have converged and what each
//          host paid (wall, CPU of mosaic-fleet, CPU of its units and tmux, peak memory).
// Usage: fleet_bench [plan|apply|all] [SIZES…]   (needs root, like the integration tests)
//        fleet_bench hosts [HOSTS [AGENTS]]        (default 10 × 100)
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"

namespace {

using mosaic::integration::RunResult;
using mosaic::integration::Sandbox;
using mosaic::integration::TmuxCalls;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// `agents` agents whose program is `cat`, as the sessions of tmuxp and of the floor are: the
// three bring up the same thing.
std::string Roster(int agents) {
  std::string yaml =
      "version: 1\ntmux: {socket_name: bench}\nruntimes: {pi: {command: cat}}\nagents:\n";
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
  if (!Check(sandbox.Fleet({"apply", "--yes", "--lock-timeout", "600"}), "apply")) {
    std::string log = sandbox.ManagerLog();
    fmt::print(stderr, "--- the end of systemd --user's log:\n{}\n",
               log.substr(log.size() > 8000 ? log.size() - 8000 : 0));
    return -1;
  }
  return Ms(start);
}

int BenchPlan(const std::vector<int>& sizes) {
  fmt::print("plan on a converged fleet (median of 5 runs)\n");
  fmt::print("{:>6} {:>10} {:>6} {:>6} {:>9} {:>9} {:>9} {:>12} {:>9} {:>10}\n", "agents",
             "plan ms", "tmux", "bus", "peak MiB", "json MiB", "stat MiB", "per-agent ms",
             "speedup", "apply s");
  for (int n : sizes) {
    Sandbox sandbox(TmuxCalls::kUnlogged);  // tmux itself, as an installed fleet runs it
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
    // Every command's peak memory at this size, the machine-readable ones included.
    long json_rss = 0, status_rss = 0;
    for (const auto& [args, rss_kb] :
         {std::pair<std::vector<std::string>, long*>{{"plan", "--json"}, &json_rss},
          {{"status", "--json"}, &status_rss}}) {
      RunResult r = sandbox.Fleet(args);
      if (r.out.empty()) {  // status exits non-zero for an unhealthy fleet; it still reports
        fmt::print(stderr, "{} failed ({}):\n{}\n", args[0], r.code, r.err);
        return 1;
      }
      *rss_kb = r.max_rss_kb;
    }
    std::smatch m;
    std::regex_search(stats, m, std::regex("with (\\d+) tmux process\\(es\\) and (\\d+) bus call"));
    auto t = Clock::now();
    for (int i = 0; i < n; ++i) {
      std::string name = fmt::format("agent{}", i);
      sandbox.Tmux("bench", {"has-session", "-t", "=" + name});
      sandbox.Exec({"systemctl", "--user", "is-active", "mosaic-agent@" + name + ".service"});
    }
    double per_agent = Ms(t);
    fmt::print(
        "{:>6} {:>10.1f} {:>6} {:>6} {:>9.1f} {:>9.1f} {:>9.1f} {:>12.0f} {:>8.0f}x {:>10.1f}\n", n,
        times[2], m[1].str(), m[2].str(), rss / 1024.0, json_rss / 1024.0, status_rss / 1024.0,
        per_agent, per_agent / times[2], apply_s);
    std::fflush(stdout);
  }
  return 0;
}

// CPU time the processes of one cgroup and its children have spent so far, in seconds, from
// cgroup v2's cpu.stat (exact: /proc/stat only counts ticks); nullopt when it cannot be read.
std::optional<double> CgroupCpuSeconds(const std::string& cgroup) {
  std::ifstream stat(cgroup + "/cpu.stat");
  std::string key;
  long long usec = 0;
  while (stat >> key >> usec)
    if (key == "usage_usec") return static_cast<double>(usec) / 1e6;
  return std::nullopt;
}

// The same, once the work started in the cgroup has finished: a session's program is still
// starting when the command that created it returns. Read every 100 ms until it moves by less
// than 1 ms of CPU (1% of a core), for at most 10 s.
std::optional<double> SettledCgroupCpuSeconds(const std::string& cgroup) {
  std::optional<double> last = CgroupCpuSeconds(cgroup);
  for (int i = 0; i < 100 && last; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::optional<double> now = CgroupCpuSeconds(cgroup);
    if (!now || *now - *last < 0.001) return now;
    last = now;
  }
  return last;
}

// The sandbox manager's cgroup: the manager (init.scope), its units, the tmux server and every
// session.
std::string ManagerCgroup(const Sandbox& sandbox) { return sandbox.CgroupDirectories().back(); }

// The agents' units: their slices under app.slice.
std::vector<std::string> AgentSlices(const Sandbox& sandbox) {
  std::vector<std::string> slices;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(ManagerCgroup(sandbox) + "/app.slice", ec))
    if (entry.is_directory() && entry.path().filename().string().starts_with("app-mosaic"))
      slices.push_back(entry.path().string());
  return slices;
}

// Where the CPU of bringing up agents went, in seconds: exact cgroup and rusage figures.
struct CpuSplit {
  double manager = 0;      ///< systemd --user itself (init.scope)
  double holder = 0;       ///< the holder's unit: the tmux server, and each pane's program
                           ///< until `session exec` has moved it into its agent's unit
  double agent_units = 0;  ///< `session run`, its tmux call, the rest of `session exec`, the agent
  double command = 0;      ///< the command that was run (apply, or systemctl and tmux), and what
                           ///< it waited for
  double other = 0;        ///< the rest of the manager's tree (other units)
  double total() const { return manager + holder + agent_units + command + other; }
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// The floor under any tool that brings up `n` agents as systemd units in tmux sessions: what
// tmux and systemd themselves cost for it, measured in `sandbox` (two parts, in seconds).
struct Floor {
  double tmux_s = -1;     ///< one tmux process creating the n sessions (chained new-session)
  double systemd_s = -1;  ///< one `systemctl --user start` of n trivial oneshot units
  /// The CPU time of both: tmux's client, server and panes; systemctl, the manager and the
  /// units. Unknown when a cgroup could not be read.
  std::optional<double> cpu_s;
};

Floor MeasureFloor(Sandbox& sandbox, int n) {
  Floor floor;
  // The chained call runs in a cgroup of its own beside the manager's, so that its server and
  // panes, which outlive it, are counted (the shell that moves it there is not: it enters the
  // cgroup only to exec tmux). The sandbox removes the cgroup with its own.
  const std::string manager = ManagerCgroup(sandbox);
  const std::string tmux_cgroup = manager.substr(0, manager.rfind('/')) + "/floor-tmux";
  std::error_code ec;
  std::filesystem::create_directory(tmux_cgroup, ec);
  std::vector<std::string> chained = {"/bin/sh",
                                      "-c",
                                      "echo $$ > \"$0\" && exec \"$@\"",
                                      tmux_cgroup + "/cgroup.procs",
                                      "/usr/bin/tmux",
                                      "-L",
                                      "floor"};
  for (int i = 0; i < n; ++i) {
    if (i > 0) chained.push_back(";");
    chained.insert(chained.end(),
                   {"new-session", "-d", "-s", fmt::format("agent{}", i), "--", "cat", "-"});
  }
  auto t = Clock::now();
  if (Check(sandbox.Exec(chained), "the chained tmux call")) floor.tmux_s = Ms(t) / 1000;
  std::optional<double> tmux_cpu = SettledCgroupCpuSeconds(tmux_cgroup);
  sandbox.WriteFile(sandbox.Config() + "/systemd/user/floor@.service",
                    "[Service]\nType=oneshot\nExecStart=/bin/true\n");
  Check(sandbox.Exec({"systemctl", "--user", "daemon-reload"}), "daemon-reload");
  std::vector<std::string> start = {"systemctl", "--user", "start"};
  for (int i = 0; i < n; ++i) start.push_back(fmt::format("floor@{}.service", i));
  std::optional<double> before = SettledCgroupCpuSeconds(manager);
  t = Clock::now();
  RunResult started = sandbox.Exec(start);
  if (Check(started, "systemctl start")) floor.systemd_s = Ms(t) / 1000;
  std::optional<double> after = SettledCgroupCpuSeconds(manager);
  if (tmux_cpu && before && after) floor.cpu_s = *tmux_cpu + *after - *before + started.cpu_seconds;
  return floor;
}

// tmuxp loading n sessions (one workspace file each) with one command, in seconds.
double MeasureTmuxp(Sandbox& sandbox, int n) {
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
  RunResult r = sandbox.Exec(tmuxp);
  double seconds = Ms(t) / 1000;
  size_t up = sandbox.Sessions("tmuxp-bench").size();
  if (r.code != 0 || up != static_cast<size_t>(n)) {
    fmt::print(stderr, "tmuxp brought up {} of {} sessions (exit {}):\n{}\n", up, n, r.code,
               r.err.substr(0, 2000));
    return -1;
  }
  return seconds;
}

// One `apply --yes --settle 0` from nothing.
struct UnsettledApply {
  double wall_s = 0;
  std::optional<CpuSplit> cpu;  ///< unknown when a cgroup could not be read (said on stderr)
};

// Brings up `n` agents from nothing with `apply --yes --settle 0` in `sandbox`, or nullopt
// (after saying why) when it could not.
std::optional<UnsettledApply> ApplyUnsettled(Sandbox& sandbox, int n) {
  sandbox.InstallStandInAgent();
  sandbox.WriteFile(sandbox.RosterPath(), Roster(n));
  const std::string tree = ManagerCgroup(sandbox);
  std::optional<double> tree_before = SettledCgroupCpuSeconds(tree);
  std::optional<double> manager_before = CgroupCpuSeconds(tree + "/init.scope");
  auto t = Clock::now();
  RunResult applied = sandbox.Fleet({"apply", "--yes", "--settle", "0"});
  double wall_s = Ms(t) / 1000;
  if (!Check(applied, "apply --settle 0")) return std::nullopt;
  // The holder's unit and the agents' slices are new with this apply: all they spent is its.
  std::optional<double> tree_after = SettledCgroupCpuSeconds(tree);
  std::optional<double> manager_after = CgroupCpuSeconds(tree + "/init.scope");
  std::optional<double> holder = CgroupCpuSeconds(tree + "/app.slice/mosaic-tmux-holder.service");
  std::vector<std::string> slices = AgentSlices(sandbox);
  std::optional<double> agents = slices.empty() ? std::nullopt : std::optional<double>(0);
  for (const std::string& slice : slices) {
    std::optional<double> spent = CgroupCpuSeconds(slice);
    agents = agents && spent ? std::optional<double>(*agents + *spent) : std::nullopt;
  }
  if (!tree_before || !tree_after || !manager_before || !manager_after || !holder || !agents) {
    fmt::print(stderr, "the sandbox's cgroups could not all be read under {}\n", tree);
    return UnsettledApply{wall_s, std::nullopt};
  }
  CpuSplit split;
  split.manager = *manager_after - *manager_before;
  split.holder = *holder;
  split.agent_units = *agents;
  split.command = applied.cpu_seconds;
  split.other = *tree_after - *tree_before - split.manager - split.holder - split.agent_units;
  return UnsettledApply{wall_s, split};
}

// Cold apply (no unit files, env files or server) side by side with tmuxp and the floor, each
// in a fresh sandbox per run, medians of `runs`. Every sandbox runs tmux itself, without the
// integration tests' logging shim, as an installed fleet does.
int BenchColdApply(const std::vector<int>& sizes, int runs) {
  fmt::print(
      "cold apply: bringing up N agents from nothing (median of {} runs, each in a fresh "
      "sandbox)\n",
      runs);
  fmt::print("{:>6} {:>9} {:>11} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}\n", "agents", "apply s",
             "w/o settle", "tmuxp s", "tmux s", "systemd s", "floor s", "vs floor", "vs tmuxp");
  int rc = 0;
  std::vector<std::string> cpu_rows;  // where the CPU of the --settle 0 runs went, per agent
  for (int n : sizes) {
    std::vector<double> apply, unsettled, tmuxp, tmux, systemd, floor_cpu;
    std::vector<CpuSplit> splits;
    for (int run = 0; run < runs; ++run) {
      {
        Sandbox sandbox(TmuxCalls::kUnlogged);
        double ms = ApplyFleet(sandbox, n);
        if (ms < 0) return 1;
        apply.push_back(ms / 1000);
        if (sandbox.Sessions("bench").size() != static_cast<size_t>(n + 1)) {
          fmt::print(stderr, "not all {} sessions are up after apply\n", n);
          rc = 1;
        }
      }
      {
        Sandbox sandbox(TmuxCalls::kUnlogged);
        std::optional<UnsettledApply> measured = ApplyUnsettled(sandbox, n);
        if (!measured) return 1;
        unsettled.push_back(measured->wall_s);
        if (measured->cpu) splits.push_back(*measured->cpu);
      }
      {
        Sandbox sandbox(TmuxCalls::kUnlogged);
        tmuxp.push_back(MeasureTmuxp(sandbox, n));
        Floor floor = MeasureFloor(sandbox, n);
        tmux.push_back(floor.tmux_s);
        systemd.push_back(floor.systemd_s);
        if (floor.cpu_s) floor_cpu.push_back(*floor.cpu_s);
      }
    }
    if (!splits.empty() && !floor_cpu.empty()) {
      // The run of median total, whole: its parts add up to it.
      std::sort(splits.begin(), splits.end(),
                [](const CpuSplit& a, const CpuSplit& b) { return a.total() < b.total(); });
      const CpuSplit& run = splits[splits.size() / 2];
      auto per_agent = [n](double seconds) { return seconds * 1000 / n; };
      cpu_rows.push_back(fmt::format(
          "{:>6} {:>8.1f} {:>9.1f} {:>13.1f} {:>12.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>9.2f}x\n", n,
          per_agent(run.total()), per_agent(run.manager), per_agent(run.holder),
          per_agent(run.agent_units), per_agent(run.command), per_agent(run.other),
          per_agent(Median(floor_cpu)), run.total() / Median(floor_cpu)));
    }
    double floor = Median(tmux) + Median(systemd);
    fmt::print("{:>6} {:>9.2f} {:>11.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f}x {:>8.1f}x\n",
               n, Median(apply), Median(unsettled), Median(tmuxp), Median(tmux), Median(systemd),
               floor, Median(unsettled) / floor, Median(tmuxp) / Median(apply));
    std::fflush(stdout);
  }
  fmt::print(
      "apply s: `apply --yes` as an operator runs it, its 3 s --settle included (the wait that "
      "catches agents\n"
      "dying at once); w/o settle: `--settle 0`. vs floor: w/o settle over (tmux s + systemd s). "
      "vs tmuxp:\n"
      "tmuxp's time over apply's. mosaic-fleet also writes N env files and 2 unit files, enables "
      "and starts\n"
      "N+1 units whose programs each join their own cgroup, and observes the result.\n");
  fmt::print("\nCPU per agent, ms (cgroup v2 and rusage; the --settle 0 run of median total):\n");
  fmt::print("{:>6} {:>8} {:>9} {:>13} {:>12} {:>8} {:>8} {:>8} {:>10}\n", "agents", "total",
             "manager", "tmux server", "agent units", "apply", "other", "floor", "vs floor");
  for (const std::string& row : cpu_rows) fmt::print("{}", row);
  fmt::print(
      "manager: systemd --user itself (single-threaded). tmux server: the holder's unit, which "
      "also holds\n"
      "each pane's program until `session exec` has moved it into its agent's unit (its start, "
      "its read of\n"
      "the env file, its bus connection). agent units: `session run` and its tmux call, the rest "
      "of\n"
      "`session exec`, the agent's program. apply: the apply process and the tmux calls it "
      "waited for.\n"
      "other: the manager's other units. floor: median of the floor's runs, the chained tmux "
      "call's client,\n"
      "server and panes, plus `systemctl start`, the manager and the units.\n");
  return rc;
}

std::string HostsRoster(int hosts, int agents) {
  std::string yaml = "version: 1\ntmux: {socket_name: bench}\nagents:\n";
  for (int h = 0; h < hosts; ++h)
    for (int i = 0; i < agents; ++i)
      yaml += fmt::format("  - {{name: h{}-agent{}, runtime: pi, host: host{}}}\n", h, i, h);
  return yaml;
}

struct HostRun {
  RunResult apply, plan;
  double apply_s = 0, plan_ms = 0, units_cpu_s = 0;
  size_t sessions = 0;
};

// Runs `run(h)` for every host at once, each on its own thread; returns the wall time until
// the last one ended.
template <typename Run>
double AllAtOnce(int hosts, Run run) {
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int h = 0; h < hosts; ++h) threads.emplace_back(run, h);
  for (std::thread& t : threads) t.join();
  return Ms(start) / 1000;
}

int BenchHosts(int hosts, int agents) {
  fmt::print("{} hosts × {} agents, one roster of {} agents, every host converging at once\n",
             hosts, agents, hosts * agents);
  std::vector<std::unique_ptr<Sandbox>> sandboxes;
  std::string roster = HostsRoster(hosts, agents);
  for (int h = 0; h < hosts; ++h) {
    sandboxes.push_back(std::make_unique<Sandbox>(TmuxCalls::kUnlogged));
    Sandbox& s = *sandboxes.back();
    if (!s.unavailable().empty()) {
      fmt::print(stderr, "sandbox unavailable: {}\n", s.unavailable());
      return 1;
    }
    s.InstallStandInAgent();
    s.WriteFile(s.RosterPath(), roster);  // the same text everywhere, as git or a sync leaves it
  }
  std::vector<HostRun> runs(hosts);
  std::vector<double> cpu_before(hosts);
  for (int h = 0; h < hosts; ++h) {
    std::optional<double> spent = CgroupCpuSeconds(ManagerCgroup(*sandboxes[h]));
    if (!spent) {
      fmt::print(stderr, "cannot read the CPU time of {}\n", ManagerCgroup(*sandboxes[h]));
      return 1;
    }
    cpu_before[h] = *spent;
  }

  double converge_s = AllAtOnce(hosts, [&](int h) {
    auto t = Clock::now();
    runs[h].apply =
        sandboxes[h]->Fleet({"apply", "--yes", "--host", fmt::format("host{}", h), "--lock-timeout",
                             "600", "--timeout", "600", "--job-timeout", "900"});
    runs[h].apply_s = Ms(t) / 1000;
  });
  for (int h = 0; h < hosts; ++h) {
    std::optional<double> spent = CgroupCpuSeconds(ManagerCgroup(*sandboxes[h]));
    if (!spent) {
      fmt::print(stderr, "cannot read the CPU time of {}\n", ManagerCgroup(*sandboxes[h]));
      return 1;
    }
    runs[h].units_cpu_s = *spent - cpu_before[h];
    if (std::getenv("BENCH_CGROUPS"))
      for (const char* cg : {"/init.scope", "/app.slice/mosaic-tmux-holder.service",
                             "/app.slice/app-mosaic\\x2dagent.slice"})
        fmt::print("host{} {} {:.2f}\n", h, cg,
                   CgroupCpuSeconds(ManagerCgroup(*sandboxes[h]) + cg).value_or(-1));
    runs[h].sessions = sandboxes[h]->Sessions("bench").size();
  }
  double plans_s = AllAtOnce(hosts, [&](int h) {
    auto t = Clock::now();
    runs[h].plan =
        sandboxes[h]->Fleet({"plan", "--detailed-exitcode", "--host", fmt::format("host{}", h)});
    runs[h].plan_ms = Ms(t);
  });

  int rc = 0;
  fmt::print("{:>6} {:>8} {:>9} {:>9} {:>10} {:>9} {:>9} {:>9}\n", "host", "apply s", "CPU s",
             "units s", "peak MiB", "sessions", "plan ms", "plan MiB");
  for (int h = 0; h < hosts; ++h) {
    const HostRun& r = runs[h];
    fmt::print("{:>6} {:>8.1f} {:>9.2f} {:>9.2f} {:>10.1f} {:>9} {:>9.0f} {:>9.1f}\n",
               fmt::format("host{}", h), r.apply_s, r.apply.cpu_seconds, r.units_cpu_s,
               r.apply.max_rss_kb / 1024.0, r.sessions, r.plan_ms, r.plan.max_rss_kb / 1024.0);
    // Each host runs exactly its own agents (and the holder's session), and its next plan —
    // over the whole roster, the other hosts' agents included — is empty.
    if (r.apply.code != 0 || r.sessions != static_cast<size_t>(agents + 1) || r.plan.code != 0) {
      fmt::print(stderr, "host{} did not converge: apply {} plan {}, {} sessions\n{}{}{}{}\n", h,
                 r.apply.code, r.plan.code, r.sessions, r.apply.out, r.apply.err, r.plan.out,
                 r.plan.err);
      rc = 1;
    }
  }
  auto total = [&](auto field) {
    double sum = 0;
    for (const HostRun& r : runs) sum += field(r);
    return sum;
  };
  fmt::print(
      "all {} hosts converged in {:.1f} s ({} agents, {} cores shared by every host); converged "
      "plans, all at once: {:.2f} s\n"
      "per host, mean: apply CPU {:.2f} s, units and tmux {:.2f} s\n",
      hosts, converge_s, hosts * agents, std::thread::hardware_concurrency(), plans_s,
      total([](const HostRun& r) { return r.apply.cpu_seconds; }) / hosts,
      total([](const HostRun& r) { return r.units_cpu_s; }) / hosts);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  // Piped into `head`, the bench must still tear its sandboxes down (systemd managers, tmux
  // servers, cgroups): a closed pipe fails a write instead of killing the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::string mode = argc > 1 ? argv[1] : "all";
  if (mode != "plan" && mode != "apply" && mode != "all" && mode != "hosts") {
    fmt::print(stderr,
               "usage: fleet_bench [plan|apply|all] [SIZES…]\n"
               "       fleet_bench hosts [HOSTS [AGENTS]]\n"
               "(needs root: each run starts its own systemd --user and tmux server)\n");
    return mode == "--help" || mode == "-h" ? 0 : 2;
  }
  if (mode == "hosts")
    return BenchHosts(argc > 2 ? std::atoi(argv[2]) : 10, argc > 3 ? std::atoi(argv[3]) : 100);
  std::vector<int> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {10, 100, 200, 1000};
  int rc = 0;
  if (mode == "plan" || mode == "all") rc |= BenchPlan(sizes);
  if (mode == "apply" || mode == "all")
    rc |= BenchColdApply(mode == "apply" && argc > 2 ? sizes : std::vector<int>{50, 200}, 3);
  return rc;
}
