#pragma once
// Shape inference and per-layer costs (docs/design.md §3, docs/formats.md): output shape, MACs, FLOPs,
// parameters and output bytes of every layer. All arithmetic is 64-bit and overflow-checked; an
// impossible shape or an overflow is an InputError naming the file and the layer.
#include <cstdint>
#include <vector>

#include "edgepart/model/graph.hpp"

namespace edgepart::cost {

using model::LayerIndex;
using model::ModelGraph;
using model::Shape;

struct LayerCost {
  int64_t macs = 0;          // multiply-accumulates (conv and linear only)
  int64_t flops = 0;         // 2 MACs for conv/linear, one op per output element elsewhere
  int64_t params = 0;        // learnable parameters, as torchvision counts them
  int64_t output_bytes = 0;  // output elements x dtype_bytes
  bool operator==(const LayerCost&) const = default;
};

struct ModelAnalysis {
  Shape input;
  std::vector<Shape> shapes;      // output shape of each layer
  std::vector<LayerCost> layers;  // cost of each layer
  int64_t total_macs = 0, total_flops = 0, total_params = 0;

  // The shape of a layer's input tensor (the model input for kModelInput).
  const Shape& shape_of(LayerIndex producer) const {
    return producer == model::kModelInput ? input : shapes.at(static_cast<size_t>(producer));
  }
};

// Every layer's output shape, in layer order. Throws InputError naming the layer.
std::vector<Shape> infer_shapes(const ModelGraph& graph);

// Shapes plus costs and totals.
ModelAnalysis analyze(const ModelGraph& graph);

// Output length of a sliding window along one axis (conv and pooling):
// floor((in + pad_begin + pad_end - dilation(k-1) - 1) / stride) + 1, or with ceil_mode the
// ceiling, minus one when the last window would start in the end padding (PyTorch's rule).
// Returns 0 or less when the kernel does not fit the padded input.
int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                           int64_t pad_begin, int64_t pad_end, bool ceil_mode);

}  // namespace edgepart::cost
