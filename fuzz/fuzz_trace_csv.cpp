// libFuzzer harness: the trace channel's CSV reader (src/scenario/scenario_json.cpp, load_trace),
// reached the way users reach it: a scenario whose network channel is {"kind": "trace", "file": ...}
// ("file") naming a file holding the fuzz input.
#include <cstdint>
#include <string>

#include "edgepart/scenario/scenario.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgepart::fuzz::TempFile temp(".csv");
  const std::string& path = temp.write(data, size);
  return edgepart::fuzz::run_guarded([&] {
    edgepart::Json doc = {
        {"format", "edgepart.scenario"},
        {"version", 1},
        {"model", "m.json"},
        {"devices", edgepart::Json::array({{{"name", "a"}, {"role", "source"}, {"speed_gflops", 1}},
                                           {{"name", "b"}, {"speed_gflops", 1}}})},
        {"network", {{"bandwidth_mbps", 10}, {"channel", {{"kind", "trace"}, {"file", path}}}}},
    };
    (void)edgepart::scenario::scenario_from_json(doc, "/tmp/scenario.json");
  });
}
