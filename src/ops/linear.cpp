// flatten ([C,H,W] -> [C*H*W]) and linear (a fully connected layer): every output reads the
// whole input, so neither has a receptive field or splits by rows.
#include <Eigen/Core>
#include <cmath>

#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

void whole_steps(const LayerRef&, const InputShapes& in, const Shape&, Halo, std::span<InputStep> steps) {
  steps[0] = whole_step(in.front());
}

// --- flatten ---

Shape infer_flatten(const LayerRef&, const InputShapes& in) { return Shape::features(in.front().elements()); }

// PyTorch's flatten of NCHW: feature index (c*H + y)*W + x.
Tensor forward_flatten(const ForwardCall& call) {
  const Shape& in_shape = call.in.front();
  const InputView& v = call.inputs.front();
  check_reads(call.layer, v, Region::whole(in_shape));
  Tensor result(call.out_shape.c, 1, 1);
  for (int64_t ch = 0; ch < in_shape.c; ++ch)
    for (int64_t y = 0; y < in_shape.h; ++y)
      for (int64_t x = 0; x < in_shape.w; ++x)
        result.data[static_cast<size_t>((ch * in_shape.h + y) * in_shape.w + x)] = read(v, ch, y, x, 0.0f);
  return result;
}

// --- linear ---

constexpr AttrKey kLinearKeys[] = {{"out_features", AttrKey::Default::required}, {"bias"}};

OpAttrs read_linear(const JsonCursor& l) {
  LinearAttrs a;
  a.out_features = l.at("out_features").as_positive_int();
  a.bias = l.bool_or("bias", a.bias);
  return a;
}

void write_linear(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<LinearAttrs>(attrs);
  j["bias"] = a.bias;
  j["out_features"] = a.out_features;
}

Shape infer_linear(const LayerRef& l, const InputShapes& in) {
  const Shape& x = in.front();
  if (!x.flat) l.fail("needs a flat input (got " + x.to_string() + "; add a flatten layer)");
  return Shape::features(l.as<LinearAttrs>().out_features);
}

LayerCost cost_linear(const LayerRef& l, const InputShapes& in, const Shape&) {
  const auto& a = l.as<LinearAttrs>();
  LayerCost c;
  c.macs = checked_mul(in.front().c, a.out_features);
  c.flops = checked_mul(2, c.macs);
  c.params = checked_add(c.macs, a.bias ? a.out_features : 0);
  return c;
}

// [out][in] weights and `out` biases.
std::vector<size_t> tensor_sizes(const LayerRef& l, const InputShapes& in) {
  const auto& a = l.as<LinearAttrs>();
  auto weights = static_cast<size_t>(a.out_features * in.front().c);
  if (!a.bias) return {weights};
  return {weights, static_cast<size_t>(a.out_features)};
}

// He-uniform weights, PyTorch's default bias (ops/params.hpp).
LayerParams draw(const LayerRef& l, const InputShapes& in, uint64_t seed) {
  const auto& a = l.as<LinearAttrs>();
  const int64_t fan_in = in.front().c;
  LayerParams p;
  p.weight_bound = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in)));
  // Drawn once and kept, as a deployed model keeps its weights: a runtime or a profile then
  // times the matrix-vector product, not the generator (VGG-16's classifier.0 is 103M
  // weights, 412 MB).
  p.weight.resize(static_cast<size_t>(a.out_features * fan_in));
  linear_weight_stream(l.name, seed).fill(p.weight, -p.weight_bound, p.weight_bound);
  if (a.bias) {
    auto b = static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
    p.bias.resize(static_cast<size_t>(a.out_features));
    UniformStream(seed, l.name, "bias").fill(p.bias, -b, b);
  }
  return p;
}

constexpr OpParams kParams = {.roles = kWeightAndBias,
                              .tensor_sizes = tensor_sizes,
                              .held = weight_and_bias_held<tensor_sizes>,
                              .from_tensors = weight_and_bias_from,
                              .draw = draw};

// y = W x + b, W row-major [out][in].
Tensor forward_linear(const ForwardCall& call) {
  const Shape& in_shape = call.in.front();
  const InputView& v = call.inputs.front();
  const LayerParams& p = call.params;
  check_reads(call.layer, v, Region::whole(in_shape));
  const int64_t n_in = in_shape.c, n_out = call.out_shape.c;
  std::vector<float> x(static_cast<size_t>(n_in));
  for (int64_t i = 0; i < n_in; ++i) x[static_cast<size_t>(i)] = read(v, i, 0, 0, 0.0f);
  Tensor result(n_out, 1, 1);
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> w(p.weight.data(), n_out, n_in);
  Eigen::Map<Eigen::VectorXf> y(result.data.data(), n_out);
  y.noalias() = w * Eigen::Map<const Eigen::VectorXf>(x.data(), n_in);
  if (!p.bias.empty()) y += Eigen::Map<const Eigen::VectorXf>(p.bias.data(), n_out);
  return result;
}

}  // namespace

constexpr OpSpec flatten_spec = {
    .kind = OpKind::flatten,
    .name = "flatten",
    .summary = "[C,H,W] -> [C*H*W]",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = {},
    .defaults = NoAttrs{},
    .read = read_nothing,
    .write = write_nothing,
    .infer_shape = infer_flatten,
    .cost = no_cost,
    .op_class = OpClass::data_movement,
    .classify = nullptr,
    .backward = whole_steps,
    .params = nullptr,
    .forward = forward_flatten,
};

constexpr OpSpec linear_spec = {
    .kind = OpKind::linear,
    .name = "linear",
    .summary = "fully connected layer",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kLinearKeys,
    .defaults = LinearAttrs{},
    .read = read_linear,
    .write = write_linear,
    .infer_shape = infer_linear,
    .cost = cost_linear,
    .op_class = OpClass::linear,
    .classify = nullptr,
    .backward = whole_steps,
    .params = &kParams,
    .forward = forward_linear,
};

}  // namespace edgepart::ops
