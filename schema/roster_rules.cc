#include "roster_rules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "name_rules.h"
#include "roster.h"
#include "schema_document.h"
#include "suggest.h"
#include "time_span.h"

namespace mosaic {
namespace {

// The camelCase spellings the previous tool accepted, by their canonical spelling.
const std::map<std::string, std::string>& CamelAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"socketName", "socket_name"},
      {"holderSession", "holder_session"},
      {"workingDirectory", "working_directory"},
      {"resetCommand", "reset_command"},
      {"modelHint", "model_hint"},
      {"persistentPersona", "persistent_persona"},
      {"resetBetweenTasks", "reset_between_tasks"},
      {"kickstartTemplate", "kickstart_template"},
      {"tenantId", "tenant_id"},
      {"allowDestroy", "allow_destroy"},
      {"heartbeatStaleAfter", "heartbeat_stale_after"},
  };
  return aliases;
}

class RuleChecker {
 public:
  explicit RuleChecker(const LocatedJson& document) : doc_(document) {}

  Diagnostics Run() {
    WalkKeys(doc_.value, "", SchemaDocument::Roster().At(""));
    CheckTransport();
    CheckAgentNames();
    CheckReconcileInterval();
    CheckHeartbeatLimits();
    return std::move(out_);
  }

 private:
  void Error(SourceLocation where, const std::string& pointer, std::string message) {
    out_.push_back(
        {Severity::kError, "", where, DisplayPath(doc_.value, pointer), std::move(message)});
  }

