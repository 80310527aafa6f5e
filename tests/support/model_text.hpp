#pragma once
// Test helpers: a model from JSON text, as the loader sees a file (header-only, shared by the
// model, cost and rf test binaries).
#include <string>
#include <vector>

#include "edgepart/model/load.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::testing {

// Every error model_from_json reports for `text` (a syntax error is the only one when the text is
// not JSON).
inline std::vector<InputError> model_errors(const std::string& text, const std::string& file = "t.json") {
  std::vector<InputError> errors;
  try {
    Json doc = parse_json_text(text, file);
    model::model_from_json(doc, file, errors);
  } catch (const InputError& e) {
    errors.push_back(e);
  }
  return errors;
}

// The graph of a structurally valid model; throws the first error otherwise.
inline model::ModelGraph model_from_text(const std::string& text, const std::string& file = "t.json") {
  Json doc = parse_json_text(text, file);
  std::vector<InputError> errors;
  model::ModelGraph g = model::model_from_json(doc, file, errors);
  if (!errors.empty()) throw errors.front();
  return g;
}

// A model document around a list of layers: `input` is "[C,H,W]" text, `layers` the JSON array body.
inline std::string model_json(const std::string& input, const std::string& layers) {
  return R"({"format": "edgepart.model", "version": 1, "name": "t", "input": )" + input +
         R"(, "layers": [)" + layers + "]}";
}

}  // namespace edgepart::testing
