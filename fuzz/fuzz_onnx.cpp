// libFuzzer harness: the ONNX importer. load_onnx_model reads from a path (it streams the file
// through a protobuf wire filter before parsing), so each input is written to a private temporary
// file first. Sound graphs go on to shape/cost analysis as `edgepart import` would.
#include <cstdint>
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgepart::fuzz::TempFile temp(".onnx");
  const std::string& path = temp.write(data, size);
  return edgepart::fuzz::run_guarded([&] {
    edgepart::model::ModelGraph graph = edgepart::model::load_onnx_model(path);
    (void)edgepart::cost::analyze(graph);
  });
}
