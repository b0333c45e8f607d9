// Benchmark: validating rosters of 100, 1,000 and 10,000 agents (target: 10,000 well under a
// second). Reports the median of several runs and the process's peak memory.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "roster_loader.h"

namespace {

std::string MakeRoster(int agents) {
  std::string yaml =
      "version: 1\ntmux:\n  socket_name: bench\nruntimes:\n  claude:\n    reset_command: "
      "/clear\nagents:\n";
  for (int i = 0; i < agents; ++i) {
    yaml += fmt::format(
        "  - name: agent{}\n    runtime: {}\n    class: implementer\n    model_hint: Claude Opus\n"
        "    reset_between_tasks: true\n    working_directory: ~/src/project{}\n",
        i, i % 2 ? "claude" : "pi", i % 17);
  }
  return yaml;
}

}  // namespace

int main() {
  fmt::print("{:>8}  {:>10}  {:>12}  {:>10}\n", "agents", "bytes", "median ms", "runs");
  for (int agents : {100, 1000, 10000}) {
    std::string yaml = MakeRoster(agents);
    std::vector<double> ms;
    const int runs = agents >= 10000 ? 5 : 20;
    for (int run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      mosaic::RosterLoad load = mosaic::ParseRoster(yaml, "bench.yaml");
      auto end = std::chrono::steady_clock::now();
      if (!load.roster || load.roster->agents.size() != static_cast<size_t>(agents)) {
        fmt::print(stderr, "bench roster did not load\n");
        return 1;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    fmt::print("{:>8}  {:>10}  {:>12.1f}  {:>10}\n", agents, yaml.size(), ms[ms.size() / 2], runs);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("peak RSS: {:.1f} MiB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
