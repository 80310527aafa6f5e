#include "edgepart/cost/analysis.hpp"

#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::cost {

using namespace model;

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                           int64_t pad_begin, int64_t pad_end, bool ceil_mode) {
  int64_t span = checked_add(checked_mul(dilation, kernel - 1), 1);
  int64_t room = checked_sub(checked_add(checked_add(in, pad_begin), pad_end), span);
  if (room < 0) return 0;
  int64_t out = (ceil_mode ? ceil_div(room, stride) : room / stride) + 1;
  // PyTorch (pooling_output_shape): the last window must start inside the input or left padding.
  if (ceil_mode && checked_mul(out - 1, stride) >= checked_add(in, pad_begin)) --out;
  return out;
}

namespace {

// An error about one layer: "layer 'x' (op): message", at the layer's origin in its file.
[[noreturn]] void layer_error(const ModelGraph& g, LayerIndex i, const std::string& message) {
  throw InputError(g.file, g.layer(i).origin, g.describe(i) + ": " + message);
}

const Shape& require_chw(const ModelGraph& g, LayerIndex i, const Shape& s) {
  if (s.flat) layer_error(g, i, "needs a [C,H,W] input (got " + s.to_string() + ")");
  return s;
}

Shape window_shape(const ModelGraph& g, LayerIndex i, const Shape& in, int64_t channels, const Hw& kernel,
                   const Hw& stride, const Hw& dilation, const Padding& pad, bool ceil_mode) {
  int64_t h = window_output_size(in.h, kernel.h, stride.h, dilation.h, pad.top, pad.bottom, ceil_mode);
  int64_t w = window_output_size(in.w, kernel.w, stride.w, dilation.w, pad.left, pad.right, ceil_mode);
  if (h < 1 || w < 1)
    layer_error(g, i, "kernel " + std::to_string(kernel.h) + "x" + std::to_string(kernel.w) +
                          " (dilation " + std::to_string(dilation.h) + "x" + std::to_string(dilation.w) +
                          ") is larger than the padded input " + std::to_string(in.h + pad.top + pad.bottom) +
                          "x" + std::to_string(in.w + pad.left + pad.right));
  return Shape::chw(channels, h, w);
}

Shape infer_one(const ModelGraph& g, LayerIndex i, const std::vector<Shape>& in) {
  const Layer& l = g.layer(i);
  const Shape& x = in.front();
  switch (l.kind) {
    case OpKind::conv2d: {
      const auto& a = l.as<Conv2dAttrs>();
      require_chw(g, i, x);
      if (x.c % a.groups != 0)
        layer_error(g, i, "input channels " + std::to_string(x.c) + " are not divisible by groups " + std::to_string(a.groups));
      if (a.out_channels % a.groups != 0)
        layer_error(g, i, "out_channels " + std::to_string(a.out_channels) + " are not divisible by groups " +
                              std::to_string(a.groups));
      return window_shape(g, i, x, a.out_channels, a.kernel, a.stride, a.dilation, a.padding, false);
    }
    case OpKind::maxpool2d:
    case OpKind::avgpool2d: {
      const auto& a = l.as<Pool2dAttrs>();
      require_chw(g, i, x);
      return window_shape(g, i, x, x.c, a.kernel, a.stride, a.dilation, a.padding, a.ceil_mode);
    }
    case OpKind::adaptive_avgpool2d: {
      const auto& a = l.as<AdaptivePoolAttrs>();
      require_chw(g, i, x);
      return Shape::chw(x.c, a.output_size.h, a.output_size.w);
    }
    case OpKind::flatten: return Shape::features(x.elements());
    case OpKind::linear: {
      if (!x.flat) layer_error(g, i, "needs a flat input (got " + x.to_string() + "; add a flatten layer)");
      return Shape::features(l.as<LinearAttrs>().out_features);
    }
    case OpKind::add: {
      for (size_t k = 1; k < in.size(); ++k)
        if (!(in[k] == x))
          layer_error(g, i, "inputs must have equal shapes (got " + x.to_string() + " and " + in[k].to_string() + ")");
      return x;
    }
    case OpKind::mul: {
      const Shape& y = in[1];
      bool broadcast = !y.flat && !x.flat && y.c == x.c && y.h == 1 && y.w == 1;
      if (!(y == x) && !broadcast)
        layer_error(g, i, "second input must equal the first or be [C,1,1] (got " + x.to_string() + " and " +
                              y.to_string() + ")");
      return x;
    }
    case OpKind::concat: {
      int64_t channels = 0;
      for (const Shape& s : in) {
        require_chw(g, i, s);
        if (s.h != x.h || s.w != x.w)
          layer_error(g, i, "inputs must have equal height and width (got " + x.to_string() + " and " + s.to_string() + ")");
        channels = checked_add(channels, s.c);
      }
      return Shape::chw(channels, x.h, x.w);
    }
    case OpKind::upsample: {
      const auto& a = l.as<UpsampleAttrs>();
      require_chw(g, i, x);
      return Shape::chw(x.c, checked_mul(x.h, a.scale.h), checked_mul(x.w, a.scale.w));
    }
    case OpKind::space_to_depth: {
      int64_t b = l.as<BlockAttrs>().block_size;
      require_chw(g, i, x);
      if (x.h % b != 0 || x.w % b != 0)
        layer_error(g, i, "height and width must be divisible by block_size " + std::to_string(b) + " (got " + x.to_string() + ")");
      return Shape::chw(checked_product(x.c, b, b), x.h / b, x.w / b);
    }
    case OpKind::depth_to_space: {
      int64_t b = l.as<BlockAttrs>().block_size;
      require_chw(g, i, x);
      int64_t bb = checked_mul(b, b);
      if (x.c % bb != 0)
        layer_error(g, i, "channels must be divisible by block_size^2 = " + std::to_string(bb) + " (got " + x.to_string() + ")");
      return Shape::chw(x.c / bb, checked_mul(x.h, b), checked_mul(x.w, b));
    }
    case OpKind::lrn:
    case OpKind::batchnorm: require_chw(g, i, x); return x;
    default: return x;  // element-wise ops keep the shape
  }
}

LayerCost cost_one(const ModelGraph& g, LayerIndex i, const std::vector<Shape>& in, const Shape& out) {
  const Layer& l = g.layer(i);
  LayerCost c;
  int64_t out_elements = out.elements();
  c.output_bytes = checked_mul(out_elements, g.dtype_bytes);
  switch (l.kind) {
    case OpKind::conv2d: {
      const auto& a = l.as<Conv2dAttrs>();
      int64_t per_output = checked_product(a.kernel.h, a.kernel.w, in[0].c / a.groups);
      c.macs = checked_mul(out_elements, per_output);
      c.flops = checked_mul(2, c.macs);
      c.params = checked_add(checked_mul(a.out_channels, per_output), a.bias ? a.out_channels : 0);
      break;
    }
    case OpKind::linear: {
      const auto& a = l.as<LinearAttrs>();
      c.macs = checked_mul(in[0].c, a.out_features);
      c.flops = checked_mul(2, c.macs);
      c.params = checked_add(c.macs, a.bias ? a.out_features : 0);
      break;
    }
    case OpKind::batchnorm:
      c.params = checked_mul(2, out.c);  // scale and shift; running statistics are buffers
      c.flops = out_elements;
      break;
    case OpKind::flatten:
    case OpKind::identity:
    case OpKind::dropout:
    case OpKind::concat:
    case OpKind::upsample:
    case OpKind::space_to_depth:
    case OpKind::depth_to_space: break;  // pure data movement
    default: c.flops = out_elements;     // one op per output element (docs/design.md §3)
  }
  return c;
}

}  // namespace

std::vector<Shape> infer_shapes(const ModelGraph& graph) { return analyze(graph).shapes; }

ModelAnalysis analyze(const ModelGraph& graph) {
  ModelAnalysis a;
  a.input = graph.input;
  a.shapes.reserve(graph.size());
  a.layers.reserve(graph.size());
  for (size_t n = 0; n < graph.size(); ++n) {
    auto i = static_cast<LayerIndex>(n);
    try {
      std::vector<Shape> in;
      for (LayerIndex p : graph.layer(i).inputs) in.push_back(a.shape_of(p));
      Shape out = infer_one(graph, i, in);
      out.elements();  // the element count itself must fit 64 bits
      a.shapes.push_back(out);
      a.layers.push_back(cost_one(graph, i, in, out));
      a.total_macs = checked_add(a.total_macs, a.layers.back().macs);
      a.total_flops = checked_add(a.total_flops, a.layers.back().flops);
      a.total_params = checked_add(a.total_params, a.layers.back().params);
    } catch (const OverflowError&) {
      layer_error(graph, i, "sizes overflow 64-bit arithmetic");
    }
  }
  return a;
}

}  // namespace edgepart::cost
