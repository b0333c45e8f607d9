#include "schema_validation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

// valijson calls abort() on internal errors unless exceptions are enabled (set for this
// target in CMake); an exception here is caught and reported instead of killing the process.
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "name_rules.h"
#include "schema_document.h"
#include "suggest.h"

namespace mosaic {
namespace {

const valijson::Schema& CompiledRosterSchema() {
  // Compiled once: parsing the schema costs more than validating a typical roster.
  static const valijson::Schema* schema = [] {
    auto* s = new valijson::Schema();  // never freed: lives as long as the process
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(SchemaDocument::Roster().json());
    parser.populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}

// valijson's context is {"<root>", "[agents]", "[3]", "[name]"}.
std::string ContextToPointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (size_t i = 1; i < context.size(); ++i) {
    std::string token = context[i];
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
      token = token.substr(1, token.size() - 2);
    pointer = AppendPointer(pointer, token);
  }
  return pointer;
}

// Messages that only say "something below me failed"; the leaf error says what.
bool IsWrapper(const std::string& description) {
  static const char* kWrappers[] = {
      "Failed to validate against schema associated with property name",
      "Failed to validate item #",
      "Failed to validate against child schema",
      "Failed to validate against additional properties schema",
      "Failed to validate against schema associated with pattern",
      "Object contains a property that could not be validated",  // CheckRosterRules reports these
  };
  for (const char* w : kWrappers)
    if (description.starts_with(w)) return true;
  return false;
}

std::string JsonTypeName(const nlohmann::json& v) {
  if (v.is_null()) return "nothing (null)";
  if (v.is_boolean()) return fmt::format("the boolean {}", v.dump());
  if (v.is_number_integer()) return fmt::format("the number {}", v.dump());
  if (v.is_number()) return fmt::format("the number {}", v.dump());
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == "yes" || s == "no" || s == "on" || s == "off" || s == "y" || s == "n")
      return fmt::format("the string {} (YAML 1.2 reads only true and false as booleans)",
                         Quoted(s));
    return fmt::format("the string {}", Quoted(s));
  }
  if (v.is_array()) return "a list";
  return "a mapping";
}

std::string ExpectedType(const nlohmann::json& type) {
  auto one = [](const std::string& t) -> std::string {
    if (t == "object") return "a mapping";
    if (t == "array") return "a list";
    if (t == "string") return "a string";
    if (t == "integer") return "a whole number";
    if (t == "boolean") return "true or false";
    if (t == "number") return "a number";
    return t;
  };
  if (type.is_string()) return one(type.get<std::string>());
  std::vector<std::string> parts;
  for (const auto& t : type) parts.push_back(one(t.get<std::string>()));
  return fmt::format("{}", fmt::join(parts, " or "));
}

std::string ListValues(const nlohmann::json& values) {
  std::vector<std::string> parts;
  for (const auto& v : values)
    parts.push_back(v.is_string() ? Quoted(v.get<std::string>()) : v.dump());
  return fmt::format("{}", fmt::join(parts, ", "));
}

// oneOf/anyOf failures: the children's errors say only why each alternative failed.
bool IsAlternatives(const std::string& description) {
  return description.starts_with("Failed to validate against exactly one child schema") ||
         description.starts_with("Failed to validate against any child schemas allowed by oneOf") ||
         description.starts_with("Failed to validate against any schemas allowed by anyOf");
}

bool IsTypeError(const std::string& description) {
  return description.starts_with("Value type not permitted");
}

