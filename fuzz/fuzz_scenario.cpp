// libFuzzer harness: scenarios, including `--set /json/pointer=value` overrides. Input layout:
// when the bytes contain a line "---", every line before it is one override string and the rest is
// the scenario document; otherwise the whole input is the document. fuzz/make_corpus.sh writes
// seeds of both kinds.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/timing/cost_model.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  std::string text = input;
  if (auto sep = input.find("\n---\n"); sep != std::string::npos) {
    std::istringstream lines(input.substr(0, sep));
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
    text = input.substr(sep + 5);
  }
  return edgepart::fuzz::run_guarded([&] {
    // A path inside a folder that does not exist: model and trace paths resolve to nothing, so a
    // fuzzed trace path cannot read the machine's files (except absolute paths; the trace harness
    // covers the CSV reader).
    const std::string file = "/nonexistent-edgepart-fuzz/scenario.json";
    edgepart::Json doc = edgepart::parse_json_text(text, file);
    for (const auto& o : overrides) edgepart::scenario::apply_override(doc, o, file);
    edgepart::scenario::Scenario s = edgepart::scenario::scenario_from_json(doc, file);
    edgepart::scenario::Cluster cluster = edgepart::scenario::make_cluster(s);
    // The cost model over no model: the device parameters alone (profiles would need a model).
    for (auto& d : cluster.devices) d.profiles.clear();
    const edgepart::model::ModelGraph no_model;
    const edgepart::cost::ModelAnalysis no_analysis;
    const edgepart::timing::CostModel costs(no_model, no_analysis, cluster);
    for (int i = 0; i < cluster.size(); ++i) {
      (void)costs.flops_time_s(i, {{"conv2d", 1e9}});
      for (int j = 0; j < cluster.size() && j < 8; ++j) (void)cluster.transfer_time_s(i, j, 1e6);
    }
  });
}
