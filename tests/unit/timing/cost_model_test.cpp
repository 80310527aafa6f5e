// timing::CostModel: compute time = task overhead + the sum over a task's layers of the time of
// the output region it computes (docs/design.md §3), checked against hand arithmetic on a 2-layer toy
// model, and against the FLOPs every strategy records for its tasks on zoo models.
#include <gtest/gtest.h>

#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/sim/prediction.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/timing/cost_model.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/spatial.hpp"

namespace edgepart::timing {
namespace {

// conv 3x3, padding 1, 3 -> 4 channels on 8x8: 2 x 3*3*3 = 54 FLOPs per output element, 4
// channels: 216 FLOPs per output pixel (13,824 for the whole 8x8 map); relu: 1 FLOP per element,
// 4 per pixel (256 whole).
const char* kToy = R"({"format": "edgepart.model", "version": 1, "name": "toy", "source": "test",
  "input": [3, 8, 8],
  "layers": [
    {"name": "conv", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "relu", "op": "relu"}]})";

// Two 3x3 convolutions with padding 1 on 8x8: conv1 3 -> 4 channels, 216 FLOPs per output pixel;
// conv2 4 -> 4 channels, 2 x 4*3*3 = 72 per element, 288 per pixel.
const char* kTwoConv = R"({"format": "edgepart.model", "version": 1, "name": "two_conv", "source": "test",
  "input": [3, 8, 8],
  "layers": [
    {"name": "conv1", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "conv2", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1}]})";

// flatten [3,8,8] -> 192; linear 192 -> 10: 2 x 1920 = 3840 FLOPs; relu on 10: 10 FLOPs.
const char* kFc = R"({"format": "edgepart.model", "version": 1, "name": "fc", "source": "test",
  "input": [3, 8, 8],
  "layers": [
    {"name": "flat", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10},
    {"name": "relu", "op": "relu"}]})";

model::ModelGraph parse(const char* text) {
  std::vector<InputError> errors;
  model::ModelGraph g = model::model_from_json(Json::parse(text), "toy.json", errors);
  EXPECT_TRUE(errors.empty());
  return g;
}

// Two devices at 0.001 GFLOPS (1e6 FLOP/s); d0 runs conv2d at efficiency 0.5 and pays 2 ms per
// task, d1 has neither.
scenario::Cluster two_devices() {
  scenario::Cluster c;
  scenario::Device d0;
  d0.name = "d0";
  d0.speed_gflops = 0.001;
  d0.is_source = true;
  d0.task_overhead_s = 0.002;
  d0.efficiency["conv2d"] = 0.5;
  scenario::Device d1 = d0;
  d1.name = "d1";
  d1.is_source = false;
  d1.task_overhead_s = 0;
  d1.efficiency.clear();
  c.devices = {d0, d1};
  c.network.bandwidth_mbps = 8;
  return c;
}

plan::Span span(int64_t b, int64_t e) { return plan::Span{b, e}; }

TEST(CostModel, LayerRegionsByHand) {
  const model::ModelGraph g = parse(kToy);
  const cost::ModelAnalysis a = cost::analyze(g);
  const CostModel costs(g, a, two_devices());
  // conv rows 1..5, all 8 columns on d0: 5 * 8 * 216 = 8640 FLOPs / (1e6 * 0.5) = 0.01728 s.
  EXPECT_DOUBLE_EQ(costs.layer_time_s(0, 0, rf::Region{{1, 5}, {0, 7}}), 0.01728);
  // The same on d1 (efficiency 1): 0.00864 s. A region past the map is clipped: rows 6..9 -> 6..7.
  EXPECT_DOUBLE_EQ(costs.layer_time_s(1, 0, rf::Region{{1, 5}, {0, 7}}), 0.00864);
  EXPECT_DOUBLE_EQ(costs.layer_time_s(1, 0, rf::Region{{6, 9}, {0, 7}}), 2 * 8 * 216 / 1e6);
  // Whole relu: 256 FLOPs at 1e6 FLOP/s; overheads as given.
  EXPECT_DOUBLE_EQ(costs.whole_layer_time_s(0, 1), 256e-6);
  EXPECT_DOUBLE_EQ(costs.layer_share_time_s(0, 1, 0.25), 64e-6);
  EXPECT_DOUBLE_EQ(costs.task_overhead_s(0), 0.002);
  EXPECT_DOUBLE_EQ(costs.task_overhead_s(1), 0);
}

