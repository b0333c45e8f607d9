// ProcessRunner: runs a program and collects what it printed. The only way executors start
// processes, so tests can record every command line (RecordingProcessRunner).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "status.h"

namespace mosaic {

struct ProcessRequest {
  std::vector<std::string> argv;       ///< argv[0] is found on PATH
  std::vector<std::string> unset_env;  ///< removed from the child's environment
  /// Longest wait for the program; past it the program is killed (SIGKILL) and the result
  /// says timed_out. Zero: no bound (only for programs that cannot hang).
  std::chrono::milliseconds timeout{0};
  /// What the program reads on stdin, then end of file; without it, stdin is /dev/null.
  std::optional<std::string> input;
};

struct ProcessResult {
  int exit_code = 0;
  std::string out;
  std::string err;
  bool timed_out = false;  ///< killed at the request's timeout; exit_code means nothing then
};

/// How a program run on the terminal ended.
struct TerminalResult {
  int exit_code = 0;
  /// SIGINT, SIGTERM or SIGHUP that came to this process while the program ran (it was
  /// then ended); 0 when none did.
  int interrupted_by = 0;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// Runs the program with this process's environment minus `unset_env`, stdin from
  /// /dev/null, and no inherited descriptors but stdout/stderr pipes. An error Status only
  /// when the program could not be run at all.
  virtual Result<ProcessResult> Run(const ProcessRequest& request) = 0;
  /// Runs the program on this process's terminal (stdin, stdout and stderr its own, no
  /// timeout) until it ends. SIGINT, SIGTERM and SIGHUP sent to this process meanwhile end
  /// the program and are returned, not acted on, so that the caller can clean up first.
  virtual Result<TerminalResult> RunInTerminal(const ProcessRequest& request) = 0;
  /// How many processes this runner has started (benchmarks and tests count them).
  virtual int processes_started() const = 0;
};

class RealProcessRunner : public ProcessRunner {
 public:
  Result<ProcessResult> Run(const ProcessRequest& request) override;
  Result<TerminalResult> RunInTerminal(const ProcessRequest& request) override;
  int processes_started() const override { return started_; }

 private:
  std::atomic<int> started_ = 0;  // Run may be called from several threads
};

/// Records every request; answers with `respond` (default: exit 0, no output).
class RecordingProcessRunner : public ProcessRunner {
 public:
  using Responder = std::function<ProcessResult(const std::vector<std::string>&)>;
  explicit RecordingProcessRunner(Responder respond = {}) : respond_(std::move(respond)) {}
  Result<ProcessResult> Run(const ProcessRequest& request) override {
    calls.push_back(request.argv);
    unset.push_back(request.unset_env);
    timeouts.push_back(request.timeout);
    inputs.push_back(request.input);
    return respond_ ? respond_(request.argv) : ProcessResult{};
  }
  Result<TerminalResult> RunInTerminal(const ProcessRequest& request) override {
    calls.push_back(request.argv);
    unset.push_back(request.unset_env);
    timeouts.push_back(request.timeout);
    inputs.push_back(request.input);
    return TerminalResult{respond_ ? respond_(request.argv).exit_code : 0, 0};
  }
  int processes_started() const override { return static_cast<int>(calls.size()); }

  std::vector<std::vector<std::string>> calls;
  std::vector<std::vector<std::string>> unset;
  std::vector<std::chrono::milliseconds> timeouts;
  std::vector<std::optional<std::string>> inputs;

 private:
  Responder respond_;
};

}  // namespace mosaic
