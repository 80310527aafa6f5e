#include "edgepart/rf/receptive_field.hpp"

#include <algorithm>

#include "edgepart/util/checked_math.hpp"

namespace edgepart::rf {

using namespace model;

namespace {

// A sliding window of kernel k, stride s, dilation d and leading padding p applied to a field:
// forward form of Araujo et al.'s recurrences, r_out = r_in + (d(k-1)+1 - 1) S_in,
// S_out = s S_in, P_out = P_in + p S_in.
AxisField through_window(const AxisField& in, int64_t k, int64_t s, int64_t d, int64_t p) {
  int64_t span = checked_add(checked_mul(d, k - 1), 1);
  return AxisField{checked_add(in.size, checked_mul(span - 1, in.stride)), checked_mul(in.stride, s),
                   checked_add(in.padding, checked_mul(p, in.stride))};
}

ReceptiveField through_window(const ReceptiveField& in, const Hw& k, const Hw& s, const Hw& d, const Padding& p) {
  return ReceptiveField{through_window(in.h, k.h, s.h, d.h, p.top), through_window(in.w, k.w, s.w, d.w, p.left)};
}

AxisField largest(const AxisField& a, const AxisField& b) {
  return AxisField{std::max(a.size, b.size), std::max(a.stride, b.stride), std::max(a.padding, b.padding)};
}

}  // namespace

std::vector<std::optional<ReceptiveField>> receptive_fields(const ModelGraph& graph,
                                                            const cost::ModelAnalysis& analysis) {
  std::vector<std::optional<ReceptiveField>> out(graph.size());
  const ReceptiveField identity{};  // the input pixel itself: r = 1, S = 1, P = 0
  for (size_t n = 0; n < graph.size(); ++n) {
    const Layer& l = graph.layers[n];
    // Largest over the paths into the layer; undefined when any input is undefined.
    std::optional<ReceptiveField> in = identity;
    for (size_t k = 0; k < l.inputs.size(); ++k) {
      LayerIndex p = l.inputs[k];
      // A [C,1,1] scale of mul (squeeze-excitation) is the same for every pixel: it adds no
      // spatial field, and it usually comes from global pooling, whose field is undefined.
      if (l.kind == OpKind::mul && k == 1 && !analysis.shape_of(p).flat && analysis.shape_of(p).h == 1 &&
          analysis.shape_of(p).w == 1)
        continue;
      std::optional<ReceptiveField> f = p == kModelInput ? std::optional(identity) : out[p];
      if (!f || analysis.shape_of(p).flat) {
        in.reset();
        break;
      }
      in = k == 0 ? *f : ReceptiveField{largest(in->h, f->h), largest(in->w, f->w)};
    }
    if (!in || analysis.shapes[n].flat) continue;
    switch (l.kind) {
      case OpKind::conv2d: {
        const auto& a = l.as<Conv2dAttrs>();
        out[n] = through_window(*in, a.kernel, a.stride, a.dilation, a.padding);
        break;
      }
      case OpKind::maxpool2d:
      case OpKind::avgpool2d: {
        const auto& a = l.as<Pool2dAttrs>();
        out[n] = through_window(*in, a.kernel, a.stride, a.dilation, a.padding);
        break;
      }
      case OpKind::adaptive_avgpool2d: {
        // Equal to a plain pooling with kernel = stride = in/out when the sizes divide; otherwise
        // the windows vary in size and there is no single receptive field.
        const Shape& x = analysis.shape_of(l.inputs[0]);
        const Hw& o = l.as<AdaptivePoolAttrs>().output_size;
        if (o.h > 1 && o.w > 1 && x.h % o.h == 0 && x.w % o.w == 0) {
          Hw k{x.h / o.h, x.w / o.w};
          out[n] = through_window(*in, k, k, Hw{1, 1}, Padding{});
        } else if (o.h == x.h && o.w == x.w) {
          out[n] = in;
        }
        break;
      }
      case OpKind::space_to_depth: {
        // Output pixel i gathers input pixels b*i .. b*i+b-1: a b x b window with stride b.
        int64_t b = l.as<BlockAttrs>().block_size;
        out[n] = through_window(*in, Hw{b, b}, Hw{b, b}, Hw{1, 1}, Padding{});
        break;
      }
      case OpKind::upsample:
      case OpKind::depth_to_space:
      case OpKind::flatten:
      case OpKind::linear: break;  // undefined
      default: out[n] = in;       // element-wise, concat, lrn, batchnorm, softmax over channels
    }
  }
  return out;
}

}  // namespace edgepart::rf
