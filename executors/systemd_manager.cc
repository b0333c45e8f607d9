#include "systemd_manager.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "journal.h"
#include "utf8.h"

namespace mosaic {
namespace {

constexpr char kService[] = "org.freedesktop.systemd1";
constexpr char kPath[] = "/org/freedesktop/systemd1";
constexpr char kManager[] = "org.freedesktop.systemd1.Manager";

// The manager's own words, or — when it did not answer at all — a sentence that says so.
std::string BusError(const sd_bus_error& error, int r) {
  if (r == -ETIMEDOUT ||
      (error.name && std::string_view(error.name) == "org.freedesktop.DBus.Error.Timeout") ||
      (error.name && std::string_view(error.name) == "org.freedesktop.DBus.Error.NoReply"))
    return "the systemd user manager did not answer in time (is it frozen or overloaded? "
           "wait longer with --timeout SECONDS)";
  if (error.message) return error.message;
  return std::strerror(r < 0 ? -r : r);
}

uint64_t NowUsec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

// Appends `strings` to `m` as a string array ("as").
int AppendStrings(sd_bus_message* m, const std::vector<std::string>& strings) {
  int r = sd_bus_message_open_container(m, 'a', "s");
  for (const std::string& s : strings)
    if (r >= 0) r = sd_bus_message_append_basic(m, 's', s.c_str());
  return r >= 0 ? sd_bus_message_close_container(m) : r;
}

// Frees sd-bus objects on every path out of a function.
struct MessageRef {
  sd_bus_message* m = nullptr;
  ~MessageRef() { sd_bus_message_unref(m); }
};
struct ErrorRef {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~ErrorRef() { sd_bus_error_free(&e); }
};

class SdBusManager : public SystemdManager {
 public:
  SdBusManager(sd_bus* bus, BusTimeouts timeouts) : bus_(bus), timeouts_(timeouts) {}
  // Every call is awaited before it returns, so nothing is left to flush; and a flush would
  // wait, unbounded, on a manager that stopped answering.
  ~SdBusManager() override { sd_bus_close_unref(bus_); }

  Status Subscribe() {
    ErrorRef error;
    MessageRef reply;
    ++calls_;
    int r =
        sd_bus_call_method(bus_, kService, kPath, kManager, "Subscribe", &error.e, &reply.m, "");
    return r < 0 ? Status::Error("cannot subscribe to the systemd user manager: " +
                                 BusError(error.e, r))
                 : Status::Ok();
  }

  Result<std::vector<UnitStatus>> ListUnits(const std::vector<std::string>& names,
                                            const std::vector<std::string>& patterns) override {
    std::vector<UnitStatus> units;
    if (!names.empty()) {
      if (Status s = ListInto("ListUnitsByNames", {}, names, units); !s.ok()) return s;
    }
    if (!patterns.empty()) {
      if (Status s = ListInto("ListUnitsByPatterns", std::vector<std::string>{}, patterns, units);
          !s.ok())
        return s;
    }
    return units;
  }

  Result<std::vector<std::string>> UnitsNeedingReload(
      const std::vector<std::string>& units) override {
    Result<std::vector<std::string>> values =
        ReadProperty(units, "org.freedesktop.systemd1.Unit", "NeedDaemonReload", 'b');
    if (!values.ok()) return values.status();
    std::vector<std::string> stale;
    for (size_t i = 0; i < units.size(); ++i)
      if (values.value()[i] == "1") stale.push_back(units[i]);
    return stale;
  }

