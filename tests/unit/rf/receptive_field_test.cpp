// Receptive field size r, effective stride S and effective padding P per layer (Araujo, Norris, Sim,
// "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019). The expected values
// are written out as literals, derived by hand below; the test does not call any formula code.
#include "edgepart/rf/receptive_field.hpp"

#include <gtest/gtest.h>

#include <map>

#include "edgepart/model/load.hpp"
#include "support/model_text.hpp"

namespace edgepart::rf {
namespace {

using edgepart::testing::model_from_text;
using edgepart::testing::model_json;

struct Expected {
  int64_t size, stride, padding;
};

std::vector<std::optional<ReceptiveField>> fields_of(const model::ModelGraph& g) {
  return receptive_fields(g, cost::analyze(g));
}

void expect_square(const std::optional<ReceptiveField>& f, const Expected& e, const std::string& what) {
  ASSERT_TRUE(f.has_value()) << what << ": undefined";
  EXPECT_EQ(f->h, (AxisField{e.size, e.stride, e.padding})) << what << " (rows)";
  EXPECT_EQ(f->w, (AxisField{e.size, e.stride, e.padding})) << what << " (columns)";
}

TEST(ReceptiveField, Vgg16EveryLayer) {
  // Walking forward from the input (r = 1, S = 1, P = 0), a layer with kernel k, stride s and
  // leading padding p gives (Araujo et al., eqs. 2-3 and the padding recurrence, read forward):
  //   r' = r + (k - 1) S,   S' = s S,   P' = P + p S.
  // VGG-16's convs are k3 s1 p1, its pools k2 s2 p0; relu, dropout and the adaptive 7x7 pooling
  // of a 7x7 map leave the field unchanged. After flatten there is no spatial field.
  //
  //  layer (torchvision)    k s p   r = r + (k-1)S      S       P = P + pS
  //  features.0  conv1_1    3 1 1   1 + 2*1  =   3      1       0 + 1*1  =  1
  //  features.2  conv1_2    3 1 1   3 + 2*1  =   5      1       1 + 1*1  =  2
  //  features.4  pool1      2 2 0   5 + 1*1  =   6      2       2
  //  features.5  conv2_1    3 1 1   6 + 2*2  =  10      2       2 + 1*2  =  4
  //  features.7  conv2_2    3 1 1  10 + 2*2  =  14      2       4 + 2    =  6
  //  features.9  pool2      2 2 0  14 + 1*2  =  16      4       6
  //  features.10 conv3_1    3 1 1  16 + 2*4  =  24      4       6 + 4    = 10
  //  features.12 conv3_2    3 1 1  24 + 8    =  32      4      10 + 4    = 14
  //  features.14 conv3_3    3 1 1  32 + 8    =  40      4      14 + 4    = 18
  //  features.16 pool3      2 2 0  40 + 1*4  =  44      8      18
  //  features.17 conv4_1    3 1 1  44 + 2*8  =  60      8      18 + 8    = 26
  //  features.19 conv4_2    3 1 1  60 + 16   =  76      8      26 + 8    = 34
  //  features.21 conv4_3    3 1 1  76 + 16   =  92      8      34 + 8    = 42
  //  features.23 pool4      2 2 0  92 + 1*8  = 100     16      42
  //  features.24 conv5_1    3 1 1 100 + 2*16 = 132     16      42 + 16   = 58
  //  features.26 conv5_2    3 1 1 132 + 32   = 164     16      58 + 16   = 74
  //  features.28 conv5_3    3 1 1 164 + 32   = 196     16      74 + 16   = 90
  //  features.30 pool5      2 2 0 196 + 1*16 = 212     32      90
  // pool5 = 212 / 32 / 90 is the value Araujo et al. list for VGG-16.
  const std::map<std::string, Expected> expected = {
      {"features.0", {3, 1, 1}},      {"features.1", {3, 1, 1}},      {"features.2", {5, 1, 2}},
      {"features.3", {5, 1, 2}},      {"features.4", {6, 2, 2}},      {"features.5", {10, 2, 4}},
      {"features.6", {10, 2, 4}},     {"features.7", {14, 2, 6}},     {"features.8", {14, 2, 6}},
      {"features.9", {16, 4, 6}},     {"features.10", {24, 4, 10}},   {"features.11", {24, 4, 10}},
      {"features.12", {32, 4, 14}},   {"features.13", {32, 4, 14}},   {"features.14", {40, 4, 18}},
      {"features.15", {40, 4, 18}},   {"features.16", {44, 8, 18}},   {"features.17", {60, 8, 26}},
      {"features.18", {60, 8, 26}},   {"features.19", {76, 8, 34}},   {"features.20", {76, 8, 34}},
      {"features.21", {92, 8, 42}},   {"features.22", {92, 8, 42}},   {"features.23", {100, 16, 42}},
      {"features.24", {132, 16, 58}}, {"features.25", {132, 16, 58}}, {"features.26", {164, 16, 74}},
      {"features.27", {164, 16, 74}}, {"features.28", {196, 16, 90}}, {"features.29", {196, 16, 90}},
      {"features.30", {212, 32, 90}}, {"avgpool", {212, 32, 90}},
  };
  const std::vector<std::string> undefined = {"flatten",      "classifier.0", "classifier.1", "classifier.2",
                                              "classifier.3", "classifier.4", "classifier.5", "classifier.6"};
  auto g = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/vgg16.json");
  ASSERT_EQ(g.size(), expected.size() + undefined.size());
  auto fields = fields_of(g);
  for (const auto& [name, e] : expected) {
    auto i = g.find(name);
    ASSERT_TRUE(i.has_value()) << name;
    expect_square(fields[static_cast<size_t>(*i)], e, name);
  }
  for (const auto& name : undefined) {
    auto i = g.find(name);
    ASSERT_TRUE(i.has_value()) << name;
    EXPECT_FALSE(fields[static_cast<size_t>(*i)].has_value()) << name;
  }
  // The acceptance figure on its own line: pool5 = 212 / 32 / 90.
  expect_square(fields[static_cast<size_t>(*g.find("features.30"))], {212, 32, 90}, "pool5");
}

TEST(ReceptiveField, DilationAndAsymmetricPadding) {
  // k3 d2 covers d(k-1)+1 = 5 pixels: r = 1 + 4*1 = 5. Leading padding [top 1, left 2]: P = (1, 2).
  // Then a k3 s2 conv: r = 5 + 2*1 = 7, S = 2, P = P + 0.
  auto g = model_from_text(model_json("[1, 32, 32]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": 3, "dilation": 2, "padding": [1, 2, 3, 4]},
    {"name": "b", "op": "conv2d", "out_channels": 1, "kernel": 3, "stride": 2})"));
  auto f = fields_of(g);
  ASSERT_TRUE(f[0] && f[1]);
  EXPECT_EQ(f[0]->h, (AxisField{5, 1, 1}));
  EXPECT_EQ(f[0]->w, (AxisField{5, 1, 2}));
  EXPECT_EQ(f[1]->h, (AxisField{7, 2, 1}));
  EXPECT_EQ(f[1]->w, (AxisField{7, 2, 2}));
}

TEST(ReceptiveField, NonSquareKernels) {
  // [1,7] then [7,1] (Inception-style factorised 7x7): rows 1 then 7, columns 7 then 7.
  auto g = model_from_text(model_json("[1, 32, 32]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": [1, 7], "padding": [0, 3]},
    {"name": "b", "op": "conv2d", "out_channels": 1, "kernel": [7, 1], "padding": [3, 0]})"));
  auto f = fields_of(g);
  EXPECT_EQ(f[0]->h, (AxisField{1, 1, 0}));
  EXPECT_EQ(f[0]->w, (AxisField{7, 1, 3}));
  EXPECT_EQ(f[1]->h, (AxisField{7, 1, 3}));
  EXPECT_EQ(f[1]->w, (AxisField{7, 1, 3}));
}

TEST(ReceptiveField, LargestOverPathsInADag) {
  // Residual block: branch k3 p1 twice (r = 1 + 2 + 2 = 5, P = 2) and the identity shortcut
  // (r = 1, P = 0); the sum sees the larger: 5 / 1 / 2. A concat of a k1 conv (1/1/0) and a k3 s1
  // p1 conv (3/1/1) is 3/1/1.
  auto g = model_from_text(model_json("[4, 16, 16]", R"(
    {"name": "c1", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "c2", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "sum", "op": "add", "inputs": ["input", "c2"]},
    {"name": "k1", "op": "conv2d", "out_channels": 2, "kernel": 1, "inputs": ["input"]},
    {"name": "k3", "op": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1, "inputs": ["input"]},
    {"name": "cat", "op": "concat", "inputs": ["k1", "k3"]})"));
  auto f = fields_of(g);
  expect_square(f[2], {5, 1, 2}, "sum");
  expect_square(f[3], {1, 1, 0}, "k1");
  expect_square(f[5], {3, 1, 1}, "cat");
}

TEST(ReceptiveField, SpaceToDepthIsAStrideBWindow) {
  // Darknet reorg with b = 2: output pixel i reads input pixels 2i, 2i+1: a 2x2 window, stride 2.
  // After a k3 p1 conv (3/1/1): r = 3 + 1*1 = 4, S = 2, P = 1.
  auto g = model_from_text(model_json("[4, 16, 16]", R"(
    {"name": "c", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "reorg", "op": "space_to_depth", "block_size": 2})"));
  expect_square(fields_of(g)[1], {4, 2, 1}, "reorg");
}

TEST(ReceptiveField, UndefinedAfterGlobalPoolingFlattenAndUpsampling) {
  auto g = model_from_text(model_json("[4, 16, 16]", R"(
    {"name": "c", "op": "conv2d", "out_channels": 4, "kernel": 3},
    {"name": "up", "op": "upsample", "scale": 2},
    {"name": "after_up", "op": "relu"},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["c"]},
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 3})"));
  auto f = fields_of(g);
  expect_square(f[0], {3, 1, 0}, "c");
  for (size_t i = 1; i < f.size(); ++i) EXPECT_FALSE(f[i].has_value()) << g.layers[i].name;
}

TEST(ReceptiveField, SqueezeExcitationScaleDoesNotWidenTheField) {
  // mul(x, s) with s = [C,1,1] from global pooling: the per-channel scale carries no spatial
  // field, so the product keeps x's field (3/1/1), not "undefined".
  auto g = model_from_text(model_json("[4, 16, 16]", R"(
    {"name": "c", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1},
    {"name": "s", "op": "sigmoid"},
    {"name": "scaled", "op": "mul", "inputs": ["c", "s"]})"));
  expect_square(fields_of(g)[3], {3, 1, 1}, "scaled");
}

}  // namespace
}  // namespace edgepart::rf
