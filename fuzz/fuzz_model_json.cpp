// libFuzzer harness: the JSON model format (docs/formats.md) as `edgepart inspect` reads it:
// parse, build the graph, then shape/cost analysis and receptive fields when it is sound.
#include <cstdint>
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/rf/receptive_field.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  return edgepart::fuzz::run_guarded([&] {
    const std::string file = "fuzz.json";
    edgepart::Json doc = edgepart::parse_json_text(text, file);
    std::vector<edgepart::InputError> errors;
    edgepart::model::ModelGraph graph = edgepart::model::model_from_json(doc, file, errors);
    if (!errors.empty()) return;
    edgepart::cost::ModelAnalysis analysis = edgepart::cost::analyze(graph);
    (void)edgepart::rf::receptive_fields(graph, analysis);
  });
}