  Result<std::map<std::string, std::string>> UnitResults(
      const std::vector<std::string>& units) override {
    Result<std::vector<std::string>> values =
        ReadProperty(units, "org.freedesktop.systemd1.Service", "Result", 's');
    if (!values.ok()) return values.status();
    // A failed unit that systemd restarted on its own (NRestarts counts those since the last
    // explicit start) and then left failed was stopped by its start limit: systemd keeps the
    // last failure's Result ("exit-code") and says "start-limit-hit" only for a refused job.
    Result<std::vector<std::string>> restarts =
        ReadProperty(units, "org.freedesktop.systemd1.Service", "NRestarts", 'u');
    if (!restarts.ok()) return restarts.status();
    std::map<std::string, std::string> results;
    for (size_t i = 0; i < units.size(); ++i) {
      const std::string& result = values.value()[i];
      bool crashed = result == "exit-code" || result == "signal" || result == "core-dump" ||
                     result == "watchdog";  // not, say, a dependency that failed to start
      results[units[i]] = crashed && restarts.value()[i] != "0" ? "start-limit-hit" : result;
    }
    return results;
  }

  Result<ServiceProcess> MainProcess(const std::string& unit) override {
    Result<std::vector<std::string>> pid =
        ReadProperty({unit}, "org.freedesktop.systemd1.Service", "MainPID", 'u');
    if (!pid.ok()) return pid.status();
    Result<std::vector<std::string>> cgroup =
        ReadProperty({unit}, "org.freedesktop.systemd1.Service", "ControlGroup", 's');
    if (!cgroup.ok()) return cgroup.status();
    return ServiceProcess{std::stoll(pid.value().at(0)), cgroup.value().at(0)};
  }

  Status AttachProcesses(const std::string& unit, const std::vector<int64_t>& pids) override {
    MessageRef call, reply;
    ErrorRef error;
    int r = sd_bus_message_new_method_call(bus_, &call.m, kService, kPath, kManager,
                                           "AttachProcessesToUnit");
    if (r >= 0) r = sd_bus_message_append(call.m, "ss", unit.c_str(), "");
    if (r >= 0) r = sd_bus_message_open_container(call.m, 'a', "u");
    for (int64_t pid : pids)
      if (r >= 0) r = sd_bus_message_append(call.m, "u", static_cast<uint32_t>(pid));
    if (r >= 0) r = sd_bus_message_close_container(call.m);
    ++calls_;
    if (r >= 0) r = sd_bus_call(bus_, call.m, 0, &error.e, &reply.m);
    if (r < 0)
      return Status::Error(
          fmt::format("cannot move processes into {}: {}", unit, BusError(error.e, r)));
    return Status::Ok();
  }

  Result<std::vector<std::string>> Environment() override {
    return ManagerStrings("Environment", "reading the user manager's environment");
  }

  Result<std::vector<std::string>> UnitPath() override {
    return ManagerStrings("UnitPath", "reading the user manager's unit path");
  }

  Status Reload() override {
    // Reloading reads every unit file again: bounded like a job, not like a quick call.
    ErrorRef error;
    MessageRef call, reply;
    int r = sd_bus_message_new_method_call(bus_, &call.m, kService, kPath, kManager, "Reload");
    ++calls_;
    if (r >= 0) r = sd_bus_call(bus_, call.m, JobUsec(), &error.e, &reply.m);
    return r < 0 ? Status::Error("daemon-reload failed: " + BusError(error.e, r)) : Status::Ok();
  }

