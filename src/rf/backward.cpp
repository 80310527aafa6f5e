#include "edgepart/rf/backward.hpp"

#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::rf {

using namespace model;

Interval window_input(const Interval& out, int64_t kernel, int64_t stride, int64_t dilation,
                      int64_t pad_begin, int64_t in_size) {
  if (out.empty()) return Interval::empty_interval();
  // DESIGN §4: [s*u - p_begin, s*v - p_begin + d(k-1)].
  int64_t first = checked_sub(checked_mul(stride, out.begin), pad_begin);
  int64_t last = checked_add(checked_sub(checked_mul(stride, out.end), pad_begin), checked_mul(dilation, kernel - 1));
  return Interval{first, last}.clip(in_size);
}

Interval window_cell_input(const Interval& out, int64_t stride, int64_t in_size) {
  if (out.empty()) return Interval::empty_interval();
  return Interval{checked_mul(stride, out.begin), checked_add(checked_mul(stride, out.end), stride - 1)}.clip(in_size);
}

Interval adaptive_input(const Interval& out, int64_t in_size, int64_t out_size) {
  if (out.empty()) return Interval::empty_interval();
  // PyTorch's adaptive_avg_pool2d (aten/src/ATen/native/AdaptiveAveragePooling.cpp):
  // start_index(i) = floor(i * in / out), end_index(i) = ceil((i + 1) * in / out), exclusive.
  int64_t first = floor_div(checked_mul(out.begin, in_size), out_size);
  int64_t last = ceil_div(checked_mul(out.end + 1, in_size), out_size) - 1;
  return Interval{first, last}.clip(in_size);
}

namespace {

Region window_region(const Region& out, const Hw& k, const Hw& s, const Hw& d, const Padding& p, const Shape& in,
                     Halo halo) {
  if (halo == Halo::none) return Region{window_cell_input(out.rows, s.h, in.h), window_cell_input(out.cols, s.w, in.w)};
  return Region{window_input(out.rows, k.h, s.h, d.h, p.top, in.h), window_input(out.cols, k.w, s.w, d.w, p.left, in.w)};
}

// Nearest-neighbour upsampling and depth_to_space: output pixel u comes from input pixel floor(u/f).
Region divide_region(const Region& out, int64_t fh, int64_t fw, const Shape& in) {
  return Region{Interval{floor_div(out.rows.begin, fh), floor_div(out.rows.end, fh)}.clip(in.h),
                Interval{floor_div(out.cols.begin, fw), floor_div(out.cols.end, fw)}.clip(in.w)};
}

}  // namespace

std::vector<Region> input_regions(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex layer,
                                  const Region& requested, Halo halo) {
  const Layer& l = graph.layer(layer);
  const Region out = requested.clip(analysis.shapes.at(static_cast<size_t>(layer)));
  std::vector<Region> result(l.inputs.size());
  if (out.empty()) return result;
  const Shape& x = analysis.shape_of(l.inputs.front());
  switch (l.kind) {
    case OpKind::conv2d: {
      const auto& a = l.as<Conv2dAttrs>();
      result[0] = window_region(out, a.kernel, a.stride, a.dilation, a.padding, x, halo);
      break;
    }
    case OpKind::maxpool2d:
    case OpKind::avgpool2d: {
      const auto& a = l.as<Pool2dAttrs>();
      result[0] = window_region(out, a.kernel, a.stride, a.dilation, a.padding, x, halo);
      break;
    }
    case OpKind::adaptive_avgpool2d: {
      const Shape& y = analysis.shapes[static_cast<size_t>(layer)];
      result[0] = Region{adaptive_input(out.rows, x.h, y.h), adaptive_input(out.cols, x.w, y.w)};
      break;
    }
    case OpKind::flatten:
    case OpKind::linear: result[0] = Region::whole(x); break;  // every output reads every input
    case OpKind::upsample: {
      const auto& a = l.as<UpsampleAttrs>();
      result[0] = divide_region(out, a.scale.h, a.scale.w, x);  // nearest: out row u reads floor(u/s)
      break;
    }
    case OpKind::depth_to_space: {
      int64_t b = l.as<BlockAttrs>().block_size;
      result[0] = divide_region(out, b, b, x);
      break;
    }
    case OpKind::space_to_depth: {
      // Output pixel u gathers input pixels b*u .. b*u + b - 1.
      int64_t b = l.as<BlockAttrs>().block_size;
      result[0] = Region{Interval{checked_mul(b, out.rows.begin), checked_add(checked_mul(b, out.rows.end), b - 1)}.clip(x.h),
                         Interval{checked_mul(b, out.cols.begin), checked_add(checked_mul(b, out.cols.end), b - 1)}.clip(x.w)};
      break;
    }
    case OpKind::mul: {
      result[0] = out.clip(x);
      const Shape& y = analysis.shape_of(l.inputs[1]);
      // A [C,1,1] second input (squeeze-excitation) is broadcast: every output pixel reads its
      // single pixel, i.e. the whole 1x1 map.
      result[1] = (y.h == 1 && y.w == 1) ? Region::whole(y) : out.clip(y);
      break;
    }
    default:
      // Element-wise ops, batch-norm, lrn and softmax (both across channels), add, concat,
      // identity, dropout: output pixel (u, v) reads input pixel (u, v) of every input.
      EDGEPART_ASSERT(op_info(l.kind).elementwise || l.kind == OpKind::softmax,
                      "no backward mapping for " + graph.describe(layer));
      for (size_t k = 0; k < l.inputs.size(); ++k) result[k] = out.clip(analysis.shape_of(l.inputs[k]));
  }
  return result;
}

}  // namespace edgepart::rf
