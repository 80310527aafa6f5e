#include "edgepart/rf/backward.hpp"

#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::rf {

using namespace model;

namespace {

using Kind = AxisStep::Kind;

AxisStep axis(Kind kind, int64_t in_size, int64_t a = 1, int64_t b = 1, int64_t c = 1, int64_t d = 0) {
  return AxisStep{kind, a, b, c, d, in_size};
}

InputStep window_step(const Hw& k, const Hw& s, const Hw& dil, const Padding& p, const Shape& in, Halo halo) {
  if (halo == Halo::none) return InputStep{axis(Kind::cell, in.h, 1, s.h), axis(Kind::cell, in.w, 1, s.w)};
  return InputStep{axis(Kind::window, in.h, k.h, s.h, dil.h, p.top), axis(Kind::window, in.w, k.w, s.w, dil.w, p.left)};
}

InputStep same_step(const Shape& in) { return InputStep{axis(Kind::same, in.h), axis(Kind::same, in.w)}; }
InputStep whole_step(const Shape& in) { return InputStep{axis(Kind::whole, in.h), axis(Kind::whole, in.w)}; }

}  // namespace

std::vector<InputStep> backward_steps(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex layer,
                                      Halo halo) {
  const Layer& l = graph.layer(layer);
  std::vector<InputStep> steps(l.inputs.size());
  const Shape& x = analysis.shape_of(l.inputs.front());
  switch (l.kind) {
    case OpKind::conv2d: {
      const auto& a = l.as<Conv2dAttrs>();
      steps[0] = window_step(a.kernel, a.stride, a.dilation, a.padding, x, halo);
      break;
    }
    case OpKind::maxpool2d:
    case OpKind::avgpool2d: {
      const auto& a = l.as<Pool2dAttrs>();
      steps[0] = window_step(a.kernel, a.stride, a.dilation, a.padding, x, halo);
      break;
    }
    case OpKind::adaptive_avgpool2d: {
      const Shape& y = analysis.shapes[static_cast<size_t>(layer)];
      steps[0] = InputStep{axis(Kind::adaptive, x.h, y.h), axis(Kind::adaptive, x.w, y.w)};
      break;
    }
    case OpKind::flatten:
    case OpKind::linear: steps[0] = whole_step(x); break;  // every output reads every input
    case OpKind::upsample: {
      const auto& a = l.as<UpsampleAttrs>();  // nearest: output row u reads floor(u/s)
      steps[0] = InputStep{axis(Kind::divide, x.h, a.scale.h), axis(Kind::divide, x.w, a.scale.w)};
      break;
    }
    case OpKind::depth_to_space: {
      int64_t b = l.as<BlockAttrs>().block_size;
      steps[0] = InputStep{axis(Kind::divide, x.h, b), axis(Kind::divide, x.w, b)};
      break;
    }
    case OpKind::space_to_depth: {
      // Output pixel u gathers input pixels b*u .. b*u + b - 1.
      int64_t b = l.as<BlockAttrs>().block_size;
      steps[0] = InputStep{axis(Kind::multiply, x.h, b), axis(Kind::multiply, x.w, b)};
      break;
    }
    case OpKind::mul: {
      steps[0] = same_step(x);
      const Shape& y = analysis.shape_of(l.inputs[1]);
      // A [C,1,1] second input (squeeze-excitation) is broadcast: every output pixel reads its
      // single pixel, i.e. the whole 1x1 map.
      steps[1] = (y.h == 1 && y.w == 1) ? whole_step(y) : same_step(y);
      break;
    }
    default:
      // Element-wise ops, batch-norm, lrn and softmax (both across channels), add, concat,
      // identity, dropout: output pixel (u, v) reads input pixel (u, v) of every input.
      EDGEPART_ASSERT(op_info(l.kind).elementwise || l.kind == OpKind::softmax,
                      "no backward mapping for " + graph.describe(layer));
      for (size_t k = 0; k < l.inputs.size(); ++k) steps[k] = same_step(analysis.shape_of(l.inputs[k]));
  }
  return steps;
}

std::vector<Region> input_regions(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex layer,
                                  const Region& requested, Halo halo) {
  const Region out = requested.clip(analysis.shapes.at(static_cast<size_t>(layer)));
  std::vector<InputStep> steps = backward_steps(graph, analysis, layer, halo);
  std::vector<Region> result(steps.size());
  if (out.empty()) return result;
  for (size_t k = 0; k < steps.size(); ++k) result[k] = steps[k].apply(out);
  return result;
}

}  // namespace edgepart::rf