  Status ResetFailed(const std::vector<std::string>& units) override {
    // One asynchronous call per unit, all sent before any answer is awaited.
    struct Call {
      bool answered = false;
      std::string error;
    };
    std::vector<Call> calls(units.size());
    std::vector<sd_bus_slot*> slots;
    auto on_reply = [](sd_bus_message* m, void* userdata, sd_bus_error*) -> int {
      auto* call = static_cast<Call*>(userdata);
      call->answered = true;
      const sd_bus_error* e = sd_bus_message_get_error(m);
      // A unit that is not loaded has nothing to reset.
      if (e && !sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
        call->error = BusError(*e, -sd_bus_error_get_errno(e));
      return 0;
    };
    for (size_t i = 0; i < units.size(); ++i) {
      sd_bus_slot* slot = nullptr;
      int r = sd_bus_call_method_async(bus_, &slot, kService, kPath, kManager, "ResetFailedUnit",
                                       on_reply, &calls[i], "s", units[i].c_str());
      if (r < 0) {
        for (sd_bus_slot* each : slots) sd_bus_slot_unref(each);
        return Status::Error(fmt::format("cannot reset {}: {}", units[i], std::strerror(-r)));
      }
      ++calls_;
      slots.push_back(slot);
    }
    Status waited = WaitUntil([&] {
      return std::all_of(calls.begin(), calls.end(), [](const Call& c) { return c.answered; });
    });
    for (sd_bus_slot* each : slots) sd_bus_slot_unref(each);
    if (!waited.ok()) return waited;
    for (size_t i = 0; i < units.size(); ++i)
      if (!calls[i].error.empty())
        return Status::Error(fmt::format("reset-failed {}: {}", units[i], calls[i].error));
    return Status::Ok();
  }

  Status Enable(const std::vector<std::string>& units) override {
    return UnitFileCall("EnableUnitFiles", units, /*with_force=*/true);
  }

  Status Disable(const std::vector<std::string>& units) override {
    return UnitFileCall("DisableUnitFiles", units, /*with_force=*/false);
  }

  Status RunJobs(
      JobKind kind, const std::vector<std::string>& units,
      const std::function<void(const std::string&, const std::string&)>& progress) override {
    const char* method = kind == JobKind::kStart     ? "StartUnit"
                         : kind == JobKind::kRestart ? "RestartUnit"
                                                     : "StopUnit";
    return AwaitJobs(units, progress, [&](sd_bus_message** call, const std::string& unit) {
      int r = sd_bus_message_new_method_call(bus_, call, kService, kPath, kManager, method);
      return r < 0 ? r : sd_bus_message_append(*call, "ss", unit.c_str(), "replace");
    });
  }

  Status StartScope(const std::string& scope, const std::string& description,
                    const std::vector<int64_t>& pids) override {
    static const std::function<void(const std::string&, const std::string&)> kQuiet;
    return AwaitJobs({scope}, kQuiet, [&](sd_bus_message** call, const std::string&) {
      sd_bus_message* m = nullptr;
      int r =
          sd_bus_message_new_method_call(bus_, &m, kService, kPath, kManager, "StartTransientUnit");
      *call = m;
      if (r >= 0) r = sd_bus_message_append(m, "ss", scope.c_str(), "fail");
      if (r >= 0) r = sd_bus_message_open_container(m, 'a', "(sv)");
      if (r >= 0)
        r = sd_bus_message_append(m, "(sv)(sv)", "Description", "s", description.c_str(),
                                  "Delegate", "b", 1);
      if (r >= 0) r = sd_bus_message_open_container(m, 'r', "sv");
      if (r >= 0) r = sd_bus_message_append(m, "s", "PIDs");
      if (r >= 0) r = sd_bus_message_open_container(m, 'v', "au");
      if (r >= 0) r = sd_bus_message_open_container(m, 'a', "u");
      for (int64_t pid : pids)
        if (r >= 0) r = sd_bus_message_append(m, "u", static_cast<uint32_t>(pid));
      for (int i = 0; i < 4 && r >= 0; ++i) r = sd_bus_message_close_container(m);
      if (r >= 0) r = sd_bus_message_append(m, "a(sa(sv))", 0);
      return r;
    });
  }

  int bus_calls() const override { return calls_; }

 private:
  // Enqueues one job per unit (the call `make_call` builds for it), then waits for all of
  // them, each reported to `progress` as it finishes.
  Status AwaitJobs(const std::vector<std::string>& units,
                   const std::function<void(const std::string&, const std::string&)>& progress,
                   const std::function<int(sd_bus_message**, const std::string&)>& make_call) {
    if (units.empty()) return Status::Ok();
    // Job signals are needed only here: observing alone never pays for the subscription.
    if (!subscribed_) {
      if (Status s = Subscribe(); !s.ok()) return s;
      subscribed_ = true;
    }
    JobWait wait;
    wait.progress = &progress;
    sd_bus_slot* match = nullptr;
    // Listen before enqueuing: a fast job can finish before its StartUnit reply is read.
    int r = sd_bus_match_signal(bus_, &match, nullptr, kPath, kManager, "JobRemoved",
                                &JobWait::OnJobRemoved, &wait);
    if (r < 0)
      return Status::Error(fmt::format("cannot watch systemd jobs: {}", std::strerror(-r)));
    std::vector<sd_bus_slot*> slots;
    for (const std::string& unit : units) {
      MessageRef call;
      r = make_call(&call.m, unit);
      sd_bus_slot* slot = nullptr;
      // The reply only says the job is queued, but a busy manager may take a while to say it.
      if (r >= 0) r = sd_bus_call_async(bus_, &slot, call.m, &JobWait::OnReply, &wait, JobUsec());
      if (r < 0) {
        wait.failures.push_back(fmt::format("{}: cannot enqueue: {}", unit, std::strerror(-r)));
        continue;
      }
      ++calls_;
      slots.push_back(slot);
      wait.unit_of_call[slot] = unit;
      wait.pending_replies++;
    }
    // The bound is on progress, not on the whole step: a thousand units starting at once take
    // longer than one, but a step in which no job has finished for that long is stuck.
    uint64_t deadline = NowUsec() + JobUsec();
    size_t unfinished = wait.pending_replies + wait.waiting.size();
    while (wait.pending_replies > 0 || !wait.waiting.empty()) {
      if (size_t left = wait.pending_replies + wait.waiting.size(); left < unfinished) {
        unfinished = left;
        deadline = NowUsec() + JobUsec();
      }
      r = sd_bus_process(bus_, nullptr);
      if (r < 0) {
        wait.failures.push_back(
            fmt::format("lost the connection to the systemd user manager: {}", std::strerror(-r)));
        break;
      }
      if (r > 0) continue;
      uint64_t now = NowUsec();
      if (now >= deadline) {
        for (const auto& [job, unit] : wait.waiting)
          wait.failures.push_back(
              fmt::format("{}: still running, and no job of this step has finished for {} s "
                          "(wait longer with --job-timeout)",
                          unit, std::chrono::duration<double>(timeouts_.job).count()));
        break;
      }
      sd_bus_wait(bus_, deadline - now);
    }
    for (sd_bus_slot* slot : slots) sd_bus_slot_unref(slot);
    sd_bus_slot_unref(match);
    // Say why a job failed: the unit's own Result ("exit-code", "start-limit-hit", …) is one
    // bus call per failed unit, made only when something failed.
    for (const std::string& unit : wait.failed_units) {
      std::string failure = fmt::format("{}: {} ({}; see: journalctl --user -u {})", unit,
                                        wait.job_results[unit], UnitResult(unit), unit);
      // What the unit's main process said of itself (sd_notify STATUS=, kept after it
      // failed): `session run`'s own error, even where there is no journal to read.
      if (std::string said = ServiceString(unit, "StatusText"); !said.empty())
        failure += "\n    | " + PrintableText(said);
      for (const std::string& line : LastJournalLines(unit, 5))
        failure += "\n    | " + PrintableText(line);
      wait.failures.push_back(failure);
    }
    if (wait.failures.empty()) return Status::Ok();
    return Status::Error(fmt::format("{}", fmt::join(wait.failures, "; ")));
  }

  // State shared with the sd-bus callbacks of one RunJobs call.
  struct JobWait {
    const std::function<void(const std::string&, const std::string&)>* progress = nullptr;
    std::map<sd_bus_slot*, std::string> unit_of_call;
    std::map<std::string, std::string> waiting;  // job path → unit
    std::map<std::string, std::string>
        early_results;  // job path → result, removed before its reply
    std::vector<std::string> failures;
    std::vector<std::string> failed_units;
    std::map<std::string, std::string> job_results;
    int pending_replies = 0;

    void Finish(const std::string& unit, const std::string& result) {
      if (result == "done") {
        if (*progress) (*progress)(unit, result);
      } else {
        failed_units.push_back(unit);
        job_results[unit] = result;
      }
    }

    static int OnReply(sd_bus_message* m, void* userdata, sd_bus_error*) {
      auto* self = static_cast<JobWait*>(userdata);
      self->pending_replies--;
      std::string unit = self->unit_of_call[sd_bus_get_current_slot(sd_bus_message_get_bus(m))];
      const sd_bus_error* error = sd_bus_message_get_error(m);
      if (error) {
        self->failures.push_back(
            fmt::format("{}: {}", unit, BusError(*error, -sd_bus_error_get_errno(error))));
        return 0;
      }
      const char* job = nullptr;
      if (sd_bus_message_read(m, "o", &job) < 0 || !job) {
        self->failures.push_back(unit + ": unreadable reply from systemd");
        return 0;
      }
      auto early = self->early_results.find(job);
      if (early != self->early_results.end())
        self->Finish(unit, early->second);
      else
        self->waiting[job] = unit;
      return 0;
    }

    static int OnJobRemoved(sd_bus_message* m, void* userdata, sd_bus_error*) {
      auto* self = static_cast<JobWait*>(userdata);
      uint32_t id = 0;
      const char *job = nullptr, *unit = nullptr, *result = nullptr;
      if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0) return 0;
      auto it = self->waiting.find(job);
      if (it != self->waiting.end()) {
        self->Finish(it->second, result);
        self->waiting.erase(it);
      } else {
        self->early_results[job] = result;
      }
      return 0;
    }
  };

