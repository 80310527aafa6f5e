#pragma once
// Receptive field size r, effective stride S and effective padding P of every layer's output with
// respect to the model input (Araujo, Norris, Sim: "Computing Receptive Fields of Convolutional
// Neural Networks", Distill 2019). Output pixel u of a layer sees input pixels
// [u*S - P, u*S - P + r - 1]. Undefined (nullopt) after global pooling, flatten, linear, softmax
// over a flat vector, upsampling and depth_to_space (no affine map from output to input pixels).
#include <optional>
#include <vector>

#include "edgepart/cost/analysis.hpp"

namespace edgepart::rf {

struct AxisField {
  int64_t size = 1, stride = 1, padding = 0;
  bool operator==(const AxisField&) const = default;
};

struct ReceptiveField {
  AxisField h, w;
  bool operator==(const ReceptiveField&) const = default;
};

// One entry per layer. In a DAG each quantity is the largest over the paths into the layer.
std::vector<std::optional<ReceptiveField>> receptive_fields(const model::ModelGraph& graph,
                                                            const cost::ModelAnalysis& analysis);

}  // namespace edgepart::rf
