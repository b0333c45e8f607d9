#include "located_json.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "utf8.h"

namespace mosaic {

std::string AppendPointer(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out += '/';
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

namespace {

SourceLocation NearestKnown(
    const std::unordered_map<std::string, LocatedJson::Positions>& positions,
    std::string_view pointer) {
  std::string p(pointer);
  while (true) {
    auto it = positions.find(p);
    if (it != positions.end()) return it->second.value;
    if (p.empty()) return {};
    size_t parent = p.rfind('/');
    p.erase(parent == std::string::npos ? 0 : parent);
  }
}

SourceLocation FromMark(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// Thrown from inside the event handler to stop yaml-cpp at once; caught in ParseYaml.
struct StopParsing {
  Diagnostic diagnostic;
};

[[noreturn]] void Stop(SourceLocation where, std::string message) {
  throw StopParsing{Diagnostic{Severity::kError, "", where, "", std::move(message)}};
}

// YAML 1.2 core schema for plain (unquoted, untagged) scalars.
nlohmann::json ResolvePlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  auto as_int = [&](std::string_view digits, int base,
                    bool negative) -> std::optional<nlohmann::json> {
    if (digits.empty()) return std::nullopt;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (end != digits.data() + digits.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) return nlohmann::json(s);  // too big: keep the text
    if (ec != std::errc()) return std::nullopt;
    return nlohmann::json(negative ? -v : v);
  };
  std::string_view body = s;
  bool negative = false;
  if (body.front() == '-' || body.front() == '+') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o') &&
      body.data() == s.data()) {
    if (auto v = as_int(body.substr(2), body[1] == 'x' ? 16 : 8, false)) return *v;
  }
  if (!body.empty() && body.find_first_not_of("0123456789") == std::string_view::npos) {
    if (auto v = as_int(body, 10, negative)) return *v;
  }
  static const char* kInf[] = {".inf", ".Inf", ".INF"};
  for (const char* inf : kInf)
    if (body == inf)
      return negative ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = 0;
  auto digits = [&] {
    size_t n = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++n;
    return n;
  };
  size_t mantissa = digits();
  if (i < body.size() && body[i] == '.') {
    ++i;
    mantissa += digits();
  }
  bool ok = mantissa > 0;
  if (ok && i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    ok = digits() > 0;
  }
  if (ok && i == body.size()) {
    double v = 0;
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
    if (ec == std::errc() && end == body.data() + body.size()) return negative ? -v : v;
  }
  return s;
}

class JsonBuilder : public YAML::EventHandler {
 public:
  JsonBuilder(const YamlLimits& limits, LocatedJson& out) : limits_(limits), out_(out) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    AddValue(mark, anchor, nullptr, /*key_text=*/std::nullopt);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    SourceLocation where = FromMark(mark);
    for (const Frame& f : stack_)
      if (f.anchor == anchor && anchor != YAML::NullAnchor)
        Stop(where, "recursive alias: an anchor may not refer to itself");
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) Stop(where, "alias to an unknown anchor");
    Count(where, it->second.nodes);
    std::optional<std::string> key_text;
    if (it->second.value.is_string()) key_text = it->second.value.get<std::string>();
    nlohmann::json copy = it->second.value;
    size_t nodes = it->second.nodes;
    AddValue(mark, YAML::NullAnchor, std::move(copy), key_text, nodes - 1);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    SourceLocation where = FromMark(mark);
    if (value.size() > limits_.max_scalar_bytes)
      Stop(where, fmt::format("value is too long ({} bytes; at most {})", value.size(),
                              limits_.max_scalar_bytes));
    // Untagged plain scalars and the core schema's explicit tags resolve by YAML's rules.
    bool plain = tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
                 tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
    nlohmann::json resolved;
    if (plain)
      resolved = ResolvePlainScalar(value);
    else if (tag == "!" || tag == "tag:yaml.org,2002:str")
      resolved = value;
    else
      Stop(where, fmt::format("unsupported YAML tag '{}'", tag));
    AddValue(mark, anchor, std::move(resolved), value);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, nlohmann::json::array());
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, nlohmann::json::object());
  }
  void OnMapEnd() override { Close(); }

  bool has_root() const { return has_root_; }

 private:
  // (The implicit moves of these value types cannot throw; clang-tidy cannot see into json's.)
  struct Frame {  // NOLINT(bugprone-exception-escape)
    nlohmann::json container;
    std::string pointer;
    SourceLocation location;
    YAML::anchor_t anchor = YAML::NullAnchor;
    size_t nodes_at_open = 0;
    // For mappings: the key read and waiting for its value.
    std::optional<std::string> pending_key;
    SourceLocation pending_key_location;
    std::map<std::string, SourceLocation> seen_keys;
  };
  struct Anchored {  // NOLINT(bugprone-exception-escape)
    nlohmann::json value;
    size_t nodes = 1;
  };

  void Count(SourceLocation where, size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes)
      Stop(where, fmt::format("document too large: more than {} values after expanding aliases",
                              limits_.max_nodes));
  }

  // The pointer the next value will have, or nullopt when the next value is a mapping key.
  std::optional<std::string> NextPointer() const {
    if (stack_.empty()) return std::string();
    const Frame& f = stack_.back();
    if (f.container.is_array()) return AppendPointer(f.pointer, std::to_string(f.container.size()));
    if (!f.pending_key) return std::nullopt;
    return AppendPointer(f.pointer, *f.pending_key);
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, nlohmann::json container) {
    SourceLocation where = FromMark(mark);
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      Stop(where, fmt::format("nesting is too deep (more than {} levels)", limits_.max_depth));
    std::optional<std::string> pointer = NextPointer();
    if (!pointer) Stop(where, "a mapping key must be a plain value, not a mapping or a sequence");
    Count(where, 1);
    Frame f;
    f.container = std::move(container);
    f.pointer = *pointer;
    f.location = where;
    f.anchor = anchor;
    f.nodes_at_open = nodes_;
    stack_.push_back(std::move(f));
  }

  void Close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.pending_key) Stop(f.pending_key_location, "mapping key without a value");
    size_t nodes = nodes_ - f.nodes_at_open + 1;
    Place(f.location, f.anchor, std::move(f.container), std::move(f.pointer), nodes);
  }

  void AddValue(const YAML::Mark& mark, YAML::anchor_t anchor, nlohmann::json value,
                std::optional<std::string> key_text, size_t extra_nodes = 0) {
    SourceLocation where = FromMark(mark);
    if (!stack_.empty() && stack_.back().container.is_object() && !stack_.back().pending_key) {
      Frame& f = stack_.back();
      if (!key_text) Stop(where, "a mapping key must be a plain value");
      if (!value.is_string() && !value.is_number() && !value.is_boolean())
        Stop(where, "a mapping key must be a plain value");
      auto [it, inserted] = f.seen_keys.emplace(*key_text, where);
      if (!inserted) {
        Stop(where, fmt::format("duplicate key '{}' (first defined at line {})", *key_text,
                                it->second.line));
      }
      f.pending_key = *key_text;
      f.pending_key_location = where;
      if (anchor != YAML::NullAnchor) anchors_[anchor] = {nlohmann::json(*key_text), 1};
      return;
    }
    std::optional<std::string> pointer = NextPointer();
    Count(where, 1);
    // A null written as an empty value (`key:` at end of line) has its mark on the next line;
    // the key's own line is where a reader looks.
    if (value.is_null() && !stack_.empty() && stack_.back().container.is_object() &&
        where.line > stack_.back().pending_key_location.line) {
      where = stack_.back().pending_key_location;
    }
    Place(where, anchor, std::move(value), std::move(*pointer), 1 + extra_nodes);
  }

  void Place(SourceLocation where, YAML::anchor_t anchor, nlohmann::json value, std::string pointer,
             size_t nodes) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = {value, nodes};
    if (stack_.empty()) {
      out_.positions.emplace(std::move(pointer), LocatedJson::Positions{where, {}});
      out_.value = std::move(value);
      has_root_ = true;
      return;
    }
    Frame& parent = stack_.back();
    if (parent.container.is_array()) {
      out_.positions.emplace(std::move(pointer), LocatedJson::Positions{where, {}});
      parent.container.push_back(std::move(value));
    } else {
      out_.positions.emplace(std::move(pointer),
                             LocatedJson::Positions{where, parent.pending_key_location});
      parent.container[*parent.pending_key] = std::move(value);
      parent.pending_key.reset();
    }
  }

  const YamlLimits& limits_;
  LocatedJson& out_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  size_t nodes_ = 0;
  bool has_root_ = false;
};

