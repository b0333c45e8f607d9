#include "roster_rules.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "roster.h"
#include "schema_document.h"
#include "suggest.h"

namespace mosaic {
namespace {

// The camelCase spellings the previous tool accepted, by their canonical spelling.
const std::map<std::string, std::string>& CamelAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"socketName", "socket_name"},           {"holderSession", "holder_session"},
      {"workingDirectory", "working_directory"}, {"resetCommand", "reset_command"},
      {"modelHint", "model_hint"},             {"persistentPersona", "persistent_persona"},
      {"resetBetweenTasks", "reset_between_tasks"}, {"kickstartTemplate", "kickstart_template"},
      {"tenantId", "tenant_id"},
  };
  return aliases;
}

class RuleChecker {
 public:
  explicit RuleChecker(const LocatedJson& document) : doc_(document) {}

  Diagnostics Run() {
    WalkKeys(doc_.value, "");
    CheckTransport();
    CheckAgentNames();
    return std::move(out_);
  }

 private:
  void Error(SourceLocation where, const std::string& pointer, std::string message) {
    out_.push_back({Severity::kError, "", where, DisplayPath(doc_.value, pointer), std::move(message)});
  }

  void WalkKeys(const nlohmann::json& node, const std::string& pointer) {
    if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) WalkKeys(node[i], AppendPointer(pointer, std::to_string(i)));
      return;
    }
    if (!node.is_object()) return;
    std::vector<std::string> allowed = SchemaDocument::Roster().AllowedKeys(pointer);
    // Suggest canonical spellings only: nobody should be steered towards the aliases.
    std::vector<std::string> canonical;
    for (const std::string& key : allowed)
      if (!CamelAliases().contains(key)) canonical.push_back(key);
    for (const auto& [key, value] : node.items()) {
      std::string member = AppendPointer(pointer, key);
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string message = fmt::format("unknown key '{}'", key);
        if (auto guess = SuggestClosest(key, canonical)) message += fmt::format(" (did you mean '{}'?)", *guess);
        else message += fmt::format("; expected one of: {}", fmt::join(canonical, ", "));
        Error(doc_.KeyLocation(member), pointer, message);
        continue;
      }
      auto alias = CamelAliases().find(key);
      if (alias != CamelAliases().end() && node.contains(alias->second)) {
        Error(doc_.KeyLocation(member), pointer,
              fmt::format("'{}' and '{}' are the same key; give only one", alias->second, key));
      }
      WalkKeys(value, member);
    }
  }

  void CheckTransport() {
    const nlohmann::json& root = doc_.value;
    if (root.is_object() && root.value("transport", "") == "matrix") {
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
      if (!agents[i].is_object() || !agents[i].contains("name") || !agents[i]["name"].is_string()) continue;
      std::string name = agents[i]["name"].get<std::string>();
      std::string pointer = fmt::format("/agents/{}/name", i);
      SourceLocation where = doc_.ValueLocation(pointer);
      if (name == holder) {
        Error(where, pointer, fmt::format("\"{}\" is the holder session's name; choose another", name));
      }
      auto [it, inserted] = first_line.emplace(name, where.line);
      if (!inserted) {
        Error(where, pointer, fmt::format("duplicate agent name \"{}\" (first used at line {})", name, it->second));
      }
    }
  }

  const LocatedJson& doc_;
  Diagnostics out_;
};

}  // namespace

std::string CanonicalKey(const std::string& key) {
  auto it = CamelAliases().find(key);
  return it == CamelAliases().end() ? key : it->second;
}

Diagnostics CheckRosterRules(const LocatedJson& document) { return RuleChecker(document).Run(); }

}  // namespace mosaic