  // Walks the document and its schema together, so each object's allowed keys are one
  // lookup away (10,000 agents must not mean 10,000 walks from the schema's root).
  void WalkKeys(const nlohmann::json& node, const std::string& pointer,
                const nlohmann::json* subschema) {
    const SchemaDocument& schema = SchemaDocument::Roster();
    if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) {
        std::string index = std::to_string(i);
        WalkKeys(node[i], AppendPointer(pointer, index),
                 subschema ? schema.Child(*subschema, index) : nullptr);
      }
      return;
    }
    if (!node.is_object() || !subschema) return;
    const KeyRules& rules = RulesFor(*subschema);
    for (const auto& [key, value] : node.items()) {
      std::string member = AppendPointer(pointer, key);
      if (rules.name_rule) {
        if (auto why = ExplainNameViolation(rules.name_rule->first, key, rules.name_rule->second)) {
          Error(doc_.KeyLocation(member), pointer, fmt::format("name {} {}", Quoted(key), *why));
          continue;
        }
      }
      if (!rules.allowed.empty() && !rules.allowed.contains(key)) {
        std::string message = fmt::format("unknown key '{}'", key);
        if (auto guess = SuggestClosest(key, rules.canonical))
          message += fmt::format(" (did you mean '{}'?)", *guess);
        else
          message += fmt::format("; expected one of: {}", fmt::join(rules.canonical, ", "));
        Error(doc_.KeyLocation(member), pointer, message);
        continue;
      }
      auto alias = CamelAliases().find(key);
      if (alias != CamelAliases().end() && node.contains(alias->second)) {
        Error(doc_.KeyLocation(member), pointer,
              fmt::format("'{}' and '{}' are the same key; give only one", alias->second, key));
      }
      WalkKeys(value, member, schema.Child(*subschema, key));
    }
  }

  struct KeyRules {
    std::set<std::string> allowed;       ///< empty: any key
    std::vector<std::string> canonical;  ///< allowed keys without the camelCase aliases
    std::optional<std::pair<NameRule, size_t>> name_rule;  ///< from "propertyNames"
  };

  // What the schema says about the keys of objects it governs with `subschema`, worked out
  // once per subschema.
  const KeyRules& RulesFor(const nlohmann::json& subschema) {
    auto [it, inserted] = key_rules_.try_emplace(&subschema);
    if (!inserted) return it->second;
    KeyRules& rules = it->second;
    for (const std::string& key : SchemaDocument::Roster().AllowedKeys(subschema)) {
      rules.allowed.insert(key);
      // Suggest canonical spellings only: nobody should be steered towards the aliases.
      if (!CamelAliases().contains(key)) rules.canonical.push_back(key);
    }
    rules.name_rule = PropertyNameRule(subschema);
    return rules;
  }

  // The naming rule the schema's "propertyNames" sets for keys of the object at `pointer`.
  // (valijson rejects bad property names without saying which, so they are explained here.)
  static std::optional<std::pair<NameRule, size_t>> PropertyNameRule(const nlohmann::json& object) {
    const SchemaDocument& schema = SchemaDocument::Roster();
    const nlohmann::json* names = schema.Keyword(object, "propertyNames");
    const nlohmann::json* rule = names ? schema.Keyword(*names, "x-mosaic-rule") : nullptr;
    const nlohmann::json* max = names ? schema.Keyword(*names, "maxLength") : nullptr;
    if (!rule || !rule->is_string()) return std::nullopt;
    std::optional<NameRule> kind = NameRuleFromString(rule->get<std::string>());
    if (!kind) return std::nullopt;
    return std::pair{*kind, max ? max->get<size_t>() : size_t{64}};
  }

  void CheckTransport() {
    const nlohmann::json& root = doc_.value;
    // The rules run on documents the schema may have rejected: check types, assume nothing.
    if (root.is_object() && root.contains("transport") && root["transport"] == "matrix") {
      Error(doc_.ValueLocation("/transport"), "/transport",
            "transport \"matrix\" is reserved and not supported yet; use \"tmux\"");
    }
  }

  void CheckAgentNames() {
    const nlohmann::json& root = doc_.value;
    if (!root.is_object() || !root.contains("agents") || !root["agents"].is_array()) return;
    std::string holder = kDefaultHolderSession;
    if (root.contains("tmux") && root["tmux"].is_object()) {
      const nlohmann::json& tmux = root["tmux"];
      for (const char* key : {"holder_session", "holderSession"})
        if (tmux.contains(key) && tmux[key].is_string()) holder = tmux[key].get<std::string>();
    }
    std::map<std::string, int> first_line;
    const nlohmann::json& agents = root["agents"];
    for (size_t i = 0; i < agents.size(); ++i) {
      if (!agents[i].is_object() || !agents[i].contains("name") || !agents[i]["name"].is_string())
        continue;
      std::string name = agents[i]["name"].get<std::string>();
      std::string pointer = fmt::format("/agents/{}/name", i);
      SourceLocation where = doc_.ValueLocation(pointer);
      if (name == holder) {
        Error(where, pointer,
              fmt::format("\"{}\" is the holder session's name; choose another", name));
      }
      if (name == kVerifyCanary) {
        Error(where, pointer,
              fmt::format("\"{}\" is reserved for `mosaic-fleet verify`'s throwaway agent; "
                          "choose another",
                          name));
      }
      auto [it, inserted] = first_line.emplace(name, where.line);
      if (!inserted) {
        Error(where, pointer,
              fmt::format("duplicate agent name \"{}\" (first used at line {})", name, it->second));
      }
    }
  }

  // Shorter than this, runs would mostly wait on each other's lock.
  void CheckReconcileInterval() {
    constexpr int64_t kMinimum = 10;
    const nlohmann::json& root = doc_.value;
    if (!root.is_object() || !root.contains("reconcile") || !root["reconcile"].is_object()) return;
    const nlohmann::json& reconcile = root["reconcile"];
    if (!reconcile.contains("interval") || !reconcile["interval"].is_string()) return;
    std::optional<int64_t> seconds = ParseTimeSpan(reconcile["interval"].get<std::string>());
    if (seconds && *seconds < kMinimum)
      Error(
          doc_.ValueLocation("/reconcile/interval"), "/reconcile/interval",
          fmt::format("an interval of {}s is too short: the shortest is {}s", *seconds, kMinimum));
  }

  // A limit of 0 would call every heartbeat stale; one past a year is surely a typo.
  void CheckHeartbeatLimits() {
    const nlohmann::json& root = doc_.value;
    if (!root.is_object()) return;
    auto check = [&](const nlohmann::json& object, const std::string& pointer) {
      if (!object.is_object()) return;
      for (const auto& [key, value] : object.items()) {
        if (CanonicalKey(key) != "heartbeat_stale_after" || !value.is_string()) continue;
        // Text that is no time span at all is the schema's to report; here, spans it admits.
        static const std::regex kSpan(
            "^[0-9]+ ?(s|sec|m|min|h|hr|d)( ?[0-9]+ ?(s|sec|m|min|h|hr|d))*$");
        if (!std::regex_match(value.get<std::string>(), kSpan)) continue;
        std::optional<int64_t> seconds = ParseTimeSpan(value.get<std::string>());
        if (seconds && *seconds >= 1) continue;
        std::string member = AppendPointer(pointer, key);
        Error(doc_.ValueLocation(member), member,
              fmt::format("{} is not a limit between 1 second and a year",
                          Quoted(value.get<std::string>())));
      }
    };
    if (root.contains("health")) check(root["health"], "/health");
    if (root.contains("agents") && root["agents"].is_array())
      for (size_t i = 0; i < root["agents"].size(); ++i)
        check(root["agents"][i], "/agents/" + std::to_string(i));
  }

  const LocatedJson& doc_;
  Diagnostics out_;
  std::map<const nlohmann::json*, KeyRules> key_rules_;
};

}  // namespace

std::string CanonicalKey(const std::string& key) {
  auto it = CamelAliases().find(key);
  return it == CamelAliases().end() ? key : it->second;
}

Diagnostics CheckRosterRules(const LocatedJson& document) { return RuleChecker(document).Run(); }

}  // namespace mosaic
