// Built when EDGEPART_WITH_ONNX is OFF: .onnx inputs get a clear error instead of a link failure.
#include "edgepart/model/load.hpp"
#include "edgepart/model/model_files.hpp"

namespace edgepart::model {

ModelGraph load_onnx_model(const std::string& path) {
  throw InputError(path, "", "this edgepart was built without ONNX support (configure with -DEDGEPART_WITH_ONNX=ON)");
}

OnnxModelWithParams load_onnx_params(const std::string& path) { return {load_onnx_model(path), {}}; }

std::vector<std::string> onnx_data_files(const std::string&) { return {}; }

}  // namespace edgepart::model
