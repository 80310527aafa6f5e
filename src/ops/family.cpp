#include "family.hpp"

namespace edgepart::ops::family {

Hw read_hw(const JsonCursor& c) {
  if (c.value().is_array()) {
    if (c.size() != 2) c.fail("expected an integer or [h, w] (got " + c.describe() + ")");
    return Hw{c.at(size_t{0}).as_positive_int(), c.at(size_t{1}).as_positive_int()};
  }
  int64_t v = c.as_positive_int();
  return Hw{v, v};
}

Hw hw_or(const JsonCursor& layer, const char* key, Hw fallback) {
  auto c = layer.find(key);
  return c ? read_hw(*c) : fallback;
}

namespace {

Padding read_padding(const JsonCursor& c) {
  if (c.value().is_array()) {
    auto n = c.size();
    auto at = [&c](size_t i) { return c.at(i).as_int_in(0, INT64_MAX); };
    if (n == 2) return Padding{at(0), at(1), at(0), at(1)};
    if (n == 4) return Padding{at(0), at(1), at(2), at(3)};
    c.fail("expected an integer, [h, w] or [top, left, bottom, right] (got " + c.describe() + ")");
  }
  int64_t v = c.as_int_in(0, INT64_MAX);
  return Padding{v, v, v, v};
}

}  // namespace

Padding padding_or(const JsonCursor& layer) {
  auto c = layer.find("padding");
  return c ? read_padding(*c) : Padding{};
}

OrderedJson hw_json(const Hw& hw) {
  if (hw.h == hw.w) return hw.h;
  return OrderedJson::array({hw.h, hw.w});
}

OrderedJson padding_json(const Padding& p) {
  if (p.top == p.bottom && p.left == p.right) {
    if (p.top == p.left) return p.top;
    return OrderedJson::array({p.top, p.left});
  }
  return OrderedJson::array({p.top, p.left, p.bottom, p.right});
}

const Shape& require_chw(const LayerRef& layer, const Shape& s) {
  if (s.flat) layer.fail("needs a [C,H,W] input (got " + s.to_string() + ")");
  return s;
}

Shape window_shape(const LayerRef& layer, const Shape& in, int64_t channels, const Hw& kernel, const Hw& stride,
                   const Hw& dilation, const Padding& pad, bool ceil_mode) {
  int64_t h = window_output_size(in.h, kernel.h, stride.h, dilation.h, pad.top, pad.bottom, ceil_mode);
  int64_t w = window_output_size(in.w, kernel.w, stride.w, dilation.w, pad.left, pad.right, ceil_mode);
  if (h < 1 || w < 1)
    layer.fail("kernel " + std::to_string(kernel.h) + "x" + std::to_string(kernel.w) + " (dilation " +
               std::to_string(dilation.h) + "x" + std::to_string(dilation.w) + ") is larger than the padded input " +
               std::to_string(in.h + pad.top + pad.bottom) + "x" + std::to_string(in.w + pad.left + pad.right));
  return Shape::chw(channels, h, w);
}

Shape same_shape(const LayerRef&, const InputShapes& in) { return in.front(); }

LayerCost one_flop_per_element(const LayerRef&, const InputShapes&, const Shape& out) {
  LayerCost c;
  c.flops = out.elements();
  return c;
}

LayerCost no_cost(const LayerRef&, const InputShapes&, const Shape&) { return LayerCost{}; }

InputStep window_step(const Hw& k, const Hw& s, const Hw& dil, const Padding& p, const Shape& in, Halo halo) {
  using Kind = AxisStep::Kind;
  if (halo == Halo::none) return InputStep{axis(Kind::cell, in.h, 1, s.h), axis(Kind::cell, in.w, 1, s.w)};
  return InputStep{axis(Kind::window, in.h, k.h, s.h, dil.h, p.top), axis(Kind::window, in.w, k.w, s.w, dil.w, p.left)};
}

void same_steps(const LayerRef&, const InputShapes& in, const Shape&, Halo, std::span<InputStep> steps) {
  for (size_t k = 0; k < in.size(); ++k) steps[k] = same_step(in[k]);
}

LayerParams weight_and_bias_from(const LayerRef&, const std::vector<std::vector<float>>& tensors) {
  LayerParams p;
  p.weight = tensors.at(0);
  if (tensors.size() > 1) p.bias = tensors[1];
  return p;
}

void read_outside_crop(const LayerRef& layer, const Region& read, const Region& crop) {
  throw InternalError(layer.describe() + ": reads " + read.to_string() + " of its input but only " + crop.to_string() +
                      " is present (region arithmetic bug)");
}

void check_reads(const LayerRef& layer, const InputView& v, const Region& read) {
  Region r = read.intersect(v.valid);
  if (!v.crop.contains(r)) read_outside_crop(layer, r, v.crop);
}

namespace {

// The pixels a window op reads along one axis for outputs `out` (window_input, the one window
// formula), restricted to where the map has data; they must be present in the crop.
Interval window_reads(const Interval& out, int64_t k, int64_t s, int64_t d, int64_t p, const Interval& valid) {
  return window_input(out, k, s, d, p, valid.end + 1).intersect(valid);
}

}  // namespace

void check_window(const LayerRef& layer, const InputView& v, const Region& out, const Hw& k, const Hw& s, const Hw& d,
                  const Padding& p) {
  Region read{window_reads(out.rows, k.h, s.h, d.h, p.top, v.valid.rows),
              window_reads(out.cols, k.w, s.w, d.w, p.left, v.valid.cols)};
  if (!v.crop.contains(read)) read_outside_crop(layer, read, v.crop);
}

}  // namespace edgepart::ops::family
