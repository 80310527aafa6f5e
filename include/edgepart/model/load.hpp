#pragma once
// Loading models: the JSON format (docs/formats.md) and ONNX, chosen by the file extension.
#include <map>
#include <string>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::model {

// Loads a model file (.onnx by extension, else JSON) and checks its structure. Throws the first
// InputError found. Shapes are not inferred here (cost::analyze does that).
ModelGraph load_model(const std::string& path);

// Every structural error of a model file (syntax, keys, types, names, arity, cycles), for
// `edgepart validate`. An empty result means the structure is sound.
std::vector<InputError> check_model_file(const std::string& path);

bool is_onnx_path(const std::string& path);

// The JSON format. `errors` collects every problem; the returned graph is only usable when it
// stays empty.
ModelGraph model_from_json(const Json& doc, const std::string& file, std::vector<InputError>& errors);
// The JSON document of a graph, every attribute written out (used by `import`).
Json model_to_json(const ModelGraph& graph);
// model_to_json as text: the header, then one layer per line (diff-friendly), trailing newline.
std::string model_to_json_text(const ModelGraph& graph);

// A layer whose inputs are still names; assemble_graph resolves them.
struct PendingLayer {
  Layer layer;                       // inputs left empty
  std::vector<std::string> input_names;  // "input" is the model input
};

// Resolves input names, orders the layers topologically (keeping file order where free), and
// reports duplicate names, unknown inputs, wrong arity and cycles into `errors`.
std::vector<Layer> assemble_layers(std::vector<PendingLayer> pending, const std::string& file,
                                   std::vector<InputError>& errors);

// Structural checks on a built graph: unique names, inputs refer to earlier layers, arity,
// attribute ranges. Appends to `errors`.
void validate_structure(const ModelGraph& graph, std::vector<InputError>& errors);

#ifdef EDGEPART_HAVE_ONNX
inline constexpr bool kHaveOnnx = true;
#else
inline constexpr bool kHaveOnnx = false;
#endif

// ONNX (src/model/load_onnx.cpp); without ONNX support it throws "built without ONNX support".
ModelGraph load_onnx_model(const std::string& path);

// Trained parameters of one layer by role, in edgepart's layouts:
//  conv2d    "weight" [C_out][C_in/groups][k_h][k_w], "bias" [C_out]
//  linear    "weight" [out][in], "bias" [out] (Gemm's alpha and beta applied, MatMul transposed)
//  batchnorm "gamma", "beta", "mean", "var" [C] (epsilon is the layer's attribute)
using LayerParamTensors = std::map<std::string, std::vector<float>>;

struct OnnxModelWithParams {
  ModelGraph graph;
  std::map<std::string, LayerParamTensors> params;  // by layer name; layers without parameters absent
};

// An ONNX model with the values of its initializers (inline or external data in the model's
// folder), for running it with its real weights. Throws InputError when a weight cannot be read.
OnnxModelWithParams load_onnx_params(const std::string& path);

}  // namespace edgepart::model