TEST(CostModel, FlopsOnlyTasks) {
  // A task tied to no region (CCIED's lookup): sum over op kinds of flops / (speed * efficiency):
  // conv2d 1e3 / (1e6 * 0.5) = 2 ms, cache_lookup 3e3 / 1e6 = 3 ms, plus the 2 ms overhead.
  const model::ModelGraph g;
  const cost::ModelAnalysis a;
  const CostModel costs(g, a, two_devices());
  EXPECT_DOUBLE_EQ(costs.flops_time_s(0, {{"conv2d", 1e3}, {"cache_lookup", 3e3}}), 0.007);
  plan::Variant v;
  plan::Task t;
  t.kind = plan::TaskKind::cache_lookup;
  t.device = 0;
  t.flops = {{"cache_lookup", 3e3}};
  v.tasks = {t};
  EXPECT_DOUBLE_EQ(costs.task_time_s(0, v, v.tasks[0]), 0.005);
  EXPECT_DOUBLE_EQ(costs.task_work_s(0, v, v.tasks[0]), 0.003);
}

TEST(CostModel, DpfpTaskIsOverheadPlusItsLayersRegions) {
  // DPFP with both devices, one block (conv1, conv2) split by rows: 8 output rows at equal speeds
  // -> conv2 rows 0..3 on d0 and 4..7 on d1; conv2 (3x3, padding 1) needs one row of halo of
  // conv1's output: conv1 rows 0..4 on d0, 3..7 on d1 (5 rows each).
  const model::ModelGraph g = parse(kTwoConv);
  const cost::ModelAnalysis a = cost::analyze(g);
  const scenario::Cluster c = two_devices();
  const CostModel costs(g, a, c);
  const scenario::Workload w;
  const strategy::PlanRequest r{g, a, c, w, costs};
  strategy::DpfpLayout layout;
  layout.participants = {0, 1};
  layout.ends = {1};
  layout.tail_device = 0;
  const plan::Plan p = strategy::dpfp_build(r, layout);
  const plan::Variant& v = p.variants.at(0);
  int checked = 0;
  for (const plan::Task& t : v.tasks) {
    if (t.kind != plan::TaskKind::compute) continue;
    const plan::DeviceRegion* dr = plan::task_region(v, t);
    ASSERT_NE(dr, nullptr) << t.name;
    if (t.device == 0) {
      EXPECT_EQ(dr->rows, (std::vector<plan::Span>{span(0, 4), span(0, 3)}));
      // 2 ms + conv1 5*8*216 = 8640 FLOPs + conv2 4*8*288 = 9216 FLOPs, at 1e6 * 0.5 FLOP/s.
      EXPECT_DOUBLE_EQ(costs.task_time_s(0, v, t), 0.002 + 0.01728 + 0.018432);
    } else {
      EXPECT_EQ(dr->rows, (std::vector<plan::Span>{span(3, 7), span(4, 7)}));
      // No overhead, efficiency 1: 8640 / 1e6 + 9216 / 1e6.
      EXPECT_DOUBLE_EQ(costs.task_time_s(1, v, t), 0.00864 + 0.009216);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(CostModel, ChannelsTaskIsItsShareOfTheWholeLayers) {
  // A "channels" stage over fc and relu: d1 computes output neurons 0..3 of 10 (rows are channels),
  // so 4/10 of each layer: 0.4 * (3840 + 10) / 1e6 s.
  const model::ModelGraph g = parse(kFc);
  const cost::ModelAnalysis a = cost::analyze(g);
  const CostModel costs(g, a, two_devices());
  plan::Variant v;
  plan::Stage st;
  st.first_layer = 1;
  st.last_layer = 2;
  st.split = "channels";
  plan::DeviceRegion dr;
  dr.device = 1;
  dr.rows = {span(0, 3), span(0, 3)};
  dr.cols = {span(0, 0), span(0, 0)};
  st.regions = {dr};
  v.stages = {st};
  plan::Task t;
  t.device = 1;
  t.stage = 0;
  t.region = 0;
  v.tasks = {t};
  EXPECT_DOUBLE_EQ(costs.task_time_s(1, v, v.tasks[0]), 0.4 * 3840e-6 + 0.4 * 10e-6);
  // Narrowed to the relu alone: 0.4 * 10 FLOPs.
  v.tasks[0].layers = span(2, 2);
  EXPECT_DOUBLE_EQ(costs.task_time_s(1, v, v.tasks[0]), 0.4 * 10e-6);
}

TEST(CostModel, ReuseShareTimesTheShareOfTheWholeLayersNotTheRegion) {
  // FTP's ideal reuse bound: a tile of 2x4 = 8 of the 64 output pixels costs 1/8 of the whole fused part
  // (13,824 + 256 FLOPs) / 1e6 on d1, not its halo region (which would count more rows).
  const model::ModelGraph g = parse(kToy);
  const cost::ModelAnalysis a = cost::analyze(g);
  const CostModel costs(g, a, two_devices());
  plan::Variant v;
  plan::Stage st;
  st.first_layer = 0;
  st.last_layer = 1;
  st.split = "tiles";
  plan::DeviceRegion dr;
  dr.tile = 0;
  dr.rows = {span(0, 2), span(0, 1)};
  dr.cols = {span(0, 4), span(0, 3)};
  st.regions = {dr};
  v.stages = {st};
  plan::Task t;
  t.dispatch = plan::Dispatch::pull;
  t.pool_devices = {0, 1};
  t.stage = 0;
  t.region = 0;
  v.tasks = {t};
  // Without reuse: conv 3*5*216 = 3240 FLOPs, relu 2*4*4 = 32 FLOPs.
  EXPECT_DOUBLE_EQ(costs.task_time_s(1, v, v.tasks[0]), 3240e-6 + 32e-6);
  v.tasks[0].reuse_share = 8.0 / 64.0;
  EXPECT_DOUBLE_EQ(costs.task_time_s(1, v, v.tasks[0]), 13824e-6 / 8 + 256e-6 / 8);
  // d0: conv at efficiency 0.5 plus the 2 ms overhead.
  EXPECT_DOUBLE_EQ(costs.task_time_s(0, v, v.tasks[0]), 0.002 + 13824e-6 / 0.5 / 8 + 256e-6 / 8);
}

// Every strategy's compute tasks on zoo models: the time of the regions they compute equals the
// time of the FLOPs they record (FTP without reuse, with DeepThings' and with the ideal one, MoDNN's channel shares, DPFP's halos,
// two-party single layers), with per-op efficiencies so that op kinds are told apart.
TEST(CostModel, RegionTimesMatchTheFlopsEveryStrategyRecords) {
  scenario::Cluster c;
  const double speeds[] = {5, 40, 30, 20};
  for (int i = 0; i < 4; ++i) {
    scenario::Device d;
    d.name = "d" + std::to_string(i);
    d.speed_gflops = speeds[i];
    d.is_source = i == 0;
    d.task_overhead_s = 0.001 * i;
    d.efficiency = {{"conv2d", 0.7}, {"linear", 0.4}, {"relu", 0.9}};
    c.devices.push_back(d);
  }
  c.network.bandwidth_mbps = 100;
  c.network.latency_s = 0.001;
  const scenario::Workload w;
  int checked = 0, reuse = 0, channels = 0;
  for (const char* name : {"alexnet", "vgg16", "resnet18", "yolov2_tiny", "squeezenet1_1"}) {
    const model::ModelGraph g = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + name + ".json");
    const cost::ModelAnalysis a = cost::analyze(g);
    const CostModel costs(g, a, c);
    const strategy::PlanRequest r{g, a, c, w, costs};
    std::vector<std::pair<std::string, Json>> runs;
    for (const auto& info : strategy::strategy_table()) runs.emplace_back(std::string(info.name), Json::object());
    runs.emplace_back("ftp", Json{{"reuse", true}});     // DeepThings' reuse: regions cut by neighbours
    runs.emplace_back("ftp", Json{{"reuse", "ideal"}});  // the ideal bound: shares of whole layers
    for (const auto& [strategy, options] : runs) {
      std::string why;
      if (!strategy::find_strategy(strategy).applicable(r, why)) continue;
      const plan::Plan p = strategy::make_plan(strategy, r, options);
      for (const plan::Variant& v : p.variants)
        for (const plan::Task& t : v.tasks) {
          if (t.kind == plan::TaskKind::transfer) continue;
          const std::vector<int> devices = t.dispatch == plan::Dispatch::pull ? t.pool_devices : std::vector<int>{t.device};
          for (int d : devices) {
            const double region_s = costs.task_time_s(d, v, t), flops_s = costs.flops_time_s(d, t.flops);
            EXPECT_NEAR(region_s, flops_s, 1e-9 * flops_s) << strategy << " on " << name << ": " << t.name;
            ++checked;
          }
          reuse += t.reuse_share > 0;
          channels += t.stage >= 0 && v.stages[static_cast<size_t>(t.stage)].split == "channels";
        }
    }
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(reuse, 0);
  EXPECT_GT(channels, 0);
}

}  // namespace
}  // namespace edgepart::timing
