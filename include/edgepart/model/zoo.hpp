#pragma once
// The model zoo: a bare name ("vgg16", no folder, no extension) names models/vgg16.json (or .onnx)
// wherever a model is expected: on the command line and as a scenario's "model". One lookup
// rule for both, so that a scenario says what the CLI says.
#include <string>
#include <vector>

namespace edgepart::model {

// The folders searched, in order: $EDGEPART_HOME/models, ./models, the source tree's models/.
std::vector<std::string> zoo_dirs();

// True when `text` can only be a zoo name: no '/' and no extension.
bool is_bare_model_name(const std::string& text);

// The file of zoo model `name` with extension `ext` (".json" or ".onnx") in the first folder that
// has it; "" when there is none.
std::string find_zoo_model(const std::string& name, const std::string& ext);

// `name` as a zoo model: its JSON, else its ONNX; "" when the zoo has neither.
std::string find_zoo_model(const std::string& name);

// The end of a "not found" message for a bare name: the closest zoo name, if any, and where the
// names are listed ("; did you mean 'vgg16'? (edgepart list models shows the zoo)").
std::string zoo_hint(const std::string& name);

}  // namespace edgepart::model
