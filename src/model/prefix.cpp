#include "edgepart/model/prefix.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::model {

std::optional<std::string> prefix_problem(const ModelGraph& graph, LayerIndex last) {
  EDGEPART_ASSERT(last >= 0 && static_cast<size_t>(last) < graph.size(), "prefix end out of range");
  std::vector<bool> read(static_cast<size_t>(last) + 1, false);
  for (LayerIndex l = 0; l <= last; ++l)
    for (LayerIndex p : graph.layer(l).inputs)
      if (p >= 0) read[static_cast<size_t>(p)] = true;
  for (LayerIndex l = 0; l < last; ++l)
    if (!read[static_cast<size_t>(l)])
      return "the layers up to " + graph.describe(last) + " leave " + graph.describe(l) +
             "'s output unread (only layers after the cut read it)";
  return std::nullopt;
}

ModelGraph model_prefix(const ModelGraph& graph, LayerIndex last) {
  EDGEPART_ASSERT(!prefix_problem(graph, last), "model_prefix on a layer that does not end a prefix");
  ModelGraph out = graph;
  out.layers.resize(static_cast<size_t>(last) + 1);
  out.name = graph.name + "[.." + graph.layer(last).name + "]";
  return out;
}

}  // namespace edgepart::model
