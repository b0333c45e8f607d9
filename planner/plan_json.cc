#include "plan_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "json_text.h"

namespace mosaic {
namespace {

constexpr ChangeAction kActions[] = {ChangeAction::kCreate, ChangeAction::kUpdate,
                                     ChangeAction::kReplace, ChangeAction::kDelete};
// Whether `kinds` is every value of Enum from the first to `last`, in order.
template <typename Enum, size_t N>
constexpr bool EveryKindInOrder(const Enum (&kinds)[N], Enum last) {
  if (N != static_cast<size_t>(last) + 1) return false;
  for (size_t i = 0; i < N; ++i)
    if (kinds[i] != static_cast<Enum>(i)) return false;
  return true;
}

constexpr StepKind kStepKinds[] = {
    StepKind::kWriteFile,    StepKind::kMergeEnvFile,  StepKind::kRemoveFile,
    StepKind::kDaemonReload, StepKind::kEnableUnits,   StepKind::kStartUnits,
    StepKind::kRestartUnits, StepKind::kStopUnits,     StepKind::kDisableUnits,
    StepKind::kKillSessions, StepKind::kAdoptSessions, StepKind::kRecordSockets,
    StepKind::kDetachServer, StepKind::kRetireSocket};
// A kind missing here is a saved plan that can never be applied ("unknown step kind").
static_assert(EveryKindInOrder(kStepKinds, kLastStepKind));
constexpr NoteKind kNoteKinds[] = {
    NoteKind::kTargeted,          NoteKind::kManagedElsewhere, NoteKind::kUnmanagedSession,
    NoteKind::kNameConflict,      NoteKind::kPreservedData,    NoteKind::kStaleHeartbeat,
    NoteKind::kHolderUnitChanged, NoteKind::kUnmanagedUnit,    NoteKind::kCrashLoop,
    NoteKind::kOperatorStopped,   NoteKind::kBuildTreeBinary,  NoteKind::kInstalledBinaryKept,
    NoteKind::kPreviousSocket};
static_assert(EveryKindInOrder(kNoteKinds, kLastNoteKind));
constexpr Severity kSeverities[] = {Severity::kError, Severity::kWarning, Severity::kNote};

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

nlohmann::json DiagnosticsToJson(const Diagnostics& diagnostics) {
  nlohmann::json out = nlohmann::json::array();
  for (const Diagnostic& d : diagnostics) out.push_back(DiagnosticToJson(d));
  return out;
}

// Reads fields of one JSON object, remembering the first problem with its path; later reads
// after a problem are no-ops, so a reader function can read everything and check once.
class Reader {
 public:
  Reader(const nlohmann::json& object, std::string path, std::optional<std::string>& error)
      : j_(object), path_(std::move(path)), error_(error) {
    if (!j_.is_object()) Fail(path_.empty() ? "the plan" : path_, "must be an object");
  }

  const nlohmann::json* Field(std::string_view key, nlohmann::json::value_t type) {
    if (error_) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end()) return Fail(Path(key), "is missing"), nullptr;
    bool ok = it->type() == type ||
              (type == nlohmann::json::value_t::number_integer && it->is_number_integer());
    if (!ok) return Fail(Path(key), fmt::format("must be {}", TypeName(type))), nullptr;
    return &*it;
  }

  /// A field later versions added: absent reads as "".
  std::string OptionalString(std::string_view key) {
    return j_.is_object() && j_.contains(key) ? String(key) : "";
  }
  std::string String(std::string_view key) {
    const nlohmann::json* v = Field(key, nlohmann::json::value_t::string);
    return v ? v->get<std::string>() : "";
  }
  bool Bool(std::string_view key) {
    const nlohmann::json* v = Field(key, nlohmann::json::value_t::boolean);
    return v && v->get<bool>();
  }
  int64_t Integer(std::string_view key) {
    const nlohmann::json* v = Field(key, nlohmann::json::value_t::number_integer);
    return v ? v->get<int64_t>() : 0;
  }
  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    const nlohmann::json* v = Field(key, nlohmann::json::value_t::array);
    for (size_t i = 0; v && i < v->size() && !error_; ++i) {
      if (!(*v)[i].is_string())
        Fail(fmt::format("{}[{}]", Path(key), i), "must be a string");
      else
        out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  /// One of `values`, spelled as `name_of` spells it.
  template <typename Enum, size_t N, typename NameOf>
  Enum Named(std::string_view key, const Enum (&values)[N], NameOf name_of, std::string_view what) {
    std::string name = String(key);
    for (Enum value : values)
      if (name_of(value) == name) return value;
    if (!error_) Fail(Path(key), fmt::format("unknown {} \"{}\"", what, name));
    return values[0];
  }
  /// Calls `each(element, path)` for every element of array `key`.
  template <typename F>
  void Each(std::string_view key, F each) {
    const nlohmann::json* v = Field(key, nlohmann::json::value_t::array);
    for (size_t i = 0; v && i < v->size() && !error_; ++i)
      each((*v)[i], fmt::format("{}[{}]", Path(key), i));
  }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }
  void Fail(const std::string& where, const std::string& what) {
    if (!error_) error_ = fmt::format("{}: {}", where, what);
  }

