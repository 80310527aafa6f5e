// Zoo totals against published figures. torchvision's model documentation lists, per model,
// "GFLOPS" (which are multiply-accumulates, counted over conv and linear layers) to two decimals and
// the exact parameter count; Darknet prints YOLOv2-608's cost as 62.94 BFLOPs (2 x conv MACs / 1e9).
// These are independent of edgepart: the zoo files are traced from the models, and the totals here
// come from the published tables.
#include <gtest/gtest.h>

#include <cstdio>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"

namespace edgepart::cost {
namespace {

struct Published {
  const char* model;
  const char* gmacs;  // as printed in the table, two decimals
  int64_t params;
};

std::string two_decimals(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

model::ModelGraph zoo(const std::string& name) {
  return model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + name + ".json");
}

class TorchvisionTotals : public ::testing::TestWithParam<Published> {};

TEST_P(TorchvisionTotals, MatchTheDocumentation) {
  const Published& p = GetParam();
  ModelAnalysis a = analyze(zoo(p.model));
  EXPECT_EQ(two_decimals(static_cast<double>(a.total_macs) / 1e9), p.gmacs) << "MACs " << a.total_macs;
  EXPECT_EQ(a.total_params, p.params);
  // Totals are sums of the per-layer figures, and FLOPs count at least 2 per MAC.
  int64_t macs = 0, params = 0;
  for (const auto& l : a.layers) {
    macs += l.macs;
    params += l.params;
  }
  EXPECT_EQ(macs, a.total_macs);
  EXPECT_EQ(params, a.total_params);
  EXPECT_GE(a.total_flops, 2 * a.total_macs);
}

// torchvision 0.14 documentation, "Classification" table (GFLOPS, Params).
INSTANTIATE_TEST_SUITE_P(Zoo, TorchvisionTotals,
                         ::testing::Values(Published{"alexnet", "0.71", 61100840},
                                           Published{"vgg16", "15.47", 138357544},
                                           Published{"resnet18", "1.81", 11689512},
                                           Published{"resnet50", "4.09", 25557032},
                                           Published{"mobilenet_v2", "0.30", 3504872},
                                           Published{"googlenet", "1.50", 6624904},
                                           Published{"squeezenet1_1", "0.35", 1235496},
                                           Published{"densenet121", "2.83", 7978856}),
                         [](const auto& param_info) { return std::string(param_info.param.model); });

TEST(DarknetTotals, Yolov2At608Is62_94BFlops) {
  auto g = zoo("yolov2");
  EXPECT_EQ(g.input, model::Shape::chw(3, 608, 608));
  ModelAnalysis a = analyze(g);
  int64_t conv_macs = 0;
  for (size_t i = 0; i < g.size(); ++i)
    if (g.layers[i].kind == model::OpKind::conv2d) conv_macs += a.layers[i].macs;
  EXPECT_EQ(two_decimals(2.0 * static_cast<double>(conv_macs) / 1e9), "62.94");
  // Total stride 32: 608 / 32 = 19, so the head is 19x19 with 5 anchors x (80 classes + 5) = 425
  // channels (yolo.cfg: filters=425).
  EXPECT_EQ(a.shapes.back().c, 425);
  EXPECT_EQ(a.shapes.back().h, 19);
}

TEST(ZooShapes, VggFollowsTheArchitecture) {
  // VGG-16 (Simonyan & Zisserman, table 1): 224 -> 112 -> 56 -> 28 -> 14 -> 7 after the 5 pools.
  auto g = zoo("vgg16");
  ModelAnalysis a = analyze(g);
  std::vector<int64_t> after_pool;
  for (size_t i = 0; i < g.size(); ++i)
    if (g.layers[i].kind == model::OpKind::maxpool2d) after_pool.push_back(a.shapes[i].h);
  EXPECT_EQ(after_pool, (std::vector<int64_t>{112, 56, 28, 14, 7}));
  EXPECT_EQ(a.shapes.back(), model::Shape::features(1000));
}

}  // namespace
}  // namespace edgepart::cost
