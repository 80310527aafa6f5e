#pragma once
// ModelGraph: a CNN as layers in topological order, each producing one tensor (docs/design.md §2).
// A layer's inputs are indices of earlier layers, or kModelInput for the model's input tensor.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/model/op.hpp"

namespace edgepart::model {

using LayerIndex = int32_t;
inline constexpr LayerIndex kModelInput = -1;

// A tensor's shape at batch 1: [C,H,W], or [F] (flat) after flatten / linear.
struct Shape {
  int64_t c = 0, h = 1, w = 1;
  bool flat = false;

  static Shape chw(int64_t c, int64_t h, int64_t w) { return Shape{c, h, w, false}; }
  static Shape features(int64_t f) { return Shape{f, 1, 1, true}; }
  int64_t elements() const;  // overflow-checked
  std::vector<int64_t> dims() const;  // [C,H,W] or [F]
  std::string to_string() const;      // "[64,112,112]"
  bool operator==(const Shape&) const = default;
};

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
