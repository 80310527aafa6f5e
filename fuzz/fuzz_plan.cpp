// libFuzzer harness: plan files (`edgepart simulate --plan`, `check`): parse, validate, then time
// every variant with the scheduler (sim::run_once: the simulator's engine, one request) on a small
// cluster with one device per plan device, as `simulate` would after matching the plan to a
// scenario. No model comes with a fuzzed plan, so its tasks are timed from their FLOPs (regions
// cleared: the cost model's region path needs the plan's model, which simulate checks by hash).
#include <cstdint>
#include <string>

#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/sim/prediction.hpp"
#include "edgepart/timing/cost_model.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  return edgepart::fuzz::run_guarded([&] {
    const std::string file = "fuzz-plan.json";
    edgepart::plan::Plan plan = edgepart::plan::plan_from_json(edgepart::parse_json_text(text, file), file);
    edgepart::plan::validate_plan(plan, file);
    if (plan.devices.size() > 64) return;  // a small cluster keeps each run fast
    edgepart::scenario::Cluster cluster;
    for (size_t i = 0; i < plan.devices.size(); ++i) {
      edgepart::scenario::Device d;
      d.name = plan.devices[i];
      d.speed_gflops = 10.0 + static_cast<double>(i);
      d.is_source = static_cast<int>(i) == plan.source;
      cluster.devices.push_back(d);
    }
    cluster.source = plan.source;
    cluster.network.bandwidth_mbps = 100;
    for (auto& v : plan.variants)
      for (auto& t : v.tasks) {
        t.region = -1;
        t.layers = {};
        t.reuse_share = 0;
      }
    const edgepart::model::ModelGraph no_model;
    const edgepart::cost::ModelAnalysis no_analysis;
    const edgepart::timing::CostModel costs(no_model, no_analysis, cluster);
    for (size_t v = 0; v < plan.variants.size(); ++v) (void)edgepart::sim::run_once(plan, v, cluster, costs);
  });
}
