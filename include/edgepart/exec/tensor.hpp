#pragma once
// Dense float32 tensors for the reference executor (ops/tensor.hpp): cropping, pasting, comparing.
#include <cstdint>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/ops/tensor.hpp"
#include "edgepart/rf/region.hpp"

namespace edgepart::exec {

using ops::Tensor;  // ops/tensor.hpp: each op's forward pass works on it

// Region `r` (in the coordinates of `full`'s map) of every channel, as a tensor of its own.
Tensor crop(const Tensor& full, const rf::Region& r);
// Writes `part` (which holds region `at` of `full`'s map) into `full`.
void paste(Tensor& full, const Tensor& part, const rf::Region& at);

// How far `other` is from `reference` (same shape): docs/design.md §8's verify keys.
struct Comparison {
  double max_abs_error = 0;   // max |other - reference|
  double max_abs_output = 0;  // max |reference|
  double rel_l2_error = 0;    // ||other - reference||_2 / ||reference||_2 (0 when both are 0)
  bool top1_agrees = false;   // argmax over every element agrees (first index on ties)
};
Comparison compare(const Tensor& reference, const Tensor& other);

// Segmented outputs agree with the whole run to float rounding: the GEMM sums in a different
// order when a layer is cut (Eigen's blocking depends on the matrix sizes). The bound, far above
// that rounding and far below any real region error: max |error| <= 1e-5 x max |output| (verify, run).
inline constexpr double kLosslessTolerance = 1e-5;
inline bool within_lossless_tolerance(const Comparison& c) {
  return c.max_abs_error <= kLosslessTolerance * c.max_abs_output;
}

}  // namespace edgepart::exec
