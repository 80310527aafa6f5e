// Activations: one input, every element on its own (PyTorch's ReLU, ReLU6, Hardtanh as clip,
// LeakyReLU, Sigmoid, Hardsigmoid, SiLU, Hardswish). Each is a unary_spec (family.hpp): shape
// kept, one FLOP per element, output pixel (u, v) reads input pixel (u, v).
#include <algorithm>
#include <cmath>

#include "edgepart/util/strings.hpp"
#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float relu6(float x) { return std::min(std::max(x, 0.0f), 6.0f); }

Tensor forward_relu(const ForwardCall& call) { return map_pixels(call, [](int64_t, float x) { return std::max(x, 0.0f); }); }
Tensor forward_relu6(const ForwardCall& call) { return map_pixels(call, [](int64_t, float x) { return relu6(x); }); }
Tensor forward_sigmoid(const ForwardCall& call) { return map_pixels(call, [](int64_t, float x) { return sigmoid(x); }); }
Tensor forward_silu(const ForwardCall& call) { return map_pixels(call, [](int64_t, float x) { return x * sigmoid(x); }); }
Tensor forward_hardswish(const ForwardCall& call) {
  return map_pixels(call, [](int64_t, float x) { return x * relu6(x + 3.0f) / 6.0f; });
}

// --- relu6: a clip to [0, 6] without attributes ---

OpAttrs read_relu6(const JsonCursor&) { return ClipAttrs{0.0, 6.0}; }

// --- clip ---

constexpr AttrKey kClipKeys[] = {{"min", AttrKey::Default::required}, {"max", AttrKey::Default::required}};

OpAttrs read_clip(const JsonCursor& l) {
  ClipAttrs a{l.at("min").as_number(), l.at("max").as_number()};
  if (a.min > a.max) l.at("max").fail("must be >= min (got " + format_number(a.max) + " < " + format_number(a.min) + ")");
  return a;
}

void write_clip(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<ClipAttrs>(attrs);
  j["max"] = a.max;
  j["min"] = a.min;
}

Tensor forward_clip(const ForwardCall& call) {
  const auto& a = call.layer.as<ClipAttrs>();
  auto lo = static_cast<float>(a.min), hi = static_cast<float>(a.max);
  return map_pixels(call, [lo, hi](int64_t, float x) { return std::min(std::max(x, lo), hi); });
}

// --- leaky_relu ---

constexpr AttrKey kLeakyKeys[] = {{"negative_slope"}};

OpAttrs read_leaky(const JsonCursor& l) { return LeakyReluAttrs{l.number_or("negative_slope", LeakyReluAttrs{}.negative_slope)}; }

void write_leaky(const OpAttrs& attrs, OrderedJson& j) { j["negative_slope"] = std::get<LeakyReluAttrs>(attrs).negative_slope; }

Tensor forward_leaky(const ForwardCall& call) {
  auto slope = static_cast<float>(call.layer.as<LeakyReluAttrs>().negative_slope);
  return map_pixels(call, [slope](int64_t, float x) { return x > 0 ? x : slope * x; });
}

// --- hardsigmoid ---

constexpr AttrKey kHardSigmoidKeys[] = {{"alpha"}, {"beta"}};

OpAttrs read_hardsigmoid(const JsonCursor& l) {
  const HardSigmoidAttrs d;
  return HardSigmoidAttrs{l.number_or("alpha", d.alpha), l.number_or("beta", d.beta)};
}

void write_hardsigmoid(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<HardSigmoidAttrs>(attrs);
  j["alpha"] = a.alpha;
  j["beta"] = a.beta;
}

Tensor forward_hardsigmoid(const ForwardCall& call) {
  auto alpha = static_cast<float>(call.layer.as<HardSigmoidAttrs>().alpha);
  auto beta = static_cast<float>(call.layer.as<HardSigmoidAttrs>().beta);
  return map_pixels(call, [alpha, beta](int64_t, float x) { return std::max(0.0f, std::min(1.0f, alpha * x + beta)); });
}

}  // namespace

constexpr OpSpec relu_spec = unary_spec({OpKind::relu, "relu", "max(0, x)", forward_relu});
constexpr OpSpec relu6_spec = unary_spec({.kind = OpKind::relu6,
                                          .name = "relu6",
                                          .summary = "min(max(0, x), 6)",
                                          .forward = forward_relu6,
                                          .defaults = ClipAttrs{0.0, 6.0},
                                          .read = read_relu6});
constexpr OpSpec clip_spec = unary_spec({.kind = OpKind::clip,
                                         .name = "clip",
                                         .summary = "min(max(min, x), max)",
                                         .forward = forward_clip,
                                         .attributes = kClipKeys,
                                         .defaults = ClipAttrs{},
                                         .read = read_clip,
                                         .write = write_clip});
constexpr OpSpec leaky_relu_spec = unary_spec({.kind = OpKind::leaky_relu,
                                               .name = "leaky_relu",
                                               .summary = "x if x > 0 else negative_slope * x",
                                               .forward = forward_leaky,
                                               .attributes = kLeakyKeys,
                                               .defaults = LeakyReluAttrs{},
                                               .read = read_leaky,
                                               .write = write_leaky});
constexpr OpSpec sigmoid_spec = unary_spec({OpKind::sigmoid, "sigmoid", "1 / (1 + exp(-x))", forward_sigmoid});
constexpr OpSpec hardsigmoid_spec = unary_spec({.kind = OpKind::hardsigmoid,
                                                .name = "hardsigmoid",
                                                .summary = "max(0, min(1, alpha x + beta))",
                                                .forward = forward_hardsigmoid,
                                                .attributes = kHardSigmoidKeys,
                                                .defaults = HardSigmoidAttrs{},
                                                .read = read_hardsigmoid,
                                                .write = write_hardsigmoid});
constexpr OpSpec silu_spec = unary_spec({OpKind::silu, "silu", "x * sigmoid(x)", forward_silu});
constexpr OpSpec hardswish_spec = unary_spec({OpKind::hardswish, "hardswish", "x * relu6(x + 3) / 6", forward_hardswish});

}  // namespace edgepart::ops
