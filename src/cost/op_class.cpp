// The op classes' names (docs/timing.md "The analytical model"). Each op's spec (src/ops/) gives
// its class, or classifies its layers (conv2d: by kernel and groups).
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
  const ops::OpSpec& spec = ops::op_spec(layer.kind);
  return spec.classify ? spec.classify(layer.ref(), cost) : spec.op_class;
}

bool op_splits_into_classes(OpKind kind) { return ops::op_spec(kind).classify != nullptr; }

}  // namespace edgepart::cost
