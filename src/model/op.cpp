#include "edgepart/model/op.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::model {

const std::vector<OpInfo>& op_table() {
  static const std::vector<OpInfo> table = {
      {OpKind::conv2d, "conv2d", "2-D convolution (groups, dilation, asymmetric padding)", {1, 1}, false},
      {OpKind::maxpool2d, "maxpool2d", "max pooling (padding, dilation, ceil_mode)", {1, 1}, false},
      {OpKind::avgpool2d, "avgpool2d", "average pooling (padding, ceil_mode, count_include_pad)", {1, 1}, false},
      {OpKind::adaptive_avgpool2d, "adaptive_avgpool2d", "adaptive average pooling to output_size (1 = global)", {1, 1}, false},
      {OpKind::batchnorm, "batchnorm", "batch normalisation (inference: per-channel scale and shift)", {1, 1}, true},
      {OpKind::relu, "relu", "max(0, x)", {1, 1}, true},
      {OpKind::relu6, "relu6", "min(max(0, x), 6)", {1, 1}, true},
      {OpKind::clip, "clip", "min(max(min, x), max)", {1, 1}, true},
      {OpKind::leaky_relu, "leaky_relu", "x if x > 0 else negative_slope * x", {1, 1}, true},
      {OpKind::sigmoid, "sigmoid", "1 / (1 + exp(-x))", {1, 1}, true},
      {OpKind::hardsigmoid, "hardsigmoid", "max(0, min(1, alpha x + beta))", {1, 1}, true},
      {OpKind::silu, "silu", "x * sigmoid(x)", {1, 1}, true},
      {OpKind::hardswish, "hardswish", "x * relu6(x + 3) / 6", {1, 1}, true},
      {OpKind::lrn, "lrn", "local response normalisation across channels", {1, 1}, true},
      {OpKind::dropout, "dropout", "identity at inference", {1, 1}, true},
      {OpKind::flatten, "flatten", "[C,H,W] -> [C*H*W]", {1, 1}, false},
      {OpKind::linear, "linear", "fully connected layer", {1, 1}, false},
      {OpKind::add, "add", "element-wise sum of equal shapes", {2, SIZE_MAX}, true},
      {OpKind::mul, "mul", "element-wise product, second input may be [C,1,1] (squeeze-excitation)", {2, 2}, true},
      {OpKind::concat, "concat", "concatenation along channels", {2, SIZE_MAX}, true},
      {OpKind::softmax, "softmax", "softmax over channels", {1, 1}, false},
      {OpKind::upsample, "upsample", "nearest-neighbour upsampling by an integer scale", {1, 1}, false},
      {OpKind::space_to_depth, "space_to_depth", "blocks of b x b pixels to channels (Darknet reorg)", {1, 1}, false},
      {OpKind::depth_to_space, "depth_to_space", "channels to blocks of b x b pixels", {1, 1}, false},
      {OpKind::identity, "identity", "passes its input through", {1, 1}, true},
  };
  return table;
}

const OpInfo& op_info(OpKind kind) {
  const auto& table = op_table();
  auto index = static_cast<size_t>(kind);
  EDGEPART_ASSERT(index < table.size() && table[index].kind == kind, "op table out of order");
  return table[index];
}

std::string_view op_name(OpKind kind) { return op_info(kind).name; }

std::optional<OpKind> find_op(std::string_view name) {
  for (const auto& info : op_table())
    if (info.name == name) return info.kind;
  return std::nullopt;
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& info : op_table()) names.emplace_back(info.name);
  return names;
}

}  // namespace edgepart::model
