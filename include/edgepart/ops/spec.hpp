#pragma once
// One op, one place (docs/architecture.md "Ops"). Every op has one OpSpec, defined in its family's
// file under src/ops/ (conv.cpp, pool.cpp, activation.cpp, norm.cpp, linear.cpp, elementwise.cpp,
// shape_ops.cpp): its name and summary, its attributes with their defaults (what the JSON reader
// and writer use), shape inference, MACs/FLOPs/parameters, the receptive-field backward step, its
// parameters (their tensors, drawn or loaded) and forward pass in the reference executor, and its op class. ops/op_list.hpp lists
// the ops once; op_table() is that list of specs, in OpKind order.
//
// The module sits right above util, below model, cost, rf and exec: those call through the table
// (model's JSON reader and writer, cost::analyze, rf::backward_steps and receptive fields,
// exec::compute_layer and make_params), so none of them has a `switch (kind)` of its own, and the
// layering is unchanged (model never depends on exec). The price: the types the specs work on
// (Shape, Region, AxisStep, LayerCost, Tensor, LayerParams) live here too, and every module that
// links the table also links the forward passes (Eigen is a private, header-only dependency).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgepart/ops/cost.hpp"
#include "edgepart/ops/op.hpp"
#include "edgepart/ops/params.hpp"
#include "edgepart/ops/shape.hpp"
#include "edgepart/ops/steps.hpp"
#include "edgepart/ops/tensor.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::ops {

// A layer as an op sees it: its op, attributes and name, and where it was defined (for messages).
struct LayerRef {
  OpKind kind = OpKind::identity;
  const OpAttrs* attrs = nullptr;
  std::string_view name;
  std::string_view file;    // the model file (may be empty)
  std::string_view origin;  // a JSON pointer ("/layers/3") or an ONNX node description

  template <typename T>
  const T& as() const { return std::get<T>(*attrs); }
  // "layer 'conv3' (conv2d)".
  std::string describe() const;
  // InputError(file, origin, "layer 'x' (op): message").
  [[noreturn]] void fail(const std::string& message) const;
};

// The shapes of a layer's inputs, read in place: producer -1 is the model input, producer p >= 0
// the output of layer p.
class InputShapes {
public:
  InputShapes(const std::vector<int32_t>& producers, const Shape& model_input, const std::vector<Shape>& outputs)
      : producers_(&producers), input_(&model_input), outputs_(&outputs) {}
  size_t size() const { return producers_->size(); }
  const Shape& operator[](size_t k) const {
    const int32_t p = (*producers_)[k];
    return p < 0 ? *input_ : (*outputs_)[static_cast<size_t>(p)];
  }
  const Shape& front() const { return (*this)[0]; }

private:
  const std::vector<int32_t>* producers_;
  const Shape* input_;
  const std::vector<Shape>* outputs_;
};

// What the executor's forward pass of one layer gets: region `out` (clipped to the output map,
// non-empty) of the layer's output is computed from `inputs` (one view per input).
struct ForwardCall {
  const LayerRef& layer;
  const InputShapes& in;
  const Shape& out_shape;
  const LayerParams& params;
  const std::vector<InputView>& inputs;
  const Region& out;
};

// One attribute key of the model format (docs/formats.md) and how its default is given.
struct AttrKey {
  enum class Default : uint8_t {
    required,    // no default: the key must be present
    from_attrs,  // the value the op's attribute struct holds when default-constructed
    kernel,      // the layer's kernel (pooling stride, as in PyTorch)
    text,        // `text`, a JSON value (a key that is checked but not stored)
  };
  std::string_view name;
  Default fallback = Default::from_attrs;
  std::string_view text = {};
};

using OrderedJson = nlohmann::ordered_json;

// The parameters of an op that has them (conv2d, linear, batchnorm): their tensors in a model file
// and how the executor holds, loads and draws them.
struct OpParams {
  std::span<const std::string_view> roles;  // tensor names, in order: "weight", "bias"; "gamma", ...
  // Element counts of the layer's tensors: the first n roles (a conv without bias has no "bias").
  std::vector<size_t> (*tensor_sizes)(const LayerRef& layer, const InputShapes& in);
  // The sizes a LayerParams holds once loaded (batchnorm folds four tensors into a scale and a shift).
  ParamCounts (*held)(const LayerRef& layer, const InputShapes& in);
  // From trained tensors in role order, their sizes already checked against tensor_sizes.
  LayerParams (*from_tensors)(const LayerRef& layer, const std::vector<std::vector<float>>& tensors);
  // Drawn from a seed (ops/params.hpp).
  LayerParams (*draw)(const LayerRef& layer, const InputShapes& in, uint64_t seed);
};

struct OpSpec {
  OpKind kind;
  std::string_view name;     // as in the model format
  std::string_view summary;  // one line for `edgepart list ops` and docs
  Arity arity;
  bool elementwise;  // maps an output region to the same input region, shape kept

  // --- the model format (model/load_json.cpp, model/write_json.cpp) ---
  std::span<const AttrKey> attributes;  // the keys besides name/op/inputs
  OpAttrs defaults;                     // the attribute struct with every default
  OpAttrs (*read)(const JsonCursor& layer);
  void (*write)(const OpAttrs& attrs, OrderedJson& layer);  // every attribute, keys in alphabetical order

  // --- shapes and costs (cost::analyze; docs/design.md §3) ---
  // The output shape; an impossible input is layer.fail(...).
  Shape (*infer_shape)(const LayerRef& layer, const InputShapes& in);
  // MACs, FLOPs and parameters (output_bytes is filled by the caller).
  LayerCost (*cost)(const LayerRef& layer, const InputShapes& in, const Shape& out);
  OpClass op_class;
  // When set, the class depends on the layer (conv2d: kernel and groups) and op_class is unused.
  OpClass (*classify)(const LayerRef& layer, const LayerCost& cost);

  // --- receptive fields (rf; docs/design.md §4): how each input is read, one step per input ---
  void (*backward)(const LayerRef& layer, const InputShapes& in, const Shape& out, Halo halo,
                   std::span<InputStep> steps);

  // --- the reference executor (exec) ---
  const OpParams* params;  // null: the op has no parameters
  Tensor (*forward)(const ForwardCall& call);
};

#define EDGEPART_OP_DECLARE(kind) extern const OpSpec kind##_spec;
EDGEPART_OPS(EDGEPART_OP_DECLARE)
#undef EDGEPART_OP_DECLARE

// Every op's spec, in OpKind order.
const std::vector<OpSpec>& op_table();
const OpSpec& op_spec(OpKind kind);
std::string_view op_name(OpKind kind);
std::optional<OpKind> find_op(std::string_view name);
std::vector<std::string> op_names();

// The attribute keys of an op with their defaults, as JSON: {"kernel": null, "stride": "kernel",
// "padding": 0, ...} (null = required). `edgepart list ops --format json` prints it and
// tools/edgepart_model.py reads it.
OrderedJson attribute_defaults(const OpSpec& spec);

}  // namespace edgepart::ops