  // A string-list property of the manager.
  Result<std::vector<std::string>> ManagerStrings(const char* property, const char* what) {
    ErrorRef error;
    char** strv = nullptr;
    ++calls_;
    int r = sd_bus_get_property_strv(bus_, kService, kPath, kManager, property, &error.e, &strv);
    if (r < 0) return Status::Error(fmt::format("{}: {}", what, BusError(error.e, r)));
    std::vector<std::string> out;
    for (char** e = strv; e && *e; ++e) {
      out.emplace_back(*e);
      std::free(*e);
    }
    std::free(strv);
    return out;
  }

  // Property `property` (D-Bus type `type`: 'b' or 's') of each of `units`, as text ("1"/"0"
  // for booleans): one asynchronous read per unit, all sent before any answer is awaited.
  Result<std::vector<std::string>> ReadProperty(const std::vector<std::string>& units,
                                                const char* interface, const char* property,
                                                char type) {
    struct Query {
      char type = 's';
      bool answered = false;
      std::string value;
      std::string error;
    };
    std::vector<Query> queries(units.size(), Query{type});
    std::vector<sd_bus_slot*> slots;
    auto on_reply = [](sd_bus_message* m, void* userdata, sd_bus_error*) -> int {
      auto* q = static_cast<Query*>(userdata);
      q->answered = true;
      if (const sd_bus_error* e = sd_bus_message_get_error(m)) {
        q->error = BusError(*e, -sd_bus_error_get_errno(e));
        return 0;
      }
      const char contents[2] = {q->type, '\0'};
      int flag = 0;
      uint32_t number = 0;
      const char* text = nullptr;
      int r = sd_bus_message_enter_container(m, 'v', contents);
      if (r >= 0)
        r = q->type == 'b'   ? sd_bus_message_read_basic(m, 'b', &flag)
            : q->type == 'u' ? sd_bus_message_read_basic(m, 'u', &number)
                             : sd_bus_message_read_basic(m, 's', &text);
      if (r < 0)
        q->error = "unreadable reply";
      else if (q->type == 'b')
        q->value = flag ? "1" : "0";
      else if (q->type == 'u')
        q->value = std::to_string(number);
      else
        q->value = text ? text : "";
      return 0;
    };
    for (size_t i = 0; i < units.size(); ++i) {
      char* path = nullptr;
      int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", units[i].c_str(), &path);
      sd_bus_slot* slot = nullptr;
      if (r >= 0)
        r = sd_bus_call_method_async(bus_, &slot, kService, path, "org.freedesktop.DBus.Properties",
                                     "Get", on_reply, &queries[i], "ss", interface, property);
      std::free(path);
      if (r < 0) {
        for (sd_bus_slot* each : slots) sd_bus_slot_unref(each);
        return Status::Error(fmt::format("cannot ask about {}: {}", units[i], std::strerror(-r)));
      }
      ++calls_;
      slots.push_back(slot);
    }
    Status waited = WaitUntil([&] {
      return std::all_of(queries.begin(), queries.end(), [](const Query& q) { return q.answered; });
    });
    for (sd_bus_slot* each : slots) sd_bus_slot_unref(each);
    if (!waited.ok()) return waited;
    std::vector<std::string> values;
    for (size_t i = 0; i < units.size(); ++i) {
      if (!queries[i].error.empty())
        return Status::Error(
            fmt::format("reading {} of {}: {}", property, units[i], queries[i].error));
      values.push_back(queries[i].value);
    }
    return values;
  }

