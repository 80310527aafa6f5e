#pragma once
// ModelGraph: a CNN as layers in topological order, each producing one tensor (docs/design.md §2).
// A layer's inputs are indices of earlier layers, or kModelInput for the model's input tensor.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/model/op.hpp"
#include "edgepart/ops/shape.hpp"

namespace edgepart::model {

using LayerIndex = int32_t;
inline constexpr LayerIndex kModelInput = -1;

using ops::Shape;

struct Layer {
  std::string name;
  OpKind kind = OpKind::identity;
  OpAttrs attrs;
  std::vector<LayerIndex> inputs;  // producers, in input order
  // Where the layer was defined, for error messages: a JSON pointer ("/layers/3") or an ONNX node
  // description ("node 'conv1' (Conv)").
  std::string origin;

  template <typename T>
  const T& as() const { return std::get<T>(attrs); }
  // The layer as its op's spec sees it (ops/spec.hpp); `file` is the model file, for messages.
  ops::LayerRef ref(const std::string& file = {}) const { return ops::LayerRef{kind, &attrs, name, file, origin}; }
  bool operator==(const Layer&) const = default;
};

class ModelGraph {
public:
  std::string name;
  std::string source;  // provenance
  std::string file;    // the file it was loaded from (for messages), may be empty
  Shape input;
  int64_t dtype_bytes = 4;  // fp32 activations
  std::vector<Layer> layers;  // topological order

  size_t size() const { return layers.size(); }
  const Layer& layer(LayerIndex i) const { return layers.at(static_cast<size_t>(i)); }
  std::optional<LayerIndex> find(const std::string& layer_name) const;
  // consumers()[i]: the layers that read layer i's output, ascending.
  std::vector<std::vector<LayerIndex>> consumers() const;
  // The model output is the last layer.
  LayerIndex output() const { return static_cast<LayerIndex>(layers.size()) - 1; }
  // A short description for messages: "layer 'conv3' (conv2d)".
  std::string describe(LayerIndex i) const;
  // Content hash of the architecture (FNV-1a over a canonical text), for plans (docs/design.md §7).
  std::string content_hash() const;
};

}  // namespace edgepart::model
