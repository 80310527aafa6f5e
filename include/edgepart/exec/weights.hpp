#pragma once
// A layer's parameters for the reference executor: drawn from a seed, or taken from a model file's
// trained tensors. What each op has and how it holds them is in its spec (OpSpec::params, the
// random streams in ops/params.hpp); here those are applied to a graph.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/ops/params.hpp"

namespace edgepart::exec {

using ops::LayerParams;
using ops::UniformStream;
using ops::fold_batchnorm;  // BatchNorm folded into a scale and a shift (ops/params.hpp)

LayerParams make_params(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, model::LayerIndex layer,
                        uint64_t seed);

// The element counts of a layer's parameter tensors in its spec's role order (OpSpec::params):
// conv2d and linear {weight[, bias]}, batchnorm {gamma, beta, mean, var}; empty for layers
// without parameters.
std::vector<size_t> param_sizes(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                model::LayerIndex layer);

// Trained parameters (model::load_onnx_params) as the executor uses them; InputError naming
// `file` when a tensor is missing or its size differs from what the layer needs.
LayerParams params_from_tensors(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                model::LayerIndex layer, const model::LayerParamTensors& tensors,
                                const std::string& file);

// One LayerParams per layer of `graph` (empty for layers without parameters) from a model file's
// weights. Layers match by name when every one of ours is in the file, else in order: the k-th
// layer with parameters takes the file's k-th, which must have the same kind (a zoo JSON and an
// ONNX export of one network name their layers differently; a model_until prefix takes the
// file's first ones). Sizes are checked (params_from_tensors).
std::vector<LayerParams> trained_params(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                        const model::OnnxModelWithParams& source, const std::string& file);

// Why `params` cannot be layer `layer`'s (LayerParams as the executor holds them: conv2d and
// linear {weight, bias}, batchnorm {scale, bias}); empty when they fit.
std::string params_misfit(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, model::LayerIndex layer,
                          const LayerParams& params);

// The stream of a linear layer's weight matrix [out][in], row-major.
UniformStream linear_weight_stream(const model::Layer& layer, uint64_t seed);

}  // namespace edgepart::exec