 private:
  static std::string_view TypeName(nlohmann::json::value_t type) {
    switch (type) {
      case nlohmann::json::value_t::string:
        return "a string";
      case nlohmann::json::value_t::boolean:
        return "true or false";
      case nlohmann::json::value_t::array:
        return "an array";
      case nlohmann::json::value_t::object:
        return "an object";
      default:
        return "an integer";
    }
  }
  const nlohmann::json& j_;
  std::string path_;
  std::optional<std::string>& error_;
};

Step ReadStep(const nlohmann::json& j, const std::string& path, std::optional<std::string>& e) {
  Reader r(j, path, e);
  Step step;
  step.kind = r.Named("kind", kStepKinds, StepName, "step kind");
  step.names = r.Strings("names");
  step.path = r.String("path");
  step.content = r.String("content");
  step.socket = r.OptionalString("socket");
  int64_t mode = r.Integer("mode");
  if (mode < 0 || mode > 07777) r.Fail(r.Path("mode"), "must be a file mode (0 to 4095)");
  step.mode = static_cast<unsigned>(mode);
  r.Each("owned", [&](const nlohmann::json& pair, const std::string& where) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
      return r.Fail(where, "must be a [key, value] pair of strings");
    step.owned.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  });
  return step;
}

ResourceChange ReadChange(const nlohmann::json& j, const std::string& path,
                          std::optional<std::string>& e) {
  Reader r(j, path, e);
  ResourceChange change;
  change.address = r.String("address");
  change.action = r.Named("action", kActions, ActionName, "action");
  change.reason = r.String("reason");
  r.Each("attributes", [&](const nlohmann::json& a, const std::string& where) {
    Reader ar(a, where, e);
    change.attributes.push_back({ar.String("name"), ar.String("before"), ar.String("after"),
                                 ar.Bool("forces_replacement")});
  });
  change.diff = r.Strings("diff");
  if (j.is_object() && j.contains("drift")) change.drift = r.Bool("drift");
  if (j.is_object() && j.contains("held")) change.held = r.String("held");
  return change;
}

Note ReadNote(const nlohmann::json& j, const std::string& path, std::optional<std::string>& e) {
  Reader r(j, path, e);
  Note note;
  note.kind = r.Named("kind", kNoteKinds, NoteKindName, "note kind");
  note.subject = r.String("subject");
  note.message = r.String("message");
  return note;
}

Diagnostic ReadDiagnostic(const nlohmann::json& j, const std::string& path,
                          std::optional<std::string>& e) {
  Reader r(j, path, e);
  Diagnostic d;
  d.severity = r.Named("severity", kSeverities, SeverityName, "severity");
  d.file = r.String("file");
  d.message = r.String("message");
  if (j.is_object() && j.contains("line")) d.location.line = static_cast<int>(r.Integer("line"));
  if (j.is_object() && j.contains("column"))
    d.location.column = static_cast<int>(r.Integer("column"));
  if (j.is_object() && j.contains("path")) d.path = r.String("path");
  return d;
}

}  // namespace

namespace {

nlohmann::json ChangeToJson(const ResourceChange& c) {
  nlohmann::json before = nlohmann::json::object(), after = nlohmann::json::object();
  nlohmann::json attributes = nlohmann::json::array();
  for (const AttributeDiff& a : c.attributes) {
    if (!a.before.empty()) before[a.name] = a.before;
    if (!a.after.empty()) after[a.name] = a.after;
    attributes.push_back({{"name", a.name},
                          {"before", a.before},
                          {"after", a.after},
                          {"forces_replacement", a.forces_replacement}});
  }
  size_t dot = c.address.find('.');
  return {{"address", c.address},
          {"type", c.address.substr(0, dot)},
          {"name", dot == std::string::npos ? "" : c.address.substr(dot + 1)},
          {"action", ActionName(c.action)},
          {"actions", ActionList(c.action)},
          {"reason", c.reason},
          {"before", c.action == ChangeAction::kCreate ? nlohmann::json(nullptr) : before},
          {"after", c.action == ChangeAction::kDelete ? nlohmann::json(nullptr) : after},
          {"attributes", attributes},
          {"diff", c.diff},
          {"drift", c.drift},
          {"held", c.held}};
}

nlohmann::json StepToJson(const Step& s) {
  nlohmann::json owned = nlohmann::json::array();
  for (const auto& [key, value] : s.owned) owned.push_back({key, value});
  return {{"kind", StepName(s.kind)}, {"names", s.names}, {"path", s.path},
          {"content", s.content},     {"mode", s.mode},   {"owned", owned},
          {"socket", s.socket}};
}

nlohmann::json NoteToJson(const Note& n) {
  return {{"kind", NoteKindName(n.kind)}, {"subject", n.subject}, {"message", n.message}};
}

// Everything but the three long lists (changes, steps, notes), which are streamed.
nlohmann::json PlanHeader(const Plan& plan) {
  PlanSummary s = Summarize(plan);
  return {{"format_version", kPlanFormatVersion},
          {"socket", plan.socket},
          {"observed_fingerprint", plan.observed_fingerprint},
          {"roster_path", plan.roster_path},
          {"roster_fingerprint", plan.roster_fingerprint},
          {"targets", plan.targets},
          {"replace", plan.replace},
          {"summary",
           {{"add", s.add},
            {"change", s.change},
            {"replace", s.replace},
            {"destroy", s.destroy},
            {"held", s.held},
            {"drift", s.drift}}},
          {"errors", DiagnosticsToJson(plan.errors)}};
}

// `j`.dump(2) as it reads `depth` levels down in an enclosing dump(2): every line after the
// first indented 2 × depth more (a dump has raw newlines only between its lines: those in
// strings are escaped).
void WriteNested(std::ostream& out, const nlohmann::json& j, int depth) {
  std::string text = JsonText(j, 2);
  std::string indent(static_cast<size_t>(2 * depth), ' ');
  size_t from = 0;
  for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1)
    out << std::string_view(text).substr(from, nl + 1 - from) << indent;
  out << std::string_view(text).substr(from);
}

