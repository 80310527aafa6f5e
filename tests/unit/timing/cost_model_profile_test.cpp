// The cost model with measured profiles: a layer a device's profile covers costs the profile's
// interpolated time, the others fall back to the analytical model, and a plan's prediction says
// how much compute time came from each. Expected values are read from the committed profile's
// JSON directly (its medians), not through the profile reader.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/timing/cost_model.hpp"

using namespace edgepart;

namespace {

const std::string kRoot = EDGEPART_SOURCE_DIR;

struct Fixture {
  model::ModelGraph graph = model::load_model(kRoot + "/models/vgg16.json");
  cost::ModelAnalysis analysis = cost::analyze(graph);
  nlohmann::json profile = nlohmann::json::parse(std::ifstream(kRoot + "/profiles/host-vgg16.json"));

  scenario::Cluster cluster(const std::vector<std::string>& profiles, double overhead_s = 0.0005) const {
    scenario::Cluster c;
    for (int i = 0; i < 2; ++i) {
      scenario::Device d;
      d.name = "d" + std::to_string(i);
      d.speed_gflops = 10;
      d.is_source = i == 0;
      d.task_overhead_s = overhead_s;
      d.profiles = profiles;
      c.devices.push_back(d);
    }
    c.network.bandwidth_mbps = 100;
    return c;
  }
  // The median of layer l's point with `rows` rows at full width, straight from the file.
  double median(size_t l, int64_t rows) const {
    for (const auto& p : profile.at("layers").at(l).at("points"))
      if (p.at("rows").get<int64_t>() == rows && p.at("cols").get<int64_t>() == analysis.shapes[l].w)
        return p.at("median_s").get<double>();
    ADD_FAILURE() << "no point of " << rows << " rows for layer " << l;
    return 0;
  }
};

}  // namespace

TEST(CostModelProfile, LocalPredictionIsTheSumOfProfiledWholeLayersPlusTheTaskOverhead) {
  Fixture f;
  const scenario::Cluster c = f.cluster({kRoot + "/profiles/host-vgg16.json"});
  const timing::CostModel costs(f.graph, f.analysis, c);
  scenario::Workload w;
  strategy::PlanRequest r{f.graph, f.analysis, c, w, costs};
  const plan::Plan p = strategy::make_plan("local", r, Json::object());
  double expected = 0.0005;  // local runs the whole model as one task on the source: one overhead
  for (size_t l = 0; l < f.graph.size(); ++l) expected += f.median(l, f.analysis.shapes[l].h);
  EXPECT_NEAR(p.predicted.latency_s, expected, 1e-12 * expected);
  EXPECT_NEAR(p.predicted.measured_compute_s, expected - 0.0005, 1e-12 * expected);
  EXPECT_EQ(p.predicted.analytical_compute_s, 0.0);
}

TEST(CostModelProfile, APartialHeightCostsItsMeasuredTime) {
  Fixture f;
  const timing::CostModel costs(f.graph, f.analysis, f.cluster({kRoot + "/profiles/host-vgg16.json"}));
  for (size_t l = 0; l < f.graph.size(); ++l) {
    const model::Shape& s = f.analysis.shapes[l];
    if (s.h < 2) continue;
    const int64_t half = (s.h + 1) / 2;  // edgepart profile's 1/2 height: ceil(H / 2)
    const rf::Region top{rf::Interval{0, half - 1}, rf::Interval::whole(s.w)};
    const rf::Region middle{rf::Interval{s.h / 4, s.h / 4 + half - 1}, rf::Interval::whole(s.w)};
    const auto layer = static_cast<model::LayerIndex>(l);
    EXPECT_EQ(costs.layer_time_s(1, layer, top), f.median(l, half)) << f.graph.layers[l].name;
    EXPECT_EQ(costs.layer_time_s(1, layer, middle), f.median(l, half)) << "a strip costs the same wherever it lies";
    EXPECT_TRUE(costs.measured(1, layer));
  }
}

TEST(CostModelProfile, LayersNoProfileCoversFallBackAndAreCounted) {
  Fixture f;
  // A profile of the first 10 layers only (the others removed from a copy of the file).
  nlohmann::json partial = f.profile;
  partial["layers"].erase(partial["layers"].begin() + 10, partial["layers"].end());
  const std::string path = ::testing::TempDir() + "partial-vgg16.json";
  std::ofstream(path) << partial.dump();
  const scenario::Cluster c = f.cluster({path}, 0);
  const timing::CostModel costs(f.graph, f.analysis, c);
  scenario::Workload w;
  strategy::PlanRequest r{f.graph, f.analysis, c, w, costs};
  const plan::Plan p = strategy::make_plan("local", r, Json::object());
  double measured = 0, analytical = 0;
  for (size_t l = 0; l < f.graph.size(); ++l) {
    if (l < 10) measured += f.median(l, f.analysis.shapes[l].h);
    else analytical += static_cast<double>(f.analysis.layers[l].flops) / 10e9;  // FLOPs / speed (docs/design.md §3)
  }
  EXPECT_NEAR(p.predicted.measured_compute_s, measured, 1e-12 * measured);
  EXPECT_NEAR(p.predicted.analytical_compute_s, analytical, 1e-12 * analytical);
  EXPECT_NEAR(p.predicted.latency_s, measured + analytical, 1e-12 * (measured + analytical));
  std::remove(path.c_str());
}

TEST(CostModelProfile, WithoutProfilesNothingIsReportedAsMeasured) {
  Fixture f;
  const scenario::Cluster c = f.cluster({});
  const timing::CostModel costs(f.graph, f.analysis, c);
  scenario::Workload w;
  strategy::PlanRequest r{f.graph, f.analysis, c, w, costs};
  const plan::Plan p = strategy::make_plan("dpfp", r, Json::object());
  EXPECT_EQ(p.predicted.measured_compute_s, 0.0);
  EXPECT_EQ(p.predicted.analytical_compute_s, 0.0);  // both written only when something was measured
  EXPECT_FALSE(costs.measured(0, 0));
}
