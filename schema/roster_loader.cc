#include "roster_loader.h"

#include <fmt/format.h>

#include "roster_rules.h"
#include "schema_document.h"
#include "schema_validation.h"
#include "time_span.h"

namespace mosaic {
namespace {

// Reads `key` or its camelCase alias from an object the schema has already checked.
std::string Text(const nlohmann::json& object, const std::string& key,
                 const std::string& fallback = "") {
  for (const auto& [k, v] : object.items())
    if (CanonicalKey(k) == key && v.is_string()) return v.get<std::string>();
  return fallback;
}

const nlohmann::json* Member(const nlohmann::json& object, const std::string& key) {
  for (const auto& [k, v] : object.items())
    if (CanonicalKey(k) == key) return &v;
  return nullptr;
}

// A duration the schema has checked: whole seconds, or a time span ("10min").
int64_t Seconds(const nlohmann::json& value, int64_t fallback) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) return ParseTimeSpan(value.get<std::string>()).value_or(fallback);
  return fallback;
}

// The previous tool's presets wrote `working_directory: ~`, which YAML reads as null; it meant
// the home directory. Such rosters are read that way, with a note saying how to write it.
Diagnostics AcceptBareTildeDirectories(LocatedJson& document) {
  Diagnostics notes;
  auto accept = [&](nlohmann::json& object, const std::string& pointer) {
    if (!object.is_object()) return;
    for (auto& [key, value] : object.items()) {
      if (CanonicalKey(key) != "working_directory" || !value.is_null()) continue;
      value = "~";
      const std::string at = fmt::format("{}/{}", pointer, key);
      notes.push_back({Severity::kNote, "", document.ValueLocation(at),
                       DisplayPath(document.value, at),
                       "null (a bare ~, or nothing, is null in YAML): read as \"~\", the home "
                       "directory (write \"~\" to say so)"});
    }
  };
  nlohmann::json& root = document.value;
  if (!root.is_object()) return notes;
  for (auto& [key, value] : root.items()) {
    if (CanonicalKey(key) == "defaults") accept(value, "/" + key);
    if (key == "agents" && value.is_array())
      for (size_t i = 0; i < value.size(); ++i) accept(value[i], "/agents/" + std::to_string(i));
  }
  return notes;
}

Roster ToRoster(const LocatedJson& document) {
  const nlohmann::json& root = document.value;
  Roster roster;
  roster.version = root.value("version", 1);
  roster.transport = root.value("transport", "tmux");
  roster.tenant_id = Text(root, "tenant_id");
  roster.host = Text(root, "host");
  if (const nlohmann::json* tmux = Member(root, "tmux")) {
    roster.socket_name = Text(*tmux, "socket_name", kDefaultSocketName);
    roster.holder_session = Text(*tmux, "holder_session", kDefaultHolderSession);
  }
  std::string default_restart = kDefaultRestart;
  int64_t default_stale_after = kDefaultHeartbeatStaleAfter;
  if (const nlohmann::json* health = Member(root, "health"))
    if (const nlohmann::json* stale = Member(*health, "heartbeat_stale_after"))
      default_stale_after = Seconds(*stale, default_stale_after);
  if (const nlohmann::json* defaults = Member(root, "defaults")) {
    roster.default_working_directory =
        Text(*defaults, "working_directory", kDefaultWorkingDirectory);
    default_restart = Text(*defaults, "restart", kDefaultRestart);
  }
  if (const nlohmann::json* reconcile = Member(root, "reconcile")) {
    ReconcileSettings settings;
    settings.interval = Text(*reconcile, "interval");
    settings.interval_seconds = ParseTimeSpan(settings.interval).value_or(0);
    if (const nlohmann::json* allow = Member(*reconcile, "allow_destroy"))
      settings.allow_destroy = allow->get<bool>();
    roster.reconcile = settings;
  }
  if (const nlohmann::json* runtimes = Member(root, "runtimes")) {
    for (const auto& [name, settings] : runtimes->items())
      roster.runtimes[name] = {Text(settings, "reset_command"), Text(settings, "command")};
  }
  const nlohmann::json& agents = root["agents"];
  for (size_t i = 0; i < agents.size(); ++i) {
    const nlohmann::json& a = agents[i];
    AgentSpec agent;
    agent.name = Text(a, "name");
    agent.runtime = Text(a, "runtime");
    agent.agent_class = Text(a, "class");
    agent.model_hint = Text(a, "model_hint");
    if (const nlohmann::json* persona = Member(a, "persistent_persona"))
      agent.persistent_persona =
          persona->is_string() ? persona->get<std::string>() : persona->dump();
    if (const nlohmann::json* reset = Member(a, "reset_between_tasks"))
      agent.reset_between_tasks = reset->get<bool>();
    agent.kickstart_template = Text(a, "kickstart_template");
    agent.working_directory = Text(a, "working_directory", roster.default_working_directory);
    agent.host = Text(a, "host", roster.host);
    agent.ssh = Text(a, "ssh");
    agent.stopped = Text(a, "state") == "stopped";
    agent.restart = Text(a, "restart", default_restart);
    const nlohmann::json* stale = Member(a, "heartbeat_stale_after");
    agent.heartbeat_stale_after =
        stale ? Seconds(*stale, default_stale_after) : default_stale_after;
    agent.location = document.ValueLocation("/agents/" + std::to_string(i));
    roster.agents.push_back(std::move(agent));
  }
  return roster;
}

}  // namespace

RosterLoad ParseRoster(std::string_view text, std::string_view file_name,
                       const YamlLimits& limits) {
  RosterLoad load;
  ParsedYaml parsed = ParseYaml(text, limits);
  load.diagnostics = std::move(parsed.diagnostics);
  if (!HasErrors(load.diagnostics)) {
    Diagnostics notes = AcceptBareTildeDirectories(parsed.document);
    load.diagnostics.insert(load.diagnostics.end(), notes.begin(), notes.end());
    SchemaVerdict schema = ValidateAgainstSchema(parsed.document);
    Diagnostics rules = CheckRosterRules(parsed.document);
    load.diagnostics.insert(load.diagnostics.end(), schema.diagnostics.begin(),
                            schema.diagnostics.end());
    load.diagnostics.insert(load.diagnostics.end(), rules.begin(), rules.end());
    // A schema rejection must never pass, even one valijson could not explain.
    if (!schema.valid && !HasErrors(load.diagnostics)) {
      load.diagnostics.push_back(
          {Severity::kError, "", parsed.document.ValueLocation(""), "",
           "the roster does not match its schema (see `mosaic-fleet schema`)"});
    }
  }
  for (Diagnostic& d : load.diagnostics) d.file = std::string(file_name);
  SortDiagnostics(load.diagnostics);
  if (!HasErrors(load.diagnostics)) load.roster = ToRoster(parsed.document);
  return load;
}

}  // namespace mosaic
