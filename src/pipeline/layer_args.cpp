#include "edgepart/pipeline/layer_args.hpp"

#include <charconv>

#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::pipeline {

namespace {

bool parse_int(const std::string& text, int64_t& value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

model::LayerIndex find_layer_arg(const model::ModelGraph& graph, const std::string& option, const std::string& text) {
  if (auto i = graph.find(text)) return *i;
  int64_t index = 0;
  if (parse_int(text, index) && index >= 0 && static_cast<size_t>(index) < graph.size())
    return static_cast<model::LayerIndex>(index);
  std::vector<std::string> names;
  for (const auto& l : graph.layers) names.push_back(l.name);
  std::string hint = closest_match(text, names);
  throw InputError(graph.file, option,
                   "no layer '" + text + "' in model '" + graph.name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

std::pair<int64_t, int64_t> parse_int_range(const std::string& option, const std::string& text) {
  auto colon = text.find(':');
  int64_t a = 0, b = 0;
  if (colon == std::string::npos || !parse_int(text.substr(0, colon), a) || !parse_int(text.substr(colon + 1), b))
    throw InputError("", option, "expected A:B with integers A <= B (got '" + text + "')");
  if (a > b) throw InputError("", option, "expected A <= B (got '" + text + "')");
  return {a, b};
}

std::pair<std::string, std::string> parse_name_range(const std::string& option, const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw InputError("", option, "expected FROM:TO, two layer names (got '" + text + "')");
  return {text.substr(0, colon), text.substr(colon + 1)};
}

}  // namespace edgepart::pipeline
