// BusyServerPatience: what a supervisor (the holder's, an agent's) does when a look at the
// fleet's tmux server fails. A busy server (hundreds of sessions being made at once) is not a
// lost one: exiting would stop the unit, and the holder's stop ends the server and every
// session. One silent for kBusyServerPatience is wedged: the supervisor then gives up, so that
// systemd acts.
#pragma once

#include <chrono>
#include <ostream>

#include "status.h"
#include "system.h"
#include "tmux.h"

namespace mosaic {

class BusyServerPatience {
 public:
  /// After a failed look: true to look again (said on `err`, after a second's pause); false
  /// once the server has not answered for kBusyServerPatience (the error said on `err`).
  bool LookAgain(System& system, const Status& failure, std::ostream& err) {
    auto now = system.Monotonic();
    if (since_ == kAnswering) since_ = now;
    if (now - since_ >= kBusyServerPatience) {
      err << "error: " << failure.message() << " (no answer for "
          << std::chrono::duration_cast<std::chrono::minutes>(kBusyServerPatience).count()
          << " minutes)\n";
      return false;
    }
    err << "warning: " << failure.message() << "; looking again\n";
    system.Sleep(std::chrono::seconds(1));
    return true;
  }
  /// After a look that got an answer.
  void Answered() { since_ = kAnswering; }

 private:
  static constexpr auto kAnswering = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point since_ = kAnswering;  ///< when it stopped answering
};

}  // namespace mosaic
