#pragma once
// Op classes (docs/timing.md "The analytical model"): how a layer runs on a real CPU depends on
// more than its op name (a 1x1 or depthwise conv reaches a small fraction of a 3x3 conv's FLOP/s),
// and several op names run alike (every activation is one pass over memory). The analytical model
// and `edgepart calibrate` key per-class efficiency by these classes; scenario files accept their
// names as `efficiency` keys. Each op's spec (src/ops/) gives its class; op_class.cpp names them.
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

using ops::OpClass;  // the classes, with what each holds (ops/cost.hpp)

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
