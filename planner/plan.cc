#include "plan.h"

#include <stdexcept>

namespace mosaic {

NLOHMANN_JSON_SERIALIZE_ENUM(ChangeAction, {{ChangeAction::kCreate, "create"},
                                            {ChangeAction::kUpdate, "update"},
                                            {ChangeAction::kReplace, "replace"},
                                            {ChangeAction::kDelete, "delete"}})
NLOHMANN_JSON_SERIALIZE_ENUM(StepKind, {{StepKind::kWriteFile, "write-file"},
                                        {StepKind::kMergeEnvFile, "merge-env-file"},
                                        {StepKind::kDaemonReload, "daemon-reload"},
                                        {StepKind::kEnableUnits, "enable"},
                                        {StepKind::kStartUnits, "start"},
                                        {StepKind::kRestartUnits, "restart"},
                                        {StepKind::kStopUnits, "stop"},
                                        {StepKind::kDisableUnits, "disable"},
                                        {StepKind::kKillSessions, "kill-sessions"}})
NLOHMANN_JSON_SERIALIZE_ENUM(NoteKind, {{NoteKind::kTargeted, "targeted"},
                                        {NoteKind::kManagedElsewhere, "managed-elsewhere"},
                                        {NoteKind::kUnmanagedSession, "unmanaged-session"},
                                        {NoteKind::kNameConflict, "name-conflict"},
                                        {NoteKind::kPreservedData, "preserved-data"},
                                        {NoteKind::kStaleHeartbeat, "stale-heartbeat"},
                                        {NoteKind::kHolderUnitChanged, "holder-unit-changed"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AttributeDiff, name, before, after,
                                                forces_replacement)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Step, kind, names, path, content, mode, owned)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Note, kind, subject, message)

PlanSummary Summarize(const Plan& plan) {
  PlanSummary s;
  for (const ResourceChange& c : plan.changes) {
    switch (c.action) {
      case ChangeAction::kCreate:
        s.add++;
        break;
      case ChangeAction::kUpdate:
        s.change++;
        break;
      case ChangeAction::kReplace:
        s.replace++;
        break;
      case ChangeAction::kDelete:
        s.destroy++;
        break;
    }
  }
  return s;
}

std::string_view ActionSymbol(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate:
      return "+";
    case ChangeAction::kUpdate:
      return "~";
    case ChangeAction::kReplace:
      return "-/+";
    case ChangeAction::kDelete:
      return "-";
  }
  return "?";
}

std::string_view StepName(StepKind kind) {
  switch (kind) {
    case StepKind::kWriteFile:
      return "write-file";
    case StepKind::kMergeEnvFile:
      return "merge-env-file";
    case StepKind::kDaemonReload:
      return "daemon-reload";
    case StepKind::kEnableUnits:
      return "enable";
    case StepKind::kStartUnits:
      return "start";
    case StepKind::kRestartUnits:
      return "restart";
    case StepKind::kStopUnits:
      return "stop";
    case StepKind::kDisableUnits:
      return "disable";
    case StepKind::kKillSessions:
      return "kill-sessions";
  }
  return "?";
}

namespace {

// Terraform's spelling of actions: a replacement is a delete and a create.
nlohmann::json ActionList(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate:
      return {"create"};
    case ChangeAction::kUpdate:
      return {"update"};
    case ChangeAction::kReplace:
      return {"delete", "create"};
    case ChangeAction::kDelete:
      return {"delete"};
  }
  return nlohmann::json::array();
}

}  // namespace

nlohmann::json PlanToJson(const Plan& plan) {
  nlohmann::json changes = nlohmann::json::array();
  for (const ResourceChange& c : plan.changes) {
    nlohmann::json before = nlohmann::json::object(), after = nlohmann::json::object();
    for (const AttributeDiff& a : c.attributes) {
      if (!a.before.empty()) before[a.name] = a.before;
      if (!a.after.empty()) after[a.name] = a.after;
    }
    std::string type = c.address.substr(0, c.address.find('.'));
    changes.push_back(
        {{"address", c.address},
         {"type", type},
         {"name", c.address.substr(c.address.find('.') + 1)},
         {"action", c.action},
         {"actions", ActionList(c.action)},
         {"reason", c.reason},
         {"before", c.action == ChangeAction::kCreate ? nlohmann::json(nullptr) : before},
         {"after", c.action == ChangeAction::kDelete ? nlohmann::json(nullptr) : after},
         {"attributes", c.attributes},
         {"diff", c.diff}});
  }
  PlanSummary s = Summarize(plan);
  return {{"format_version", kPlanFormatVersion},
          {"socket", plan.socket},
          {"observed_fingerprint", plan.observed_fingerprint},
          {"roster_path", plan.roster_path},
          {"roster_fingerprint", plan.roster_fingerprint},
          {"targets", plan.targets},
          {"summary",
           {{"add", s.add}, {"change", s.change}, {"replace", s.replace}, {"destroy", s.destroy}}},
          {"resource_changes", changes},
          {"steps", plan.steps},
          {"notes", plan.notes}};
}

Plan PlanFromJson(const nlohmann::json& j) {
  if (j.at("format_version").get<int>() != kPlanFormatVersion)
    throw std::runtime_error("unsupported plan format_version " + j.at("format_version").dump());
  Plan plan;
  plan.socket = j.at("socket").get<std::string>();
  plan.observed_fingerprint = j.at("observed_fingerprint").get<std::string>();
  plan.roster_path = j.at("roster_path").get<std::string>();
  plan.roster_fingerprint = j.at("roster_fingerprint").get<std::string>();
  plan.targets = j.at("targets").get<std::vector<std::string>>();
  for (const nlohmann::json& c : j.at("resource_changes")) {
    ResourceChange change;
    change.address = c.at("address").get<std::string>();
    change.action = c.at("action").get<ChangeAction>();
    change.reason = c.at("reason").get<std::string>();
    change.attributes = c.at("attributes").get<std::vector<AttributeDiff>>();
    change.diff = c.at("diff").get<std::vector<std::string>>();
    plan.changes.push_back(std::move(change));
  }
  plan.steps = j.at("steps").get<std::vector<Step>>();
  plan.notes = j.at("notes").get<std::vector<Note>>();
  return plan;
}

}  // namespace mosaic
