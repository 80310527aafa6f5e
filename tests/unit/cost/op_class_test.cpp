// The op-class table (cost/op_class.hpp): every op kind's class written out by hand here, and the
// conv classes decided from kernel and per-group input channels.
#include <gtest/gtest.h>

#include <map>

#include "edgepart/cost/op_class.hpp"
#include "support/analyzed_model.hpp"

namespace edgepart::cost {
namespace {

using model::OpKind;

TEST(OpClass, EveryNonConvOpKindByHand) {
  const std::map<std::string, std::string> expected = {
      {"maxpool2d", "pooling"},          {"avgpool2d", "pooling"},
      {"adaptive_avgpool2d", "global_pooling"},
      {"batchnorm", "normalization"},    {"lrn", "normalization"},
      {"relu", "activation"},            {"relu6", "activation"},
      {"clip", "activation"},            {"leaky_relu", "activation"},
      {"sigmoid", "activation"},         {"hardsigmoid", "activation"},
      {"silu", "activation"},            {"hardswish", "activation"},
      {"dropout", "data_movement"},      {"flatten", "data_movement"},
      {"identity", "data_movement"},     {"concat", "data_movement"},
      {"upsample", "data_movement"},     {"space_to_depth", "data_movement"},
      {"depth_to_space", "data_movement"},
      {"linear", "linear"},
      {"add", "elementwise"},            {"mul", "elementwise"},
      {"softmax", "other"},
  };
  size_t checked = 0;
  for (const auto& info : model::op_table()) {
    if (info.kind == OpKind::conv2d) {
      EXPECT_TRUE(op_splits_into_classes(info.kind));
      continue;
    }
    model::Layer l;
    l.kind = info.kind;
    ASSERT_TRUE(expected.count(std::string(info.name))) << info.name << " missing from this test's table";
    EXPECT_EQ(op_class_name(op_class(l, LayerCost{})), expected.at(std::string(info.name))) << info.name;
    EXPECT_FALSE(op_splits_into_classes(info.kind)) << info.name;
    ++checked;
  }
  EXPECT_EQ(checked, expected.size());  // no op in this table that the model format lacks
}

TEST(OpClass, ConvClassesFromKernelAndGroups) {
  testing::Built b = testing::build("[8,6,6]", R"(
    {"name": "k3", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1},
    {"name": "k7x1", "op": "conv2d", "out_channels": 8, "kernel": [7, 1], "padding": [3, 0]},
    {"name": "pw", "op": "conv2d", "out_channels": 16, "kernel": 1},
    {"name": "dw", "op": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1, "groups": 16},
    {"name": "dw_mult", "op": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1, "groups": 16, "bias": false},
    {"name": "grouped", "op": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1, "groups": 4},
    {"name": "grouped_1x1", "op": "conv2d", "out_channels": 8, "kernel": 1, "groups": 2})");
  const std::map<std::string, std::string> expected = {
      {"k3", "conv_kxk"},        {"k7x1", "conv_kxk"},    {"pw", "conv_1x1"},          {"dw", "conv_depthwise"},
      {"dw_mult", "conv_depthwise"}, {"grouped", "conv_grouped"}, {"grouped_1x1", "conv_grouped"}};
  for (const auto& [name, cls] : expected) {
    auto i = *b.graph.find(name);
    EXPECT_EQ(op_class_name(op_class(b.graph.layer(i), b.analysis.layers.at(static_cast<size_t>(i)))), cls) << name;
  }
}

TEST(OpClass, NamesRoundTrip) {
  EXPECT_EQ(all_op_classes().size(), 12u);
  for (OpClass c : all_op_classes()) EXPECT_EQ(find_op_class(op_class_name(c)), c);
  EXPECT_EQ(find_op_class("conv2d"), std::nullopt);
  EXPECT_EQ(op_class_names().front(), "conv_kxk");
}

}  // namespace
}  // namespace edgepart::cost
