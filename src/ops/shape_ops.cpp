// Data movement that changes the shape: concat (along channels), nearest upsampling,
// space_to_depth and depth_to_space. No arithmetic, so no FLOPs.
#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

// --- concat ---

Shape infer_concat(const LayerRef& l, const InputShapes& in) {
  const Shape& x = in.front();
  int64_t channels = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const Shape& s = require_chw(l, in[k]);
    if (s.h != x.h || s.w != x.w)
      l.fail("inputs must have equal height and width (got " + x.to_string() + " and " + s.to_string() + ")");
    channels = checked_add(channels, s.c);
  }
  return Shape::chw(channels, x.h, x.w);
}

Tensor forward_concat(const ForwardCall& call) {
  const Region& out = call.out;
  Tensor result(call.out_shape.c, out.rows.length(), out.cols.length());
  int64_t base = 0;
  for (size_t k = 0; k < call.inputs.size(); ++k) {
    check_reads(call.layer, call.inputs[k], out);
    int64_t channels = call.in[k].c;
    for (int64_t ch = 0; ch < channels; ++ch)
      for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
        for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
          result.at(base + ch, y - out.rows.begin, x - out.cols.begin) = read(call.inputs[k], ch, y, x, 0.0f);
    base += channels;
  }
  return result;
}

// --- upsample (nearest, integer scale) ---

constexpr AttrKey kUpsampleKeys[] = {{"scale", AttrKey::Default::required},
                                     {"mode", AttrKey::Default::text, "\"nearest\""}};

OpAttrs read_upsample(const JsonCursor& l) {
  if (auto m = l.find("mode")) m->as_choice({"nearest"});
  return UpsampleAttrs{read_hw(l.at("scale"))};
}

void write_upsample(const OpAttrs& attrs, OrderedJson& j) { j["scale"] = hw_json(std::get<UpsampleAttrs>(attrs).scale); }

Shape infer_upsample(const LayerRef& l, const InputShapes& in) {
  const auto& a = l.as<UpsampleAttrs>();
  const Shape& x = require_chw(l, in.front());
  return Shape::chw(x.c, checked_mul(x.h, a.scale.h), checked_mul(x.w, a.scale.w));
}

// Nearest: output row u reads floor(u/s).
void backward_upsample(const LayerRef& l, const InputShapes& in, const Shape&, Halo, std::span<InputStep> steps) {
  const auto& a = l.as<UpsampleAttrs>();
  const Shape& x = in.front();
  steps[0] = InputStep{axis(AxisStep::Kind::divide, x.h, a.scale.h), axis(AxisStep::Kind::divide, x.w, a.scale.w)};
}

Tensor forward_upsample(const ForwardCall& call) {
  const auto& a = call.layer.as<UpsampleAttrs>();
  const Region& out = call.out;
  const InputView& v = call.inputs.front();
  // read() checks every pixel against the crop.
  Tensor result(call.out_shape.c, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < call.out_shape.c; ++ch)
    for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
      for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
        result.at(ch, y - out.rows.begin, x - out.cols.begin) = read(v, ch, y / a.scale.h, x / a.scale.w, 0.0f);
  return result;
}

// --- space_to_depth and depth_to_space ---

constexpr AttrKey kBlockKeys[] = {{"block_size", AttrKey::Default::required}};

OpAttrs read_block(const JsonCursor& l) { return BlockAttrs{l.at("block_size").as_positive_int()}; }

void write_block(const OpAttrs& attrs, OrderedJson& j) { j["block_size"] = std::get<BlockAttrs>(attrs).block_size; }

Shape infer_space_to_depth(const LayerRef& l, const InputShapes& in) {
  int64_t b = l.as<BlockAttrs>().block_size;
  const Shape& x = require_chw(l, in.front());
  if (x.h % b != 0 || x.w % b != 0)
    l.fail("height and width must be divisible by block_size " + std::to_string(b) + " (got " + x.to_string() + ")");
  return Shape::chw(checked_product(x.c, b, b), x.h / b, x.w / b);
}

// Output pixel u gathers input pixels b*u .. b*u + b - 1.
void backward_space_to_depth(const LayerRef& l, const InputShapes& in, const Shape&, Halo, std::span<InputStep> steps) {
  int64_t b = l.as<BlockAttrs>().block_size;
  const Shape& x = in.front();
  steps[0] = InputStep{axis(AxisStep::Kind::multiply, x.h, b), axis(AxisStep::Kind::multiply, x.w, b)};
}

