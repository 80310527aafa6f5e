// A graph's parameters, drawn or trained, through each op's spec (OpSpec::params, src/ops/).
#include "edgepart/exec/weights.hpp"

#include <algorithm>

#include "edgepart/util/error.hpp"

namespace edgepart::exec {

using namespace model;

namespace {

const ops::OpParams* params_of(const Layer& l) { return ops::op_spec(l.kind).params; }

}  // namespace

UniformStream linear_weight_stream(const Layer& layer, uint64_t seed) { return ops::linear_weight_stream(layer.name, seed); }

LayerParams make_params(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i, uint64_t seed) {
  const Layer& l = graph.layer(i);
  const ops::OpParams* p = params_of(l);
  return p ? p->draw(l.ref(graph.file), analysis.inputs_of(l), seed) : LayerParams{};
}

std::vector<size_t> param_sizes(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i) {
  const Layer& l = graph.layer(i);
  const ops::OpParams* p = params_of(l);
  return p ? p->tensor_sizes(l.ref(graph.file), analysis.inputs_of(l)) : std::vector<size_t>{};
}

std::string params_misfit(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i,
                          const LayerParams& p) {
  const Layer& l = graph.layer(i);
  const ops::OpParams* spec = params_of(l);
  const ops::ParamCounts want = spec ? spec->held(l.ref(graph.file), analysis.inputs_of(l)) : ops::ParamCounts{};
  const ops::ParamCounts got{p.weight.size(), p.bias.size(), p.scale.size()};
  if (got == want) return "";
  auto text = [](const ops::ParamCounts& c) {
    return std::to_string(c.weight) + " weights, " + std::to_string(c.bias) + " biases, " + std::to_string(c.scale) + " scales";
  };
  return graph.describe(i) + " takes " + text(want) + " (got " + text(got) + ")";
}

LayerParams params_from_tensors(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i,
                                const LayerParamTensors& tensors, const std::string& file) {
  const Layer& l = graph.layer(i);
  const ops::OpParams* spec = params_of(l);
  if (!spec) return LayerParams{};
  const std::vector<size_t> sizes = param_sizes(graph, analysis, i);
  std::vector<std::vector<float>> taken;
  for (size_t k = 0; k < sizes.size(); ++k) {
    const std::string role(spec->roles[k]);
    auto it = tensors.find(role);
    if (it == tensors.end()) throw InputError(file, "", graph.describe(i) + " has no " + role);
    if (it->second.size() != sizes[k])
      throw InputError(file, "", "the " + role + " of layer '" + l.name + "' has " + std::to_string(it->second.size()) +
                                     " values, but the model's " + std::string(op_name(l.kind)) + " needs " +
                                     std::to_string(sizes[k]));
    taken.push_back(it->second);
  }
  return spec->from_tensors(l.ref(graph.file), taken);
}

namespace {

std::vector<LayerIndex> layers_with_params(const ModelGraph& graph) {
  std::vector<LayerIndex> out;
  for (size_t i = 0; i < graph.size(); ++i)
    if (params_of(graph.layers[i])) out.push_back(static_cast<LayerIndex>(i));
  return out;
}

}  // namespace

std::vector<LayerParams> trained_params(const ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                        const model::OnnxModelWithParams& source, const std::string& file) {
  const std::vector<LayerIndex> ours = layers_with_params(graph);
  const std::vector<LayerIndex> theirs = layers_with_params(source.graph);
  bool by_name = std::all_of(ours.begin(), ours.end(), [&](LayerIndex i) { return source.params.count(graph.layer(i).name); });
  if (!by_name && ours.size() > theirs.size())
    throw InputError(file, "", "holds weights for " + std::to_string(theirs.size()) + " layers, but the model has " +
                                   std::to_string(ours.size()) + " layers with weights (is it an export of the same network?)");
  std::vector<LayerParams> out(graph.size());
  for (size_t k = 0; k < ours.size(); ++k) {
    const Layer& layer = graph.layer(ours[k]);
    // Names differ between a zoo JSON ("features.0") and an export ("/features/features.0/Conv"):
    // then the k-th layer with weights takes the file's k-th, which must be of the same kind.
    const std::string& name = by_name ? layer.name : source.graph.layer(theirs[k]).name;
    if (!by_name && source.graph.layer(theirs[k]).kind != layer.kind)
      throw InputError(file, "", "layer '" + name + "' (" + std::string(op_name(source.graph.layer(theirs[k]).kind)) +
                                     ") is where the model has '" + layer.name + "' (" + std::string(op_name(layer.kind)) +
                                     "): not an export of the same network");
    auto it = source.params.find(name);
    if (it == source.params.end()) throw InputError(file, "", "layer '" + name + "' has no weights in the file");
    out[static_cast<size_t>(ours[k])] = params_from_tensors(graph, analysis, ours[k], it->second, file);
  }
  return out;
}

}  // namespace edgepart::exec
