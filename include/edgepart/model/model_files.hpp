#pragma once
// The files a model is read from: the model file, and for ONNX the external-data files its
// initializers name (relative to the model's folder). All are inputs: no output may be written
// over one (`import m.onnx -o m.bin` would destroy the weights the model reads).
#include <string>
#include <vector>

namespace edgepart::model {

// `path` itself, then the external-data files of an ONNX model (each once, in name order).
// InputError when the model file cannot be read.
std::vector<std::string> model_files(const std::string& path);

// The external-data files of an ONNX model (load_onnx.cpp; empty without ONNX support).
std::vector<std::string> onnx_data_files(const std::string& path);

}  // namespace edgepart::model
