#pragma once
// A prefix of a model: its layers up to and including one layer, that layer's output becoming the
// model output. For studies that measure only the first stage of a network (DeepThings times the
// 16-layer edge stage of YOLOv2, not the full network; docs/experiments.md).
#include <optional>
#include <string>

#include "edgepart/model/graph.hpp"

namespace edgepart::model {

// Why layers 0..last cannot stand alone as a model, or nullopt: every layer before `last` must be
// read by a later layer of the prefix (else the prefix would compute a tensor nobody uses, and
// `last` would not be its only output). Layers after the cut that also read a prefix layer are
// simply dropped with the rest.
std::optional<std::string> prefix_problem(const ModelGraph& graph, LayerIndex last);

// Layers 0..last (topological order is kept, so their inputs stay valid); the name gets
// "[..last's name]" so plans of the prefix and of the whole model are told apart (and the content
// hash differs with the layers). Precondition: prefix_problem is nullopt.
ModelGraph model_prefix(const ModelGraph& graph, LayerIndex last);

}  // namespace edgepart::model
