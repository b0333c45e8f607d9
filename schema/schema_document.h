// SchemaDocument: the roster's JSON Schema, as data the loader can ask questions of.
//
// valijson decides whether a roster is valid; this class answers what the schema says about
// one place in a roster (which keys an object may have, what type a value must be, which
// naming rule applies) so that errors can be worded for people, and so that the set of keys
// lives in exactly one file: schema/roster.schema.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// The schema text shipped inside the binary (printed by `mosaic-fleet schema`),
/// generated at build time from schema/roster.schema.json.
std::string_view RosterSchemaText();

class SchemaDocument {
 public:
  explicit SchemaDocument(nlohmann::json schema);
  /// The roster schema, parsed once.
  static const SchemaDocument& Roster();

  const nlohmann::json& json() const { return schema_; }

  /// The subschema that governs the value at `pointer` in a document ("" = root), with
  /// local $refs resolved; nullptr when the schema says nothing about that place.
  const nlohmann::json* At(std::string_view pointer) const;

  /// `keyword` of `subschema`, looking through its $ref and allOf members; nullptr if absent.
  const nlohmann::json* Keyword(const nlohmann::json& subschema, std::string_view keyword) const;

  /// The subschema for member or item `token` of a value governed by `parent` (resolved);
  /// nullptr when the schema says nothing about it. At() is this, applied token by token.
  const nlohmann::json* Child(const nlohmann::json& parent, const std::string& token) const;

  /// The property names an object governed by `subschema` may have, sorted; empty when the
  /// object accepts arbitrary keys.
  std::vector<std::string> AllowedKeys(const nlohmann::json& subschema) const;

 private:
  const nlohmann::json* Resolve(const nlohmann::json* subschema) const;
  nlohmann::json schema_;
};

/// `/agents/3/name` → `agents[3].name`, reading `document` to tell indexes from keys.
std::string DisplayPath(const nlohmann::json& document, std::string_view pointer);

/// Splits a JSON pointer into unescaped reference tokens.
std::vector<std::string> PointerTokens(std::string_view pointer);

}  // namespace mosaic