// A person's wording of one valijson leaf error about `value`, governed by `subschema`.
std::string Describe(const std::string& description, const nlohmann::json& value,
                     const nlohmann::json* subschema, std::string_view pointer) {
  const SchemaDocument& schema = SchemaDocument::Roster();
  auto keyword = [&](std::string_view k) {
    return subschema ? schema.Keyword(*subschema, k) : nullptr;
  };

  if (description.starts_with("Missing required property '")) {
    std::string key = description.substr(27, description.find('\'', 27) - 27);
    std::string message = fmt::format("missing required key '{}'", key);
    if (value.is_object()) {
      for (const auto& [present, _] : value.items())
        if (SuggestClosest(present, {key}))
          return message + fmt::format(" (is '{}' a misspelling of it?)", present);
    }
    return message;
  }
  if (description.starts_with("Value type not permitted")) {
    if (const nlohmann::json* type = keyword("type")) {
      std::string message =
          fmt::format("expected {}, got {}", ExpectedType(*type), JsonTypeName(value));
      const nlohmann::json* rule = keyword("x-mosaic-rule");
      if (value.is_null() && rule && *rule == "directory")
        message += "; a bare ~ is null in YAML: write \"~\" for the home directory";
      return message;
    }
  }
  if (description.starts_with("Failed to match expected value set by 'const'")) {
    if (pointer == "/version")
      return fmt::format("unsupported roster version {} (this mosaic-fleet reads version 1)",
                         value.dump());
    if (const nlohmann::json* c = keyword("const")) return fmt::format("must be {}", c->dump());
  }
  if (description.starts_with("Failed to match against any enum values")) {
    if (const nlohmann::json* values = keyword("enum"))
      return fmt::format("{} is not one of {}",
                         value.is_string() ? Quoted(value.get<std::string>()) : value.dump(),
                         ListValues(*values));
  }
  if (description.starts_with("Target should not validate against schema specified in 'not'") &&
      value == "default") {
    return "\"default\" names the default tmux socket, which mosaic-fleet never touches; "
           "choose another name (the default is \"mosaic-fleet\")";
  }
  if (IsAlternatives(description)) {
    if (pointer.ends_with("persistent_persona") || pointer.ends_with("persistentPersona"))
      return fmt::format("expected true, false or \"semi\", got {}", JsonTypeName(value));
    if (pointer.ends_with("heartbeat_stale_after") || pointer.ends_with("heartbeatStaleAfter"))
      return fmt::format(
          "expected whole seconds (at least 1) or a time span such as 10min or \"1h 30min\", "
          "got {}",
          value.is_string() ? Quoted(value.get<std::string>()) : value.dump());
  }
  if (value.is_string() && (description.starts_with("Failed to match regex") ||
                            description.starts_with("String should be no more than") ||
                            description.starts_with("String should be no fewer than"))) {
    const nlohmann::json* rule = keyword("x-mosaic-rule");
    const nlohmann::json* max = keyword("maxLength");
    size_t max_length = max ? max->get<size_t>() : 4096;
    std::string text = value.get<std::string>();
    if (rule && *rule == "interval")
      return fmt::format(
          "{} is not a time span: write numbers with units (s, min, h, d), such as 30s, 5min "
          "or \"1h 30min\"",
          Quoted(text));
    if (rule) {
      if (auto kind = NameRuleFromString(rule->get<std::string>()))
        if (auto why = ExplainNameViolation(*kind, text, max_length))
          return fmt::format("{} {}", Quoted(text), *why);
    }
    if (text.empty()) return "may not be empty";
  }
  if (description.starts_with("Array should contain no more than"))
    return fmt::format("has {} entries; {}", value.size(),
                       description.substr(description.find("no more")));
  return description;
}

}  // namespace

SchemaVerdict ValidateAgainstSchema(const LocatedJson& document) {
  Diagnostics out;
  valijson::ValidationResults results;
  bool valid = false;
  try {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::adapters::NlohmannJsonAdapter adapter(document.value);
    valid = validator.validate(CompiledRosterSchema(), adapter, &results);
  } catch (const std::exception& e) {
    out.push_back({Severity::kError,
                   "",
                   {},
                   "",
                   fmt::format("internal error while validating: {}", e.what())});
    return {false, out};
  }
  std::vector<std::pair<std::string, std::string>> leaves;  // (pointer, valijson description)
  std::set<std::string> alternatives;                       // pointers where a oneOf failed
  std::set<std::string> mistyped;                           // pointers with a type error
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (IsWrapper(error.description)) continue;
    std::string pointer = ContextToPointer(error.context);
    if (IsAlternatives(error.description)) alternatives.insert(pointer);
    if (IsTypeError(error.description)) mistyped.insert(pointer);
    leaves.emplace_back(pointer, error.description);
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [pointer, description] : leaves) {
    if (alternatives.contains(pointer) && !IsAlternatives(description)) continue;
    // A value of the wrong type also fails its enum or pattern; the type error says it all.
    if (mistyped.contains(pointer) && !IsTypeError(description) && !alternatives.contains(pointer))
      continue;
    nlohmann::json::json_pointer jp(pointer);
    const nlohmann::json& value = document.value.contains(jp) ? document.value[jp] : document.value;
    std::string message =
        Describe(description, value, SchemaDocument::Roster().At(pointer), pointer);
    // One bad value can break several keywords (pattern and maxLength); say it once.
    if (!seen.insert({pointer, message}).second) continue;
    out.push_back({Severity::kError, "", document.ValueLocation(pointer),
                   DisplayPath(document.value, pointer), message});
  }
  return {valid, out};
}

}  // namespace mosaic