// "key": [ …items… ] at depth 1, each item converted and written on its own: only one item's
// document exists at a time.
template <typename Item, typename Convert>
void WriteList(std::ostream& out, std::string_view key, const std::vector<Item>& items,
               Convert convert) {
  out << "  " << JsonText(key) << ": ";
  if (items.empty()) {
    out << "[]";
    return;
  }
  out << "[\n";
  for (size_t i = 0; i < items.size(); ++i) {
    out << "    ";
    WriteNested(out, convert(items[i]), 2);
    out << (i + 1 < items.size() ? ",\n" : "\n");
  }
  out << "  ]";
}

}  // namespace

nlohmann::json PlanToJson(const Plan& plan) {
  nlohmann::json doc = PlanHeader(plan);
  nlohmann::json& changes = doc["resource_changes"] = nlohmann::json::array();
  for (const ResourceChange& c : plan.changes) changes.push_back(ChangeToJson(c));
  nlohmann::json& steps = doc["steps"] = nlohmann::json::array();
  for (const Step& s : plan.steps) steps.push_back(StepToJson(s));
  nlohmann::json& notes = doc["notes"] = nlohmann::json::array();
  for (const Note& n : plan.notes) notes.push_back(NoteToJson(n));
  return doc;
}

void WritePlanJson(const Plan& plan, std::ostream& out) {
  // The keys in the order dump() gives them (sorted), so that the bytes are PlanToJson's.
  nlohmann::json header = PlanHeader(plan);
  std::vector<std::pair<std::string, const nlohmann::json*>> keys;
  for (const auto& [key, value] : header.items()) keys.emplace_back(key, &value);
  for (const char* listed : {"notes", "resource_changes", "steps"})
    keys.emplace_back(listed, nullptr);
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out << "{\n";
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto& [key, value] = keys[i];
    if (key == "notes") {
      WriteList(out, key, plan.notes, NoteToJson);
    } else if (key == "resource_changes") {
      WriteList(out, key, plan.changes, ChangeToJson);
    } else if (key == "steps") {
      WriteList(out, key, plan.steps, StepToJson);
    } else {
      out << "  " << JsonText(key) << ": ";
      WriteNested(out, *value, 1);
    }
    out << (i + 1 < keys.size() ? ",\n" : "\n");
  }
  out << "}";
}

Result<Plan> PlanFromJson(const nlohmann::json& j) {
  std::optional<std::string> error;
  Reader r(j, "", error);
  int64_t version = r.Integer("format_version");
  if (!error && version != kPlanFormatVersion)
    return Status::Error(
        fmt::format("format_version: this mosaic-fleet reads plans of version "
                    "{}, not {}; make the plan again with this version",
                    kPlanFormatVersion, version));
  Plan plan;
  plan.socket = r.String("socket");
  plan.observed_fingerprint = r.String("observed_fingerprint");
  plan.roster_path = r.String("roster_path");
  plan.roster_fingerprint = r.String("roster_fingerprint");
  plan.targets = r.Strings("targets");
  if (j.is_object() && j.contains("replace")) plan.replace = r.Strings("replace");
  r.Each("resource_changes", [&](const nlohmann::json& c, const std::string& path) {
    plan.changes.push_back(ReadChange(c, path, error));
  });
  r.Each("steps", [&](const nlohmann::json& s, const std::string& path) {
    plan.steps.push_back(ReadStep(s, path, error));
  });
  r.Each("notes", [&](const nlohmann::json& n, const std::string& path) {
    plan.notes.push_back(ReadNote(n, path, error));
  });
  r.Each("errors", [&](const nlohmann::json& d, const std::string& path) {
    plan.errors.push_back(ReadDiagnostic(d, path, error));
  });
  if (error) return Status::Error(*error);
  return plan;
}

}  // namespace mosaic