// Receives events and keeps nothing: used to ask yaml-cpp only whether text is well-formed.
class SyntaxOnly : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

Diagnostic SyntaxDiagnostic(const YAML::Exception& e) {
  std::string message = e.msg;
  if (message == "bad file") message = "malformed YAML (too deeply nested?)";
  return Diagnostic{Severity::kError, "", FromMark(e.mark), "", "YAML syntax: " + message};
}

// The YAML syntax error in `text`, if it has one. Reads two documents at most: one is a roster,
// two is an error; and yaml-cpp yields empty documents forever on some inputs (a stray ',').
std::optional<Diagnostic> FindSyntaxError(std::string_view text) {
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    SyntaxOnly ignore;
    if (parser.HandleNextDocument(ignore)) parser.HandleNextDocument(ignore);
  } catch (const YAML::Exception& e) {
    return SyntaxDiagnostic(e);
  }
  return std::nullopt;
}

// The location of the first byte that is not valid UTF-8 (or is NUL), if any.
std::optional<std::pair<SourceLocation, std::string>> FindBadByte(std::string_view text) {
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0')
      return std::pair{SourceLocation{line, column},
                       std::string("NUL byte: this is not a text file")};
    size_t len = Utf8CharLength(text, i);
    if (len == 0)
      return std::pair{SourceLocation{line, column},
                       std::string("invalid UTF-8: a roster must be UTF-8 text")};
    if (text[i] == '\n')
      line++, column = 1;
    else
      column++;
    i += len;
  }
  return std::nullopt;
}

}  // namespace

