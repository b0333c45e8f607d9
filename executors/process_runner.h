// ProcessRunner: runs a program and collects what it printed. The only way executors start
// processes, so tests can record every command line (RecordingProcessRunner).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "status.h"

namespace mosaic {

struct ProcessResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// Runs argv[0] found on PATH with `argv`, with this process's environment minus
  /// `unset_env`, stdin from /dev/null, and no inherited descriptors but stdout/stderr pipes.
  /// An error Status only when the program could not be run at all.
  virtual Result<ProcessResult> Run(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& unset_env) = 0;
  /// How many processes this runner has started (benchmarks and tests count them).
  virtual int processes_started() const = 0;
};

class RealProcessRunner : public ProcessRunner {
 public:
  Result<ProcessResult> Run(const std::vector<std::string>& argv,
                            const std::vector<std::string>& unset_env) override;
  int processes_started() const override { return started_; }

 private:
  std::atomic<int> started_ = 0;  // Run may be called from several threads
};

/// Records every command line; answers with `respond` (default: exit 0, no output).
class RecordingProcessRunner : public ProcessRunner {
 public:
  using Responder = std::function<ProcessResult(const std::vector<std::string>&)>;
  explicit RecordingProcessRunner(Responder respond = {}) : respond_(std::move(respond)) {}
  Result<ProcessResult> Run(const std::vector<std::string>& argv,
                            const std::vector<std::string>& unset_env) override {
    calls.push_back(argv);
    unset.push_back(unset_env);
    return respond_ ? respond_(argv) : ProcessResult{};
  }
  int processes_started() const override { return static_cast<int>(calls.size()); }

  std::vector<std::vector<std::string>> calls;
  std::vector<std::vector<std::string>> unset;

 private:
  Responder respond_;
};

}  // namespace mosaic
