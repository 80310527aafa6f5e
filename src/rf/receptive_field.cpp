// Receptive fields, derived from each layer's backward step (OpSpec::backward, the one rule of how
// an op reads its inputs): a window step is Araujo et al.'s recurrence, the same region keeps the
// field, and the steps with no affine map from output to input pixels leave it undefined.
#include "edgepart/rf/receptive_field.hpp"

#include <algorithm>

#include "edgepart/rf/backward.hpp"
#include "edgepart/util/checked_math.hpp"

namespace edgepart::rf {

using namespace model;

namespace {

using Kind = AxisStep::Kind;

// A sliding window of kernel k, stride s, dilation d and leading padding p applied to a field:
// forward form of Araujo et al.'s recurrences, r_out = r_in + (d(k-1)+1 - 1) S_in,
// S_out = s S_in, P_out = P_in + p S_in.
AxisField through_window(const AxisField& in, int64_t k, int64_t s, int64_t d, int64_t p) {
  int64_t span = checked_add(checked_mul(d, k - 1), 1);
  return AxisField{checked_add(in.size, checked_mul(span - 1, in.stride)), checked_mul(in.stride, s),
                   checked_add(in.padding, checked_mul(p, in.stride))};
}

// One axis through one step; nullopt when the step has no single window (divide, whole).
std::optional<AxisField> through_axis(const AxisField& in, const AxisStep& step) {
  switch (step.kind) {
    case Kind::window: return through_window(in, step.a, step.b, step.c, step.d);
    case Kind::multiply: return through_window(in, step.a, step.a, 1, 0);  // a block of a pixels, stride a
    case Kind::same: return in;
    case Kind::cell:      // only in Halo::none, never asked here
    case Kind::adaptive:  // both axes at once, below
    case Kind::divide:
    case Kind::whole: return std::nullopt;
  }
  return std::nullopt;
}

// Adaptive pooling equals a plain pooling with kernel = stride = in/out when the sizes divide;
// otherwise the windows vary in size and there is no single receptive field.
std::optional<ReceptiveField> through_adaptive(const ReceptiveField& in, const InputStep& step) {
  const int64_t in_h = step.rows.in_size, in_w = step.cols.in_size, out_h = step.rows.a, out_w = step.cols.a;
  if (out_h > 1 && out_w > 1 && in_h % out_h == 0 && in_w % out_w == 0)
    return ReceptiveField{through_window(in.h, in_h / out_h, in_h / out_h, 1, 0),
                          through_window(in.w, in_w / out_w, in_w / out_w, 1, 0)};
  if (out_h == in_h && out_w == in_w) return in;
  return std::nullopt;
}

std::optional<ReceptiveField> through(const ReceptiveField& in, const InputStep& step) {
  if (step.rows.kind == Kind::adaptive) return through_adaptive(in, step);
  auto h = through_axis(in.h, step.rows);
  auto w = through_axis(in.w, step.cols);
  if (!h || !w) return std::nullopt;
  return ReceptiveField{*h, *w};
}

AxisField largest(const AxisField& a, const AxisField& b) {
  return AxisField{std::max(a.size, b.size), std::max(a.stride, b.stride), std::max(a.padding, b.padding)};
}

// A 1x1 map read whole (the [C,1,1] scale of squeeze-excitation) is the same for every pixel: it
// adds no spatial field, and it usually comes from global pooling, whose field is undefined.
bool broadcast_scale(const Shape& s, const InputStep& step) {
  return !s.flat && s.h == 1 && s.w == 1 && step.rows.kind == Kind::whole && step.cols.kind == Kind::whole;
}

}  // namespace

std::vector<std::optional<ReceptiveField>> receptive_fields(const ModelGraph& graph,
                                                            const cost::ModelAnalysis& analysis) {
  std::vector<std::optional<ReceptiveField>> out(graph.size());
  const ReceptiveField identity{};  // the input pixel itself: r = 1, S = 1, P = 0
  for (size_t n = 0; n < graph.size(); ++n) {
    const Layer& l = graph.layers[n];
    if (analysis.shapes[n].flat) continue;
    const std::vector<InputStep> steps = backward_steps(graph, analysis, static_cast<LayerIndex>(n));
    // Largest over the paths into the layer; undefined when any input is undefined.
    std::optional<ReceptiveField> field;
    bool defined = true;
    for (size_t k = 0; k < l.inputs.size() && defined; ++k) {
      const LayerIndex p = l.inputs[k];
      const Shape& s = analysis.shape_of(p);
      if (broadcast_scale(s, steps[k])) continue;
      const std::optional<ReceptiveField> f = p == kModelInput ? std::optional(identity) : out[static_cast<size_t>(p)];
      std::optional<ReceptiveField> g = f && !s.flat ? through(*f, steps[k]) : std::nullopt;
      if (!g) {
        defined = false;
        break;
      }
      field = field ? ReceptiveField{largest(field->h, g->h), largest(field->w, g->w)} : *g;
    }
    if (defined) out[n] = field ? field : identity;
  }
  return out;
}

}  // namespace edgepart::rf
