#pragma once
// What one layer costs (docs/design.md §3) and its op class (docs/timing.md "The analytical model"):
// the types each op's spec fills in; cost::analyze sums them, cost/op_class.hpp names the classes.
#include <cstdint>

namespace edgepart::ops {

struct LayerCost {
  int64_t macs = 0;          // multiply-accumulates (conv and linear only)
  int64_t flops = 0;         // 2 MACs for conv/linear, one op per output element elsewhere
  int64_t params = 0;        // learnable parameters, as torchvision counts them
  int64_t output_bytes = 0;  // output elements x dtype_bytes
  bool operator==(const LayerCost&) const = default;
};

// How a layer runs on a real CPU depends on more than its op name (a 1x1 or depthwise conv reaches
// a small fraction of a 3x3 conv's FLOP/s), and several op names run alike (every activation is one
// pass over memory). The analytical model and `edgepart calibrate` key per-class efficiency by these.
enum class OpClass {
  conv_kxk,        // conv2d, groups 1, kernel larger than 1x1
  conv_1x1,        // conv2d, groups 1, kernel 1x1 (pointwise)
  conv_depthwise,  // conv2d with one input channel per group and more than one group
  conv_grouped,    // any other conv2d with groups > 1
  linear,
  pooling,         // maxpool2d, avgpool2d
  global_pooling,  // adaptive_avgpool2d (global when its output is 1x1)
  elementwise,     // add, mul: two inputs, one pass
  activation,      // relu, relu6, clip, leaky_relu, sigmoid, hardsigmoid, silu, hardswish
  normalization,   // batchnorm, lrn
  data_movement,   // no arithmetic: flatten, dropout, identity, concat, upsample, space/depth moves
  other,           // softmax
};

}  // namespace edgepart::ops
