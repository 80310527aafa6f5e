#pragma once
// Op classes (docs/timing.md "The analytical model"): how a layer runs on a real CPU depends on
// more than its op name (a 1x1 or depthwise conv reaches a small fraction of a 3x3 conv's FLOP/s),
// and several op names run alike (every activation is one pass over memory). The analytical model
// and `edgepart calibrate` key per-class efficiency by these classes; scenario files accept their
// names as `efficiency` keys. One table in op_class.cpp maps every op kind.
//
// Lives in `cost` (not `timing`) because the scenario parser (below `timing`) must know the class
// names to check `efficiency` keys, and the class of a conv needs its per-group input channels,
// which only the layer's cost gives.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepart/cost/analysis.hpp"

namespace edgepart::cost {

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

// Every class, in enum order.
const std::vector<OpClass>& all_op_classes();
// "conv_kxk", ... (scenario efficiency keys, calibrate's JSON keys).
std::string_view op_class_name(OpClass c);
std::optional<OpClass> find_op_class(std::string_view name);
std::vector<std::string> op_class_names();

// The class of a layer. `cost` is the layer's cost (cost::analyze): a conv's per-group input
// channels are params / (out_channels * kernel area) without the bias.
OpClass op_class(const model::Layer& layer, const LayerCost& cost);

// True when layers of this op kind may fall in different classes (conv2d: its class depends on
// kernel and groups). Decides the precedence of efficiency keys: the narrower key wins.
bool op_splits_into_classes(model::OpKind kind);

}  // namespace edgepart::cost
