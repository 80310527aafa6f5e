// Calibration (timing/calibrate.hpp): synthetic measurements made here from chosen parameters
// must give those parameters back (exactly without noise, closely with noise), unseen classes
// borrow from their nearest fitted class, and the per-model report adds up by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "edgepart/timing/calibrate.hpp"

namespace edgepart::timing {
namespace {

// The chosen device: class speeds 120, 6, 1.5 and 0.25 GFLOP/s, 8 GB/s memory, data movement at
// 0.4 of that bandwidth, 40 us per layer.
struct Truth {
  std::map<OpClass, double> gflops = {{OpClass::conv_kxk, 120},
                                      {OpClass::conv_1x1, 6},
                                      {OpClass::activation, 1.5},
                                      {OpClass::pooling, 0.25}};
  double memory_gbps = 8;
  double data_movement_efficiency = 0.4;
  double overhead_s = 40e-6;

  double time_s(OpClass c, double flops, double bytes) const {
    if (flops == 0) return overhead_s + bytes / (memory_gbps * data_movement_efficiency * 1e9);
    return overhead_s + std::max(flops / (gflops.at(c) * 1e9), bytes / (memory_gbps * 1e9));
  }
};

// A deterministic spread of layer sizes: FLOPs from 1e4 to 1e9, bytes per FLOP from 0.01 to 40
// (so some points of every class are memory-bound and some compute-bound), and data movement
// points without FLOPs. `noise` multiplies each time by 1 + noise * u, u in [-1, 1] from a
// fixed linear congruential sequence.
std::vector<CalibrationPoint> synthetic(const Truth& t, double noise, const std::string& model = "m") {
  std::vector<CalibrationPoint> pts;
  uint64_t state = 12345;
  auto uniform = [&] {  // Knuth's MMIX LCG, top 53 bits -> [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  model::LayerIndex layer = 0;
  for (const auto& [cls, speed] : t.gflops) {
    for (int i = 0; i < 40; ++i) {
      CalibrationPoint p;
      p.model = model;
      p.layer = layer++;
      p.cls = cls;
      p.flops = std::pow(10.0, 4 + 5.0 * i / 39);
      p.bytes = p.flops * std::pow(10.0, -2 + 3.6 * ((i * 7) % 40) / 39);
      p.measured_s = t.time_s(cls, p.flops, p.bytes) * (1 + noise * (2 * uniform() - 1));
      p.whole_layer = i % 2 == 0;
      pts.push_back(p);
    }
  }
  for (int i = 0; i < 20; ++i) {
    CalibrationPoint p;
    p.model = model;
    p.layer = layer++;
    p.cls = OpClass::data_movement;
    p.bytes = std::pow(10.0, 3 + 4.0 * i / 19);
    p.measured_s = t.time_s(p.cls, 0, p.bytes) * (1 + noise * (2 * uniform() - 1));
    p.whole_layer = true;
    pts.push_back(p);
  }
  return pts;
}

void expect_recovered(const CalibrationFit& fit, const Truth& t, double rel_tol) {
  const AnalyticalDevice& d = fit.device;
  EXPECT_NEAR(d.peak_gflops, 120, 120 * rel_tol);
  for (const auto& [cls, speed] : t.gflops)
    EXPECT_NEAR(d.peak_gflops * d.class_efficiency.at(cls), speed, speed * rel_tol) << op_class_name(cls);
  EXPECT_NEAR(d.memory_gbps, t.memory_gbps, t.memory_gbps * rel_tol);
  EXPECT_NEAR(d.class_efficiency.at(OpClass::data_movement), t.data_movement_efficiency,
              t.data_movement_efficiency * rel_tol);
  EXPECT_NEAR(d.layer_overhead_s, t.overhead_s, t.overhead_s * rel_tol);
}

TEST(Calibrate, RecoversExactParameters) {
  Truth t;
  CalibrationFit fit = fit_analytical(synthetic(t, 0));
  expect_recovered(fit, t, 1e-6);
  EXPECT_LT(fit.mean_sq_log_error, 1e-12);
  EXPECT_EQ(fit.device.class_efficiency.at(OpClass::conv_kxk), 1.0);  // the fastest class is the peak
}

TEST(Calibrate, RecoversParametersUnderNoise) {
  Truth t;
  // +-5 % uniform noise on every time: the parameters within 3 %.
  expect_recovered(fit_analytical(synthetic(t, 0.05)), t, 0.03);
}

TEST(Calibrate, NoMemoryTermNoOverhead) {
  Truth t;
  t.memory_gbps = 1e30;  // never memory-bound
  t.overhead_s = 0;
  // Without the data movement points (they would take 0 s, which no measurement does).
  std::vector<CalibrationPoint> pts = synthetic(t, 0);
  std::erase_if(pts, [](const CalibrationPoint& p) { return p.flops == 0; });
  CalibrationFit fit = fit_analytical(pts);
  EXPECT_EQ(fit.device.memory_gbps, 0.0);
  EXPECT_EQ(fit.device.layer_overhead_s, 0.0);
  for (const auto& [cls, speed] : t.gflops)
    EXPECT_NEAR(fit.device.peak_gflops * fit.device.class_efficiency.at(cls), speed, speed * 1e-6);
}

TEST(Calibrate, UnseenClassesBorrowTheNearest) {
  Truth t;
  CalibrationFit fit = fit_analytical(synthetic(t, 0));
  const AnalyticalDevice& d = fit.device;
  auto source = [&](OpClass c) {
    for (const ClassSource& s : fit.classes)
      if (s.cls == c) return s;
    ADD_FAILURE() << op_class_name(c) << " has no source";
    return ClassSource{};
  };
  // conv_depthwise: conv_grouped is not fitted, conv_1x1 is.
  EXPECT_EQ(source(OpClass::conv_depthwise).borrowed_from, OpClass::conv_1x1);
  EXPECT_EQ(d.class_efficiency.at(OpClass::conv_depthwise), d.class_efficiency.at(OpClass::conv_1x1));
  EXPECT_EQ(source(OpClass::global_pooling).borrowed_from, OpClass::pooling);
  EXPECT_EQ(source(OpClass::elementwise).borrowed_from, OpClass::activation);
  EXPECT_TRUE(source(OpClass::conv_kxk).fitted);
  // data_movement was seen without FLOPs: fitted on the bytes it moves.
  EXPECT_TRUE(source(OpClass::data_movement).fitted);
  // 'other' borrows from activation.
  EXPECT_EQ(source(OpClass::other).borrowed_from, OpClass::activation);
}

TEST(Calibrate, ReportAddsUpByHand) {
  AnalyticalDevice d;
  d.peak_gflops = 1;
  // Three whole layers measured 1, 2, 4 s, predicted 1.1, 1.5, 4 s (1e9 FLOPs per s), plus a
  // partial point (not in the model total) of an unseen class.
  std::vector<CalibrationPoint> pts = {
      {"m", 0, OpClass::conv_kxk, 1.1e9, 0, 1.0, true},
      {"m", 1, OpClass::conv_kxk, 1.5e9, 0, 2.0, true},
      {"m", 2, OpClass::linear, 4e9, 0, 4.0, true},
      {"m", 2, OpClass::linear, 1e9, 0, 2.0, false},
  };
  auto reports = evaluate_fit(d, pts, {OpClass::conv_kxk});
  ASSERT_EQ(reports.size(), 1u);
  const ModelFitReport& r = reports[0];
  EXPECT_EQ(r.layers, 3u);
  EXPECT_EQ(r.points, 4u);
  EXPECT_DOUBLE_EQ(r.measured_s, 7.0);
  EXPECT_DOUBLE_EQ(r.predicted_s, 6.6);
  EXPECT_DOUBLE_EQ(r.whole_rel_error, 6.6 / 7.0 - 1);
  // Layer errors 0.1, 0.25, 0 -> median 0.1; points add 0.5 -> median of {0, 0.1, 0.25, 0.5} = 0.175.
  EXPECT_NEAR(r.median_layer_abs_rel_error, 0.1, 1e-12);
  EXPECT_NEAR(r.median_point_abs_rel_error, 0.175, 1e-12);
  EXPECT_EQ(r.unseen_layers, 1u);
  EXPECT_EQ(r.unseen_classes, std::vector<OpClass>{OpClass::linear});
}

}  // namespace
}  // namespace edgepart::timing
