#include "schema_document.h"

#include <nlohmann/json.hpp>

namespace mosaic {

std::vector<std::string> PointerTokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  std::string current;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(current);
      current.clear();
    } else if (pointer[i] == '~' && i + 1 < pointer.size()) {
      current += pointer[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      current += pointer[i];
    }
  }
  return tokens;
}

std::string DisplayPath(const nlohmann::json& document, std::string_view pointer) {
  std::string out;
  const nlohmann::json* node = &document;
  for (const std::string& token : PointerTokens(pointer)) {
    if (node && node->is_array()) {
      out += "[" + token + "]";
      size_t index = std::stoul(token);
      node = index < node->size() ? &(*node)[index] : nullptr;
    } else {
      out += (out.empty() ? "" : ".") + token;
      node = node && node->is_object() && node->contains(token) ? &(*node)[token] : nullptr;
    }
  }
  return out;
}

SchemaDocument::SchemaDocument(nlohmann::json schema) : schema_(std::move(schema)) {}

const SchemaDocument& SchemaDocument::Roster() {
  static const SchemaDocument document(nlohmann::json::parse(RosterSchemaText()));
  return document;
}

const nlohmann::json* SchemaDocument::Resolve(const nlohmann::json* subschema) const {
  // Follows "$ref": "#/definitions/x" chains; the shipped schema uses only local refs.
  for (int hops = 0;
       subschema && subschema->is_object() && subschema->contains("$ref") && hops < 16; ++hops) {
    const std::string& ref = (*subschema)["$ref"].get_ref<const std::string&>();
    if (!ref.starts_with("#")) return nullptr;
    nlohmann::json::json_pointer target(ref.substr(1));
    subschema = schema_.contains(target) ? &schema_[target] : nullptr;
  }
  return subschema;
}

const nlohmann::json* SchemaDocument::Keyword(const nlohmann::json& subschema,
                                              std::string_view keyword) const {
  const nlohmann::json* s = Resolve(&subschema);
  if (!s || !s->is_object()) return nullptr;
  std::string key(keyword);
  if (s->contains(key)) return &(*s)[key];
  if (s->contains("allOf")) {
    for (const nlohmann::json& member : (*s)["allOf"])
      if (const nlohmann::json* found = Keyword(member, keyword)) return found;
  }
  return nullptr;
}

const nlohmann::json* SchemaDocument::Child(const nlohmann::json& parent,
                                            const std::string& token) const {
  const nlohmann::json* properties = Keyword(parent, "properties");
  if (properties && properties->contains(token)) return Resolve(&(*properties)[token]);
  const nlohmann::json* items = Keyword(parent, "items");
  if (items && items->is_object()) return Resolve(items);
  const nlohmann::json* additional = Keyword(parent, "additionalProperties");
  if (additional && additional->is_object()) return Resolve(additional);
  return nullptr;
}

const nlohmann::json* SchemaDocument::At(std::string_view pointer) const {
  const nlohmann::json* s = Resolve(&schema_);
  for (const std::string& token : PointerTokens(pointer)) {
    if (!s) return nullptr;
    s = Child(*s, token);
  }
  return s;
}

std::vector<std::string> SchemaDocument::AllowedKeys(const nlohmann::json& subschema) const {
  std::vector<std::string> keys;
  const nlohmann::json* additional = Keyword(subschema, "additionalProperties");
  if (!additional || !additional->is_boolean() || additional->get<bool>()) return keys;
  if (const nlohmann::json* properties = Keyword(subschema, "properties"))
    for (const auto& [key, _] : properties->items()) keys.push_back(key);
  return keys;
}

}  // namespace mosaic
