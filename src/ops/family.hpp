#pragma once
// What the op families (src/ops/*.cpp) share: reading and writing the format's hw and padding
// attributes, shape checks, window steps, and the executor's pixel access. Private to the module.
#include <string>

#include "edgepart/ops/spec.hpp"
#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::ops::family {

// --- the model format ---

// "hw": a positive int for both axes, or [h, w].
Hw read_hw(const JsonCursor& c);
// The key's hw when present, else `fallback`.
Hw hw_or(const JsonCursor& layer, const char* key, Hw fallback);
// int, [h, w] or [top, left, bottom, right]; each >= 0. Absent: no padding.
Padding padding_or(const JsonCursor& layer);
// The shortest spelling: an int when h == w.
OrderedJson hw_json(const Hw& hw);
OrderedJson padding_json(const Padding& p);

// Specs of ops without attributes.
inline OpAttrs read_nothing(const JsonCursor&) { return NoAttrs{}; }
inline void write_nothing(const OpAttrs&, OrderedJson&) {}

// --- shapes ---

const Shape& require_chw(const LayerRef& layer, const Shape& s);
// The output of a sliding window with `channels` channels; a kernel larger than the padded input
// is layer.fail(...).
Shape window_shape(const LayerRef& layer, const Shape& in, int64_t channels, const Hw& kernel, const Hw& stride,
                   const Hw& dilation, const Padding& pad, bool ceil_mode);
// The first input's shape (element-wise ops).
Shape same_shape(const LayerRef& layer, const InputShapes& in);
// One op per output element (docs/design.md §3).
LayerCost one_flop_per_element(const LayerRef& layer, const InputShapes& in, const Shape& out);
// Pure data movement: no arithmetic.
LayerCost no_cost(const LayerRef& layer, const InputShapes& in, const Shape& out);

// --- receptive-field steps ---

inline AxisStep axis(AxisStep::Kind kind, int64_t in_size, int64_t a = 1, int64_t b = 1, int64_t c = 1, int64_t d = 0) {
  return AxisStep{kind, a, b, c, d, in_size};
}
inline InputStep same_step(const Shape& in) { return InputStep{axis(AxisStep::Kind::same, in.h), axis(AxisStep::Kind::same, in.w)}; }
inline InputStep whole_step(const Shape& in) { return InputStep{axis(AxisStep::Kind::whole, in.h), axis(AxisStep::Kind::whole, in.w)}; }
// A sliding window: the halo it touches (exact) or only each output's stride cell (none).
InputStep window_step(const Hw& k, const Hw& s, const Hw& dil, const Padding& p, const Shape& in, Halo halo);
// Output pixel (u, v) reads input pixel (u, v) of every input.
void same_steps(const LayerRef& layer, const InputShapes& in, const Shape& out, Halo halo, std::span<InputStep> steps);

// --- parameters ---

// conv2d and linear: a weight and an optional bias, held as the file gives them.
inline constexpr std::string_view kWeightAndBias[] = {"weight", "bias"};
template <std::vector<size_t> (*tensor_sizes)(const LayerRef&, const InputShapes&)>
ParamCounts weight_and_bias_held(const LayerRef& layer, const InputShapes& in) {
  const std::vector<size_t> s = tensor_sizes(layer, in);
  return ParamCounts{s.at(0), s.size() > 1 ? s[1] : 0, 0};
}
LayerParams weight_and_bias_from(const LayerRef& layer, const std::vector<std::vector<float>>& tensors);

// --- whole specs ---

// The spec of a one-input op that maps every element on its own (an activation): shape kept, one
// FLOP per element, output pixel (u, v) reads input pixel (u, v), no parameters.
struct UnaryOp {
  OpKind kind;
  std::string_view name, summary;
  Tensor (*forward)(const ForwardCall& call);
  OpClass op_class = OpClass::activation;
  std::span<const AttrKey> attributes = {};
  OpAttrs defaults = NoAttrs{};
  OpAttrs (*read)(const JsonCursor& layer) = read_nothing;
  void (*write)(const OpAttrs& attrs, OrderedJson& layer) = write_nothing;
  LayerCost (*cost)(const LayerRef& layer, const InputShapes& in, const Shape& out) = one_flop_per_element;
};
constexpr OpSpec unary_spec(const UnaryOp& op) {
  return OpSpec{.kind = op.kind,
                .name = op.name,
                .summary = op.summary,
                .arity = {1, 1},
                .elementwise = true,
                .attributes = op.attributes,
                .defaults = op.defaults,
                .read = op.read,
                .write = op.write,
                .infer_shape = same_shape,
                .cost = op.cost,
                .op_class = op.op_class,
                .classify = nullptr,
                .backward = same_steps,
                .params = nullptr,
                .forward = op.forward};
}

// --- the executor ---

[[noreturn]] void read_outside_crop(const LayerRef& layer, const Region& read, const Region& crop);
// Checks that region `read` (clipped to `valid`) of view v is present.
void check_reads(const LayerRef& layer, const InputView& v, const Region& read);
// Checks that the pixels a window reads for `out` are present.
void check_window(const LayerRef& layer, const InputView& v, const Region& out, const Hw& k, const Hw& s, const Hw& d,
                  const Padding& p);

// Value of pixel (y, x) (map coordinates) of channel ch, `pad` outside `valid`.
// A pixel inside the map but missing from the crop is a bug in the region arithmetic.
inline float read(const InputView& v, int64_t ch, int64_t y, int64_t x, float pad) {
  if (!v.valid.rows.contains(y) || !v.valid.cols.contains(x)) return pad;
  if (!v.crop.rows.contains(y) || !v.crop.cols.contains(x))
    throw InternalError("executor reads pixel (" + std::to_string(y) + ", " + std::to_string(x) +
                        ") outside the crop " + v.crop.to_string() + " (region arithmetic bug)");
  return v.tensor->at(ch, y - v.crop.rows.begin, x - v.crop.cols.begin);
}

// A pointer to pixel (y, x) of channel ch, which must be in the crop.
inline const float* pixel(const InputView& v, int64_t ch, int64_t y, int64_t x) {
  return v.tensor->plane(ch) + (y - v.crop.rows.begin) * v.tensor->w + (x - v.crop.cols.begin);
}

// out(c, y, x) = f(c, in(c, y, x)) over the region, for the layer's first input.
template <typename F>
Tensor map_pixels(const ForwardCall& call, F f) {
  const InputView& v = call.inputs.front();
  const Region& out = call.out;
  const int64_t channels = call.in.front().c;
  check_reads(call.layer, v, out);
  Tensor result(channels, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t y = out.rows.begin; y <= out.rows.end; ++y) {
      float* dst = result.plane(ch) + (y - out.rows.begin) * result.w;
      for (int64_t x = out.cols.begin; x <= out.cols.end; ++x) dst[x - out.cols.begin] = f(ch, read(v, ch, y, x, 0.0f));
    }
  return result;
}

}  // namespace edgepart::ops::family
