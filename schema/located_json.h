// LocatedJson: a YAML document as JSON, with the source position of every value and key.
//
// The roster is YAML for people and JSON for the validator; errors must point back into the
// YAML. ParseYaml reads yaml-cpp's event stream (not YAML::Node, whose shared alias nodes
// expand exponentially and can form cycles) and promises, for any input whatsoever:
//  - bounded time and memory: input size, nesting depth, scalar length and the number of
//    nodes after alias expansion are all capped (YamlLimits), with a clear error past a cap;
//  - errors, not silence, for what yaml-cpp 0.7 accepts quietly: duplicate mapping keys,
//    several `---` documents, recursive aliases, and non-UTF-8 or NUL-bearing text;
//  - YAML 1.2 core-schema typing: quoted scalars are strings; plain `true`, `12`, `~` are
//    bool, int and null; plain `yes` stays the string "yes".
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "diagnostic.h"

namespace mosaic {

struct YamlLimits {
  size_t max_bytes = 32u << 20;    ///< whole input
  size_t max_scalar_bytes = 4096;  ///< one key or value
  size_t max_nodes = 500'000;      ///< values after alias expansion (20,000 agents need ~160,000)
  int max_depth = 64;              ///< nested mappings and sequences
};

struct LocatedJson {  // NOLINT(bugprone-exception-escape): its implicit moves do not throw
  nlohmann::json value;
  struct Positions {
    SourceLocation value;  ///< where the value starts
    SourceLocation key;    ///< where its key is written; unknown for items and the root
  };
  /// By JSON pointer: "" is the root, "/agents/0/name" a member of an item.
  std::unordered_map<std::string, Positions> positions;

  /// Where the value at `pointer` is, else the nearest ancestor whose position is known.
  SourceLocation ValueLocation(std::string_view pointer) const;
  /// Where the key of the member at `pointer` is, else ValueLocation(pointer).
  SourceLocation KeyLocation(std::string_view pointer) const;
};

struct ParsedYaml {         // NOLINT(bugprone-exception-escape): its implicit moves do not throw
  LocatedJson document;     ///< meaningful only when diagnostics hold no error
  Diagnostics diagnostics;  ///< file name left empty; the caller knows it
};

/// Parses one YAML document. Never throws; every failure is a located diagnostic.
ParsedYaml ParseYaml(std::string_view text, const YamlLimits& limits = {});

/// Appends one reference token to a JSON pointer, escaping '~' and '/'.
std::string AppendPointer(std::string_view pointer, std::string_view token);

}  // namespace mosaic