SourceLocation LocatedJson::ValueLocation(std::string_view pointer) const {
  return NearestKnown(positions, pointer);
}

SourceLocation LocatedJson::KeyLocation(std::string_view pointer) const {
  auto it = positions.find(std::string(pointer));
  return it != positions.end() && it->second.key.known() ? it->second.key : ValueLocation(pointer);
}

ParsedYaml ParseYaml(std::string_view text, const YamlLimits& limits) {
  ParsedYaml result;
  auto fail = [&](SourceLocation where, std::string message) {
    result.diagnostics.push_back({Severity::kError, "", where, "", std::move(message)});
    return result;
  };
  if (text.size() > limits.max_bytes)
    return fail(
        {}, fmt::format("file is too large ({} bytes; at most {})", text.size(), limits.max_bytes));
  if (auto bad = FindBadByte(text)) return fail(bad->first, bad->second);

  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    JsonBuilder builder(limits, result.document);
    if (!parser.HandleNextDocument(builder) || !builder.has_root())
      return fail({}, "the roster is empty");
    // yaml-cpp would silently ignore everything after the first document.
    LocatedJson ignored;
    JsonBuilder second(limits, ignored);
    if (parser.HandleNextDocument(second)) {
      SourceLocation where = ignored.ValueLocation("");
      return fail(where, "more than one YAML document ('---'): a roster is a single document");
    }
  } catch (const StopParsing& stop) {
    // yaml-cpp streams events before it notices a syntax error further on, so what looked
    // wrong to JsonBuilder may only be the symptom of one; if so, report the syntax error.
    if (std::optional<Diagnostic> syntax = FindSyntaxError(text))
      result.diagnostics.push_back(*syntax);
    else
      result.diagnostics.push_back(stop.diagnostic);
  } catch (const YAML::Exception& e) {
    result.diagnostics.push_back(SyntaxDiagnostic(e));
  } catch (const std::exception& e) {
    fail({}, std::string("could not read YAML: ") + e.what());
  }
  return result;
}

}  // namespace mosaic
