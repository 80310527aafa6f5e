#pragma once
// Shape inference and per-layer costs (docs/design.md §3, docs/formats.md): output shape, MACs, FLOPs,
// parameters and output bytes of every layer. All arithmetic is 64-bit and overflow-checked; an
// impossible shape or an overflow is an InputError naming the file and the layer.
#include <cstdint>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/ops/cost.hpp"

namespace edgepart::cost {

using model::LayerIndex;
using model::ModelGraph;
using model::Shape;

using ops::LayerCost;

struct ModelAnalysis {
  Shape input;
  std::vector<Shape> shapes;      // output shape of each layer
  std::vector<LayerCost> layers;  // cost of each layer
  int64_t total_macs = 0, total_flops = 0, total_params = 0;

  // The shape of a layer's input tensor (the model input for kModelInput).
  const Shape& shape_of(LayerIndex producer) const {
    return producer == model::kModelInput ? input : shapes.at(static_cast<size_t>(producer));
  }
  // The shapes of a layer's inputs, in input order (for the ops' specs).
  ops::InputShapes inputs_of(const model::Layer& layer) const { return ops::InputShapes(layer.inputs, input, shapes); }
};

// Every layer's output shape, in layer order. Throws InputError naming the layer.
std::vector<Shape> infer_shapes(const ModelGraph& graph);

// Shapes plus costs and totals.
ModelAnalysis analyze(const ModelGraph& graph);

using ops::window_output_size;  // ops/shape.hpp

}  // namespace edgepart::cost
