// The op-class table (docs/timing.md "The analytical model"): every op kind maps to one class,
// except conv2d whose class depends on its kernel and groups.
#include "edgepart/cost/op_class.hpp"

#include <array>

#include "edgepart/util/error.hpp"

namespace edgepart::cost {

namespace {

using model::OpKind;

struct ClassName {
  OpClass cls;
  std::string_view name;
};

constexpr std::array<ClassName, 12> kClassNames = {{
    {OpClass::conv_kxk, "conv_kxk"},
    {OpClass::conv_1x1, "conv_1x1"},
    {OpClass::conv_depthwise, "conv_depthwise"},
    {OpClass::conv_grouped, "conv_grouped"},
    {OpClass::linear, "linear"},
    {OpClass::pooling, "pooling"},
    {OpClass::global_pooling, "global_pooling"},
    {OpClass::elementwise, "elementwise"},
    {OpClass::activation, "activation"},
    {OpClass::normalization, "normalization"},
    {OpClass::data_movement, "data_movement"},
    {OpClass::other, "other"},
}};

// The table: the class of every op kind, or nullopt for conv2d (decided by conv_class). A switch
// without default, so the compiler (-Wswitch, part of -Wall) warns about a new op kind, and
// tests/unit/cost/op_class_test.cpp checks every kind of model::op_table() by hand.
std::optional<OpClass> fixed_class(OpKind kind) {
  switch (kind) {
    case OpKind::conv2d: return std::nullopt;
    case OpKind::linear: return OpClass::linear;
    case OpKind::maxpool2d:
    case OpKind::avgpool2d: return OpClass::pooling;
    case OpKind::adaptive_avgpool2d: return OpClass::global_pooling;
    case OpKind::add:
    case OpKind::mul: return OpClass::elementwise;
    case OpKind::relu:
    case OpKind::relu6:
    case OpKind::clip:
    case OpKind::leaky_relu:
    case OpKind::sigmoid:
    case OpKind::hardsigmoid:
    case OpKind::silu:
    case OpKind::hardswish: return OpClass::activation;
    case OpKind::batchnorm:
    case OpKind::lrn: return OpClass::normalization;
    case OpKind::dropout:
    case OpKind::flatten:
    case OpKind::identity:
    case OpKind::concat:
    case OpKind::upsample:
    case OpKind::space_to_depth:
    case OpKind::depth_to_space: return OpClass::data_movement;
    case OpKind::softmax: return OpClass::other;
  }
  EDGEPART_ASSERT(false, "op kind without a class");
  return OpClass::other;
}

OpClass conv_class(const model::Layer& layer, const LayerCost& cost) {
  const auto& a = layer.as<model::Conv2dAttrs>();
  const int64_t kernel_area = a.kernel.h * a.kernel.w;
  const int64_t weights = cost.params - (a.bias ? a.out_channels : 0);
  EDGEPART_ASSERT(kernel_area > 0 && a.out_channels > 0 && weights % (a.out_channels * kernel_area) == 0,
                  "conv parameters are not out_channels x kernel x per-group inputs");
  const int64_t in_per_group = weights / (a.out_channels * kernel_area);
  if (a.groups > 1) return in_per_group == 1 ? OpClass::conv_depthwise : OpClass::conv_grouped;
  return kernel_area == 1 ? OpClass::conv_1x1 : OpClass::conv_kxk;
}

}  // namespace

const std::vector<OpClass>& all_op_classes() {
  static const std::vector<OpClass> all = [] {
    std::vector<OpClass> v;
    for (const auto& c : kClassNames) v.push_back(c.cls);
    return v;
  }();
  return all;
}

std::string_view op_class_name(OpClass c) {
  for (const auto& e : kClassNames)
    if (e.cls == c) return e.name;
  EDGEPART_ASSERT(false, "class without a name");
  return "";
}

std::optional<OpClass> find_op_class(std::string_view name) {
  for (const auto& e : kClassNames)
    if (e.name == name) return e.cls;
  return std::nullopt;
}

std::vector<std::string> op_class_names() {
  std::vector<std::string> names;
  for (const auto& e : kClassNames) names.emplace_back(e.name);
  return names;
}

OpClass op_class(const model::Layer& layer, const LayerCost& cost) {
  if (auto c = fixed_class(layer.kind)) return *c;
  return conv_class(layer, cost);
}

bool op_splits_into_classes(OpKind kind) { return !fixed_class(kind).has_value(); }

}  // namespace edgepart::cost
