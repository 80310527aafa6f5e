#include "edgepart/model/load.hpp"
#include "edgepart/model/model_files.hpp"

#include <algorithm>

namespace edgepart::model {

bool is_onnx_path(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.size() >= 5 && lower.compare(lower.size() - 5, 5, ".onnx") == 0;
}

ModelGraph load_model(const std::string& path) {
  if (is_onnx_path(path)) return load_onnx_model(path);
  Json doc = read_json_file(path);
  std::vector<InputError> errors;
  ModelGraph graph = model_from_json(doc, path, errors);
  if (!errors.empty()) throw errors.front();
  return graph;
}

std::vector<InputError> check_model_file(const std::string& path) {
  if (is_onnx_path(path)) {
    try {
      load_onnx_model(path);
      return {};
    } catch (const InputError& e) {
      return {e};
    }
  }
  std::vector<InputError> errors;
  try {
    Json doc = read_json_file(path);
    model_from_json(doc, path, errors);
  } catch (const InputError& e) {
    errors.push_back(e);
  }
  return errors;
}

std::vector<std::string> model_files(const std::string& path) {
  std::vector<std::string> files = {path};
  if (is_onnx_path(path)) {
    std::vector<std::string> data = onnx_data_files(path);
    files.insert(files.end(), data.begin(), data.end());
  }
  return files;
}

}  // namespace edgepart::model
