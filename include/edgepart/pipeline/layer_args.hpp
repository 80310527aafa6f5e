#pragma once
// Arguments that name layers and ranges (the CLI's `region`, `verify`, `profile`, and the Python
// module's region()): errors are InputErrors naming the option, with a "did you mean" hint for
// layer names.
#include <string>
#include <utility>

#include "edgepart/model/graph.hpp"

namespace edgepart::pipeline {

// A layer by name (or, when no layer has that name, by its 0-based index).
model::LayerIndex find_layer_arg(const model::ModelGraph& graph, const std::string& option, const std::string& text);

// "A:B" as two integers.
std::pair<int64_t, int64_t> parse_int_range(const std::string& option, const std::string& text);

// "A:B" as two strings split at the first ':' (layer names).
std::pair<std::string, std::string> parse_name_range(const std::string& option, const std::string& text);

}  // namespace edgepart::pipeline
