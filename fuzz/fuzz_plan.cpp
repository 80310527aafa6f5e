// libFuzzer harness: plan files (`edgepart simulate --plan`, `check`): parse, validate, then run the
// timing model (plan::simulate_once) of every variant on a small cluster with one device per plan
// device, as `simulate` would after matching the plan to a scenario.
#include <cstdint>
#include <string>

#include "edgepart/plan/plan.hpp"
#include "edgepart/plan/timing.hpp"
#include "edgepart/scenario/cluster.hpp"
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
    for (const auto& v : plan.variants) (void)edgepart::plan::simulate_once(v, cluster);
  });
}
