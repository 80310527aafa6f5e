#pragma once
// The ops edgepart understands and their attributes (docs/formats.md). Attributes are a variant of
// small structs, one per op family; OpKind names are spelled as in the model format and listed
// once, in ops/op_list.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "edgepart/ops/op_list.hpp"

namespace edgepart::ops {

#define EDGEPART_OP_ENUM(kind) kind,
enum class OpKind { EDGEPART_OPS(EDGEPART_OP_ENUM) };
#undef EDGEPART_OP_ENUM

// Height/width pair.
struct Hw {
  int64_t h = 1;
  int64_t w = 1;
  bool operator==(const Hw&) const = default;
};

struct Padding {
  int64_t top = 0, left = 0, bottom = 0, right = 0;
  bool operator==(const Padding&) const = default;
};

struct Conv2dAttrs {
  int64_t out_channels = 0;
  Hw kernel, stride{1, 1}, dilation{1, 1};
  Padding padding;
  int64_t groups = 1;
  bool bias = true;
  bool operator==(const Conv2dAttrs&) const = default;
};

// maxpool2d and avgpool2d.
struct Pool2dAttrs {
  Hw kernel, stride, dilation{1, 1};
  Padding padding;
  bool ceil_mode = false;
  bool count_include_pad = true;  // avgpool2d only (PyTorch's default)
  bool operator==(const Pool2dAttrs&) const = default;
};

struct AdaptivePoolAttrs {
  Hw output_size;
  bool operator==(const AdaptivePoolAttrs&) const = default;
};

struct BatchNormAttrs {
  double eps = 1e-5;  // PyTorch's default
  bool operator==(const BatchNormAttrs&) const = default;
};

struct ClipAttrs {
  double min = 0, max = 6;
  bool operator==(const ClipAttrs&) const = default;
};

struct LeakyReluAttrs {
  double negative_slope = 0.01;  // PyTorch's default
  bool operator==(const LeakyReluAttrs&) const = default;
};

struct HardSigmoidAttrs {
  // PyTorch's hardsigmoid is relu6(x + 3) / 6 = clamp(x/6 + 1/2, 0, 1).
  double alpha = 1.0 / 6.0, beta = 0.5;
  bool operator==(const HardSigmoidAttrs&) const = default;
};

struct LrnAttrs {
  int64_t size = 5;
  double alpha = 1e-4, beta = 0.75, k = 1.0;  // PyTorch's defaults
  bool operator==(const LrnAttrs&) const = default;
};

struct DropoutAttrs {
  double p = 0.5;
  bool operator==(const DropoutAttrs&) const = default;
};

struct LinearAttrs {
  int64_t out_features = 0;
  bool bias = true;
  bool operator==(const LinearAttrs&) const = default;
};

struct UpsampleAttrs {
  Hw scale{1, 1};  // nearest neighbour, integer scale
  bool operator==(const UpsampleAttrs&) const = default;
};

// space_to_depth and depth_to_space.
struct BlockAttrs {
  int64_t block_size = 2;
  bool operator==(const BlockAttrs&) const = default;
};

struct NoAttrs {
  bool operator==(const NoAttrs&) const = default;
};

using OpAttrs = std::variant<NoAttrs, Conv2dAttrs, Pool2dAttrs, AdaptivePoolAttrs, BatchNormAttrs,
                             ClipAttrs, LeakyReluAttrs, HardSigmoidAttrs, LrnAttrs, DropoutAttrs,
                             LinearAttrs, UpsampleAttrs, BlockAttrs>;

// How many inputs an op takes.
struct Arity {
  size_t min = 1;
  size_t max = 1;
};

}  // namespace edgepart::ops
