// The analytical model (timing/analytical.hpp): the roofline against hand arithmetic, the
// efficiency precedence and the work of a region by hand.
#include <gtest/gtest.h>

#include "edgepart/model/load.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/timing/analytical.hpp"
#include "support/analyzed_model.hpp"

namespace edgepart::timing {
namespace {

using model::OpKind;

TEST(Analytical, RooflineByHand) {
  AnalyticalDevice d;
  d.peak_gflops = 100;
  d.class_efficiency[OpClass::conv_1x1] = 0.5;
  // Compute only: 1e9 FLOPs at 100 GFLOP/s * 0.5 = 20 ms.
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::conv_1x1, 1e9, 4e8), 0.02);
  // Memory 10 GB/s: 4e8 bytes take 40 ms > 20 ms; plus 1 ms per layer.
  d.memory_gbps = 10;
  d.layer_overhead_s = 0.001;
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::conv_1x1, 1e9, 4e8), 0.041);
  // 1e8 bytes take 10 ms < 20 ms: compute-bound again.
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::conv_1x1, 1e9, 1e8), 0.021);
  // A class without efficiency runs at the peak: 1e9 / 1e11 = 10 ms.
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::conv_kxk, 1e9, 0), 0.011);
  // No FLOPs (flatten): overhead + bytes / bandwidth = 1 ms + 1e6 / 1e10 = 1.1 ms.
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::data_movement, 0, 1e6), 0.0011);
  // A data movement efficiency scales the bandwidth: 1e6 bytes at 10 GB/s * 0.25 = 0.4 ms, + 1 ms.
  d.class_efficiency[OpClass::data_movement] = 0.25;
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::data_movement, 0, 1e6), 0.0014);
  // ... but not the memory term of a class that computes: still compute-bound at 21 ms.
  d.class_efficiency[OpClass::conv_1x1] = 0.5;
  EXPECT_DOUBLE_EQ(analytical_layer_time_s(d, OpClass::conv_1x1, 1e9, 1e8), 0.021);
  // An empty region is not computed: not even the overhead.
  LayerWork empty;
  EXPECT_EQ(analytical_layer_time_s(d, empty), 0.0);
}

TEST(Analytical, NarrowerEfficiencyKeyWins) {
  scenario::Device dev;
  dev.speed_gflops = 10;
  dev.efficiency = {{"conv2d", 0.8}, {"conv_1x1", 0.1}, {"relu", 0.3}, {"activation", 0.6}, {"linear", 0.4}};
  AnalyticalDevice d = make_analytical_device(dev);
  // conv2d splits into classes: the class key is narrower.
  EXPECT_EQ(layer_efficiency(d, OpKind::conv2d, OpClass::conv_1x1), 0.1);
  EXPECT_EQ(layer_efficiency(d, OpKind::conv2d, OpClass::conv_kxk), 0.8);
  // relu is one op of the activation class: the op key is narrower.
  EXPECT_EQ(layer_efficiency(d, OpKind::relu, OpClass::activation), 0.3);
  EXPECT_EQ(layer_efficiency(d, OpKind::sigmoid, OpClass::activation), 0.6);
  // "linear" is an op and a class naming the same layers.
  EXPECT_EQ(layer_efficiency(d, OpKind::linear, OpClass::linear), 0.4);
  EXPECT_EQ(layer_efficiency(d, OpKind::add, OpClass::elementwise), 1.0);
}

TEST(Analytical, DeviceFromScenario) {
  scenario::Device dev;
  dev.speed_gflops = 20;
  dev.memory_gbps = 12;
  dev.layer_overhead_s = 3e-5;
  dev.task_overhead_s = 2e-3;
  AnalyticalDevice d = make_analytical_device(dev, 0.5);
  EXPECT_EQ(d.peak_gflops, 10);  // the speed factor scales the compute peak
  EXPECT_EQ(d.memory_gbps, 12);
  EXPECT_EQ(d.layer_overhead_s, 3e-5);
  EXPECT_EQ(d.task_overhead_s, 2e-3);
}

TEST(Analytical, LayerWorkByHand) {
  testing::Built b = testing::build("[3,8,8]", R"(
    {"name": "c", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "r", "op": "relu"},
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10})");
  // Rows 0..1 of conv c: output 4 x 2 x 8 = 64 values; each 3*3*3 = 27 MACs -> 3456 FLOPs.
  // Input rows -1..2 clipped to 0..2: 3 x 3 x 8 = 72 values. Weights 4*27 + 4 = 112.
  // Bytes (fp32): (72 + 112 + 64) * 4 = 992.
  LayerWork w = layer_work(b.graph, b.analysis, 0, rf::Region{{0, 1}, {0, 7}});
  EXPECT_EQ(w.cls, OpClass::conv_kxk);
  EXPECT_FALSE(w.empty);
  EXPECT_EQ(w.flops, 3456);
  EXPECT_EQ(w.bytes, 992);
  // relu on rows 2..3, cols 0..3: 4 x 2 x 4 = 32 values in, 32 out, 32 FLOPs.
  w = layer_work(b.graph, b.analysis, 1, rf::Region{{2, 3}, {0, 3}});
  EXPECT_EQ(w.flops, 32);
  EXPECT_EQ(w.bytes, 64 * 4);
  // linear (flat: one pixel): 256 inputs, 10 outputs, 2570 weights, 2 * 2560 FLOPs.
  w = layer_work(b.graph, b.analysis, 3, rf::Region{{0, 0}, {0, 0}});
  EXPECT_EQ(w.cls, OpClass::linear);
  EXPECT_EQ(w.flops, 5120);
  EXPECT_EQ(w.bytes, (256 + 2570 + 10) * 4);
  // An empty region.
  EXPECT_TRUE(layer_work(b.graph, b.analysis, 0, rf::Region::empty_region()).empty);
}

}  // namespace
}  // namespace edgepart::timing