  // Processes bus traffic until `done()` holds. Every pending call carries the connection's
  // method-call timeout, after which sd-bus answers it with a timeout error itself.
  Status WaitUntil(const std::function<bool()>& done) {
    while (!done()) {
      int r = sd_bus_process(bus_, nullptr);
      if (r < 0)
        return Status::Error(
            fmt::format("lost the connection to the systemd user manager: {}", std::strerror(-r)));
      if (r > 0) continue;
      r = sd_bus_wait(bus_, UINT64_MAX);
      if (r < 0 && r != -EINTR)
        return Status::Error(
            fmt::format("waiting for the systemd user manager: {}", std::strerror(-r)));
    }
    return Status::Ok();
  }

  // A string property of a loaded service, or "" when it cannot be read.
  std::string ServiceString(const std::string& unit, const char* property) {
    ErrorRef error;
    MessageRef reply;
    ++calls_;
    if (sd_bus_call_method(bus_, kService, kPath, kManager, "GetUnit", &error.e, &reply.m, "s",
                           unit.c_str()) < 0)
      return "";
    const char* path = nullptr;
    if (sd_bus_message_read(reply.m, "o", &path) < 0 || !path) return "";
    char* value = nullptr;
    ErrorRef property_error;
    ++calls_;
    if (sd_bus_get_property_string(bus_, kService, path, "org.freedesktop.systemd1.Service",
                                   property, &property_error.e, &value) < 0)
      return "";
    std::string text = value ? value : "";
    std::free(value);
    return text;
  }