// ONNX SpaceToDepth: output channel (by*b + bx)*C + c holds input (c, y*b + by, x*b + bx).
// (Darknet's reorg orders channels differently; only whole-vs-segmented consistency matters.)
Tensor forward_space_to_depth(const ForwardCall& call) {
  const int64_t b = call.layer.as<BlockAttrs>().block_size;
  const Region& out = call.out;
  const InputView& v = call.inputs.front();
  const int64_t in_c = call.in.front().c;
  check_reads(call.layer, v, Region{Interval{out.rows.begin * b, out.rows.end * b + b - 1},
                                    Interval{out.cols.begin * b, out.cols.end * b + b - 1}});
  Tensor result(call.out_shape.c, out.rows.length(), out.cols.length());
  for (int64_t by = 0; by < b; ++by)
    for (int64_t bx = 0; bx < b; ++bx)
      for (int64_t ch = 0; ch < in_c; ++ch)
        for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
          for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
            result.at((by * b + bx) * in_c + ch, y - out.rows.begin, x - out.cols.begin) =
                read(v, ch, y * b + by, x * b + bx, 0.0f);
  return result;
}

Shape infer_depth_to_space(const LayerRef& l, const InputShapes& in) {
  int64_t b = l.as<BlockAttrs>().block_size;
  const Shape& x = require_chw(l, in.front());
  int64_t bb = checked_mul(b, b);
  if (x.c % bb != 0)
    l.fail("channels must be divisible by block_size^2 = " + std::to_string(bb) + " (got " + x.to_string() + ")");
  return Shape::chw(x.c / bb, checked_mul(x.h, b), checked_mul(x.w, b));
}

// Output pixel u reads floor(u / b).
void backward_depth_to_space(const LayerRef& l, const InputShapes& in, const Shape&, Halo, std::span<InputStep> steps) {
  int64_t b = l.as<BlockAttrs>().block_size;
  const Shape& x = in.front();
  steps[0] = InputStep{axis(AxisStep::Kind::divide, x.h, b), axis(AxisStep::Kind::divide, x.w, b)};
}

// ONNX DepthToSpace, DCR mode (the inverse of SpaceToDepth above): output (c, y, x) holds
// input channel ((y mod b)*b + (x mod b))*C' + c at (y/b, x/b).
Tensor forward_depth_to_space(const ForwardCall& call) {
  const int64_t b = call.layer.as<BlockAttrs>().block_size;
  const Region& out = call.out;
  const InputView& v = call.inputs.front();
  const int64_t out_c = call.out_shape.c;
  // read() checks every pixel against the crop.
  Tensor result(out_c, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < out_c; ++ch)
    for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
      for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
        result.at(ch, y - out.rows.begin, x - out.cols.begin) = read(v, ((y % b) * b + (x % b)) * out_c + ch, y / b, x / b, 0.0f);
  return result;
}

}  // namespace

// Not element-wise by shape, but output pixel (u, v) reads pixel (u, v) of every input.
constexpr OpSpec concat_spec = {
    .kind = OpKind::concat,
    .name = "concat",
    .summary = "concatenation along channels",
    .arity = {2, SIZE_MAX},
    .elementwise = true,
    .attributes = {},
    .defaults = NoAttrs{},
    .read = read_nothing,
    .write = write_nothing,
    .infer_shape = infer_concat,
    .cost = no_cost,
    .op_class = OpClass::data_movement,
    .classify = nullptr,
    .backward = same_steps,
    .params = nullptr,
    .forward = forward_concat,
};

constexpr OpSpec upsample_spec = {
    .kind = OpKind::upsample,
    .name = "upsample",
    .summary = "nearest-neighbour upsampling by an integer scale",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kUpsampleKeys,
    .defaults = UpsampleAttrs{},
    .read = read_upsample,
    .write = write_upsample,
    .infer_shape = infer_upsample,
    .cost = no_cost,
    .op_class = OpClass::data_movement,
    .classify = nullptr,
    .backward = backward_upsample,
    .params = nullptr,
    .forward = forward_upsample,
};

constexpr OpSpec space_to_depth_spec = {
    .kind = OpKind::space_to_depth,
    .name = "space_to_depth",
    .summary = "blocks of b x b pixels to channels (Darknet reorg)",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kBlockKeys,
    .defaults = BlockAttrs{},
    .read = read_block,
    .write = write_block,
    .infer_shape = infer_space_to_depth,
    .cost = no_cost,
    .op_class = OpClass::data_movement,
    .classify = nullptr,
    .backward = backward_space_to_depth,
    .params = nullptr,
    .forward = forward_space_to_depth,
};

constexpr OpSpec depth_to_space_spec = {
    .kind = OpKind::depth_to_space,
    .name = "depth_to_space",
    .summary = "channels to blocks of b x b pixels",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kBlockKeys,
    .defaults = BlockAttrs{},
    .read = read_block,
    .write = write_block,
    .infer_shape = infer_depth_to_space,
    .cost = no_cost,
    .op_class = OpClass::data_movement,
    .classify = nullptr,
    .backward = backward_depth_to_space,
    .params = nullptr,
    .forward = forward_depth_to_space,
};

}  // namespace edgepart::ops
