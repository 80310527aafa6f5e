// Every op of the executor on tiny tensors with hand-computed outputs (PyTorch / ONNX formulas).
#include <gtest/gtest.h>

#include <cmath>

#include "edgepart/exec/executor.hpp"
#include "support/analyzed_model.hpp"

namespace edgepart::exec {
namespace {

using testing::Built;
using testing::build;

// A tensor with the given values, channel-major.
Tensor make(int64_t c, int64_t h, int64_t w, std::vector<float> values) {
  Tensor t(c, h, w);
  EXPECT_EQ(values.size(), t.data.size());
  t.data = std::move(values);
  return t;
}

// x[y][x] = 5y + x on a 5x5 map.
Tensor ramp5() {
  Tensor t(1, 5, 5);
  for (int64_t i = 0; i < 25; ++i) t.data[static_cast<size_t>(i)] = static_cast<float>(i);
  return t;
}

Tensor run(const std::string& input, const std::string& layers, const Tensor& x, uint64_t seed = 1) {
  Built r = build(input, layers);
  return Executor(r.graph, r.analysis, seed).run(x);
}

void expect_values(const Tensor& t, const std::vector<float>& want, double tol = 1e-6) {
  ASSERT_EQ(t.data.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.data[i], want[i], tol) << "element " << i;
}

TEST(Ops, MaxPoolCeilMode) {
  // 2x2/2 with ceil_mode on 5x5 -> 3x3; the last row/column windows overhang and see one
  // row/column: (0,0) max(0,1,5,6) = 6, (0,2) max(4,9) = 9, (2,0) max(20,21) = 21, (2,2) = 24.
  Tensor y = run("[1,5,5]", R"({"name": "p", "op": "maxpool2d", "kernel": 2, "ceil_mode": true})", ramp5());
  expect_values(y, {6, 8, 9, 16, 18, 19, 21, 23, 24});
}

TEST(Ops, AvgPoolCountIncludePad) {
  // 3x3/2 pad 1 on 5x5 -> 3x3. (0,0): rows -1..1, cols -1..1, present 0+1+5+6 = 12;
  // count_include_pad divides by 9 (PyTorch: hend = min(-1+3, 5+1)), else by 4.
  // (2,2): rows 3..5 (5 is padding), 18+19+23+24 = 84 -> 84/9 and 84/4.
  // (1,1): rows 1..3, cols 1..3, all present: (6+7+8+11+12+13+16+17+18)/9 = 108/9 = 12.
  Tensor with = run("[1,5,5]", R"({"name": "p", "op": "avgpool2d", "kernel": 3, "stride": 2, "padding": 1})", ramp5());
  EXPECT_NEAR(with.at(0, 0, 0), 12.0 / 9, 1e-6);
  EXPECT_NEAR(with.at(0, 2, 2), 84.0 / 9, 1e-6);
  EXPECT_NEAR(with.at(0, 1, 1), 12.0, 1e-6);
  Tensor without = run("[1,5,5]", R"({"name": "p", "op": "avgpool2d", "kernel": 3, "stride": 2, "padding": 1,
                                      "count_include_pad": false})", ramp5());
  EXPECT_NEAR(without.at(0, 0, 0), 3.0, 1e-6);
  EXPECT_NEAR(without.at(0, 2, 2), 21.0, 1e-6);
  // ceil_mode overhang is not counted even with count_include_pad: 1x2/2 on [0..4] -> 3 outputs,
  // the last window is column 4 alone (wend = min(4+2, 5+0) = 5): (0+1)/2, (2+3)/2, 4/1.
  Tensor ceil = run("[1,1,5]", R"({"name": "p", "op": "avgpool2d", "kernel": [1, 2], "ceil_mode": true})",
                    make(1, 1, 5, {0, 1, 2, 3, 4}));
  expect_values(ceil, {0.5, 2.5, 4});
}

TEST(Ops, AdaptiveAvgPool) {
  // 5 -> 3 rows: windows [0,1], [1,3], [3,4] of values 0..4 -> 0.5, 2, 3.5.
  Tensor y = run("[1,5,1]", R"({"name": "p", "op": "adaptive_avgpool2d", "output_size": [3, 1]})", make(1, 5, 1, {0, 1, 2, 3, 4}));
  expect_values(y, {0.5, 2, 3.5});
  Tensor g = run("[1,5,5]", R"({"name": "p", "op": "adaptive_avgpool2d", "output_size": 1})", ramp5());
  expect_values(g, {12});  // mean of 0..24
}

TEST(Ops, Activations) {
  Tensor x = make(1, 1, 5, {-3, -1, 0, 1, 7});
  auto act = [&](const std::string& layer) { return run("[1,1,5]", layer, x); };
  expect_values(act(R"({"name": "a", "op": "relu"})"), {0, 0, 0, 1, 7});
  expect_values(act(R"({"name": "a", "op": "relu6"})"), {0, 0, 0, 1, 6});
  expect_values(act(R"({"name": "a", "op": "clip", "min": -1, "max": 1})"), {-1, -1, 0, 1, 1});
  expect_values(act(R"({"name": "a", "op": "leaky_relu", "negative_slope": 0.1})"), {-0.3f, -0.1f, 0, 1, 7});
  // sigmoid(-3) = 1/(1+e^3) = 0.0474259, sigmoid(-1) = 0.2689414, sigmoid(1) = 0.7310586,
  // sigmoid(7) = 0.9990889.
  expect_values(act(R"({"name": "a", "op": "sigmoid"})"), {0.0474259f, 0.2689414f, 0.5f, 0.7310586f, 0.9990889f});
  expect_values(act(R"({"name": "a", "op": "silu"})"), {-3 * 0.0474259f, -0.2689414f, 0, 0.7310586f, 7 * 0.9990889f});
  // hardsigmoid: clamp(x/6 + 1/2, 0, 1): 0, 1/3, 1/2, 2/3, 1. hardswish = x * that.
  expect_values(act(R"({"name": "a", "op": "hardsigmoid"})"), {0, 1.0f / 3, 0.5f, 2.0f / 3, 1});
  expect_values(act(R"({"name": "a", "op": "hardswish"})"), {0, -1.0f / 3, 0, 2.0f / 3, 7});
  expect_values(act(R"({"name": "a", "op": "dropout"})"), {-3, -1, 0, 1, 7});
  expect_values(act(R"({"name": "a", "op": "identity"})"), {-3, -1, 0, 1, 7});
}

TEST(Ops, LocalResponseNormPyTorchFormula) {
  // size 3, alpha 1, beta 1, k 1 at one pixel with channels 1, 2, 3:
  // b_c = a_c / (1 + (1/3) * sum over [c-1, c+1] of a^2):
  // c0: 1/(1 + 5/3) = 0.375; c1: 2/(1 + 14/3) = 6/17; c2: 3/(1 + 13/3) = 9/16.
  Tensor y = run("[3,1,1]", R"({"name": "n", "op": "lrn", "size": 3, "alpha": 1, "beta": 1, "k": 1})", make(3, 1, 1, {1, 2, 3}));
  expect_values(y, {0.375f, 6.0f / 17, 9.0f / 16});
}

TEST(Ops, SoftmaxAcrossChannels) {
  // e^c / (e + e^2 + e^3) for c = 1, 2, 3 at both pixels.
  Tensor y = run("[3,1,2]", R"({"name": "s", "op": "softmax"})", make(3, 1, 2, {1, 1, 2, 2, 3, 3}));
  expect_values(y, {0.0900306f, 0.0900306f, 0.2447285f, 0.2447285f, 0.6652410f, 0.6652410f});
}

TEST(Ops, UpsampleSpaceToDepthDepthToSpace) {
  Tensor up = run("[1,2,2]", R"({"name": "u", "op": "upsample", "scale": 2})", make(1, 2, 2, {1, 2, 3, 4}));
  expect_values(up, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // ONNX SpaceToDepth: channel (by*2 + bx)*C + c. Channels x0 = [[1,2],[3,4]], x1 = [[5,6],[7,8]]:
  // (0,0): 1, 5; (0,1): 2, 6; (1,0): 3, 7; (1,1): 4, 8.
  Tensor s2d = run("[2,2,2]", R"({"name": "s", "op": "space_to_depth", "block_size": 2})", make(2, 2, 2, {1, 2, 3, 4, 5, 6, 7, 8}));
  expect_values(s2d, {1, 5, 2, 6, 3, 7, 4, 8});
  // depth_to_space (DCR) undoes it.
  Tensor d2s = run("[8,1,1]", R"({"name": "d", "op": "depth_to_space", "block_size": 2})", make(8, 1, 1, {1, 5, 2, 6, 3, 7, 4, 8}));
  expect_values(d2s, {1, 2, 3, 4, 5, 6, 7, 8});
}

TEST(Ops, FlattenLinear) {
  // Flatten of NCHW: (c*H + y)*W + x.
  Tensor f = run("[2,1,2]", R"({"name": "f", "op": "flatten"})", make(2, 1, 2, {1, 2, 3, 4}));
  expect_values(f, {1, 2, 3, 4});
  Built r = build("[3,1,1]", R"({"name": "f", "op": "flatten"}, {"name": "fc", "op": "linear", "out_features": 2})");
  Executor ex(r.graph, r.analysis, 9);
  Tensor x = make(3, 1, 1, {1, -2, 0.5f});
  Tensor y = ex.run(x);
  // out[o] = sum_i w[o][i] x[i] + b[o], w[o][i] the (o*3 + i)-th value of the layer's stream in
  // [-sqrt(6/3), sqrt(6/3)), b[o] in [-1/sqrt(3), 1/sqrt(3)).
  UniformStream w = linear_weight_stream(r.graph.layer(1), 9);
  float bound = std::sqrt(2.0f);
  for (int64_t o = 0; o < 2; ++o) {
    double want = ex.params(1).bias[static_cast<size_t>(o)];
    for (int64_t i = 0; i < 3; ++i) want += double{w.at(static_cast<uint64_t>(o * 3 + i), -bound, bound)} * x.data[static_cast<size_t>(i)];
    EXPECT_NEAR(y.data[static_cast<size_t>(o)], want, 1e-5);
    EXPECT_LE(std::abs(ex.params(1).bias[static_cast<size_t>(o)]), 1 / std::sqrt(3.0f));
  }
}

TEST(Ops, AddMulConcat) {
  const char* layers = R"(
    {"name": "r", "op": "relu", "inputs": ["input"]},
    {"name": "sum", "op": "add", "inputs": ["input", "r"]},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["input"]},
    {"name": "se", "op": "mul", "inputs": ["sum", "gap"]},
    {"name": "cat", "op": "concat", "inputs": ["se", "input"]})";
  // x = channel 0 [-1, 2], channel 1 [3, -4]. relu: [0, 2], [3, 0]; sum = x + relu(x):
  // [-1, 4], [6, -4]; gap (means of x): 0.5, -0.5; se = sum * gap: [-0.5, 2], [-3, 2];
  // cat: se then x.
  Tensor y = run("[2,1,2]", layers, make(2, 1, 2, {-1, 2, 3, -4}));
  expect_values(y, {-0.5f, 2, -3, 2, -1, 2, 3, -4});
}

TEST(Ops, BatchNormFoldsDrawnStatistics) {
  Built r = build("[2,1,1]", R"({"name": "bn", "op": "batchnorm", "eps": 0.001})");
  Executor ex(r.graph, r.analysis, 5);
  Tensor y = ex.run(make(2, 1, 1, {1, -2}));
  // y = gamma (x - mean) / sqrt(var + eps) + beta with the values drawn from the layer's streams.
  for (int64_t c = 0; c < 2; ++c) {
    auto at = [&](const char* t, float lo, float hi) { return double{UniformStream(5, "bn", t).at(static_cast<uint64_t>(c), lo, hi)}; };
    double gamma = at("gamma", 0.8f, 1.2f), beta = at("beta", -0.1f, 0.1f), mean = at("mean", -0.1f, 0.1f),
           var = at("var", 0.8f, 1.2f);
    double x = c == 0 ? 1 : -2;
    EXPECT_NEAR(y.data[static_cast<size_t>(c)], gamma * (x - mean) / std::sqrt(var + 0.001) + beta, 1e-5);
  }
}

}  // namespace
}  // namespace edgepart::exec