  std::string UnitResult(const std::string& unit) {
    std::string result = ServiceString(unit, "Result");
    return result.empty() ? "result unknown" : "result: " + result;
  }

  Status ListInto(const char* method, const std::optional<std::vector<std::string>>& states,
                  const std::vector<std::string>& names, std::vector<UnitStatus>& out) {
    MessageRef call, reply;
    ErrorRef error;
    int r = sd_bus_message_new_method_call(bus_, &call.m, kService, kPath, kManager, method);
    if (r >= 0 && states) r = AppendStrings(call.m, *states);
    if (r >= 0) r = AppendStrings(call.m, names);
    ++calls_;
    if (r >= 0) r = sd_bus_call(bus_, call.m, 0, &error.e, &reply.m);
    if (r < 0) return Status::Error(fmt::format("{} failed: {}", method, BusError(error.e, r)));
    r = sd_bus_message_enter_container(reply.m, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
    while (r > 0) {
      const char *name, *description, *load, *active, *sub, *following, *object, *job_type,
          *job_path;
      uint32_t job_id;
      r = sd_bus_message_read(reply.m, "(ssssssouso)", &name, &description, &load, &active, &sub,
                              &following, &object, &job_id, &job_type, &job_path);
      if (r > 0) out.push_back({name, load, active, sub});
    }
    return r < 0 ? Status::Error(fmt::format("{}: unreadable reply", method)) : Status::Ok();
  }

  Status UnitFileCall(const char* method, const std::vector<std::string>& units, bool with_force) {
    if (units.empty()) return Status::Ok();
    MessageRef call, reply;
    ErrorRef error;
    int r = sd_bus_message_new_method_call(bus_, &call.m, kService, kPath, kManager, method);
    if (r >= 0) r = AppendStrings(call.m, units);
    if (r >= 0) r = sd_bus_message_append(call.m, "b", 0);  // runtime: no, persistent
    if (r >= 0 && with_force) r = sd_bus_message_append(call.m, "b", 1);
    ++calls_;
    if (r >= 0) r = sd_bus_call(bus_, call.m, 0, &error.e, &reply.m);
    if (r < 0)
      return Status::Error(
          fmt::format("{} {} failed: {}", method, fmt::join(units, " "), BusError(error.e, r)));
    return Status::Ok();
  }

  uint64_t JobUsec() const { return static_cast<uint64_t>(timeouts_.job.count()) * 1000; }

  sd_bus* bus_;
  BusTimeouts timeouts_;
  int calls_ = 0;
  bool subscribed_ = false;
};

Status WaitUntilReady(sd_bus* bus, std::chrono::milliseconds timeout) {
  const uint64_t deadline = NowUsec() + static_cast<uint64_t>(timeout.count()) * 1000;
  while (true) {
    int r = sd_bus_is_ready(bus);
    if (r > 0) return Status::Ok();
    if (r == 0) r = sd_bus_process(bus, nullptr);
    if (r < 0)
      return Status::Error(
          fmt::format("cannot connect to the systemd user manager: {}", std::strerror(-r)));
    if (r > 0) continue;
    uint64_t now = NowUsec();
    if (now >= deadline)
      return Status::Error(fmt::format(
          "the systemd user manager did not answer in time ({} s to connect; is it frozen or "
          "overloaded? wait longer with --timeout SECONDS)",
          std::chrono::duration<double>(timeout).count()));
    (void)sd_bus_wait(bus, deadline - now);
  }
}

}  // namespace

Result<std::unique_ptr<SystemdManager>> ConnectUserManager(const std::string& xdg_runtime_dir,
                                                           BusTimeouts timeouts) {
  sd_bus* bus = nullptr;
  std::string tried;
  const std::chrono::milliseconds timeout = timeouts.call;
  const uint64_t timeout_usec = static_cast<uint64_t>(timeout.count()) * 1000;
  if (!xdg_runtime_dir.empty()) {
    std::string address = "unix:path=" + xdg_runtime_dir + "/systemd/private";
    int r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, address.c_str());
    if (r >= 0) r = sd_bus_set_method_call_timeout(bus, timeout_usec);
    if (r >= 0) r = sd_bus_start(bus);
    if (r < 0) {
      sd_bus_unref(bus);
      bus = nullptr;
      tried = fmt::format("{}/systemd/private: {}", xdg_runtime_dir, std::strerror(-r));
    }
  } else {
    tried = "XDG_RUNTIME_DIR is not set";
  }
  if (!bus) {
    int r = sd_bus_open_user(&bus);
    if (r < 0) {
      return Status::Error(fmt::format(
          "no systemd user manager is reachable ({}; user bus: {}). Is `systemd --user` running "
          "for this user? "
          "(On a server: loginctl enable-linger $USER.) `mosaic-fleet validate` needs no manager.",
          tried, std::strerror(-r)));
    }
    (void)sd_bus_set_method_call_timeout(bus, timeout_usec);
  }
  // sd-bus authenticates lazily and gives a silent peer 90 s; a frozen manager must cost no
  // more than any other call.
  if (Status ready = WaitUntilReady(bus, timeout); !ready.ok()) {
    sd_bus_close_unref(bus);  // not flushed: flushing waits for the very handshake that failed
    return ready;
  }
  return std::unique_ptr<SystemdManager>(std::make_unique<SdBusManager>(bus, timeouts));
}

}  // namespace mosaic
