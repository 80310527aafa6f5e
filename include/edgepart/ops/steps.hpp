#pragma once
// How an op reads its inputs, as data (docs/design.md §4): the receptive-field backward step of one
// layer, one AxisStep per input axis. Each op's spec (ops/spec.hpp) returns its steps; rf applies
// them (rf/backward.hpp, rf::CompiledBlock) and derives receptive fields from them.
#include <cstdint>

#include "edgepart/ops/region.hpp"
#include "edgepart/util/checked_math.hpp"

namespace edgepart::ops {

// How a window reads its input.
//  exact: everything the window touches (the halo): output [u,v] needs
//         [s*u - p_begin, s*v - p_begin + d(k-1)].
//  none:  only the stride cell of each output pixel, [s*u, s*v + s - 1]: the tile is treated as an
//         image of its own with zero padding at its borders (ADCNN's fully decomposable spatial
//         partition, FDSP; approximate). Non-window ops map alike in both modes.
enum class Halo { exact, none };

// One axis of a sliding window (conv, pooling) in exact mode, clipped to [0, in_size-1]:
// docs/design.md §4, output [u,v] reads [s*u - p_begin, s*v - p_begin + d(k-1)]. Inline: planners call
// it in their inner loops (rf::CompiledBlock).
inline Interval window_input(const Interval& out, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin,
                             int64_t in_size) {
  if (out.empty()) return Interval::empty_interval();
  int64_t first = checked_sub(checked_mul(stride, out.begin), pad_begin);
  int64_t last = checked_add(checked_sub(checked_mul(stride, out.end), pad_begin), checked_mul(dilation, kernel - 1));
  return Interval{first, last}.clip(in_size);
}
// One axis of a sliding window in Halo::none mode, clipped to [0, in_size-1].
inline Interval window_cell_input(const Interval& out, int64_t stride, int64_t in_size) {
  if (out.empty()) return Interval::empty_interval();
  return Interval{checked_mul(stride, out.begin), checked_add(checked_mul(stride, out.end), stride - 1)}.clip(in_size);
}
// One axis of PyTorch's adaptive pooling: output i reads [floor(i*in/out), ceil((i+1)*in/out) - 1]
// (aten/src/ATen/native/AdaptiveAveragePooling.cpp: start_index, end_index exclusive).
inline Interval adaptive_input(const Interval& out, int64_t in_size, int64_t out_size) {
  if (out.empty()) return Interval::empty_interval();
  int64_t first = floor_div(checked_mul(out.begin, in_size), out_size);
  int64_t last = ceil_div(checked_mul(out.end + 1, in_size), out_size) - 1;
  return Interval{first, last}.clip(in_size);
}

// How one axis of one input is read, as data: the layer's op and attributes reduced once to the
// arithmetic of the mapping, so a planner's inner loop maps regions without looking at the op
// again (and without allocating). The one place that says how each op reads its inputs is
// each op's spec (OpSpec::backward); rf's input_regions() and CompiledBlock both apply what it returns.
struct AxisStep {
  enum class Kind : uint8_t {
    window,    // window_input(out, a, b, c, d, in_size): kernel a, stride b, dilation c, pad_begin d
    cell,      // window_cell_input(out, b, in_size): stride b
    adaptive,  // adaptive_input(out, in_size, a): a = the output size
    divide,    // floor(u / a): nearest upsampling and depth_to_space with factor a
    multiply,  // [a*u, a*v + a - 1]: space_to_depth with block a
    same,      // u itself (element-wise)
    whole,     // the whole axis, whatever is asked (flatten, linear, a broadcast 1x1 input)
  };
  Kind kind = Kind::same;
  int64_t a = 1, b = 1, c = 1, d = 0;
  int64_t in_size = 0;
  // The input interval read for output interval `out` (already clipped to the output), clipped
  // to [0, in_size - 1]; empty for an empty `out`.
  Interval apply(const Interval& out) const {
    if (out.empty()) return Interval::empty_interval();
    switch (kind) {
      case Kind::window: return window_input(out, a, b, c, d, in_size);
      case Kind::cell: return window_cell_input(out, b, in_size);
      case Kind::adaptive: return adaptive_input(out, in_size, a);
      case Kind::divide: return Interval{floor_div(out.begin, a), floor_div(out.end, a)}.clip(in_size);
      case Kind::multiply: return Interval{checked_mul(a, out.begin), checked_add(checked_mul(a, out.end), a - 1)}.clip(in_size);
      case Kind::same: return out.clip(in_size);
      case Kind::whole: return Interval::whole(in_size);
    }
    return Interval::empty_interval();
  }
};
struct InputStep {
  AxisStep rows, cols;
  Region apply(const Region& out) const { return out.empty() ? Region::empty_region() : Region{rows.apply(out.rows), cols.apply(out.cols)}; }
};

}  // namespace edgepart::ops
