// `edgepart import MODEL.onnx [-o FILE]`: converts an ONNX model to the JSON model format
// (docs/formats.md), one layer per line. The output is checked by loading it back before it is
// written, so a file `import` writes is always one every command accepts.
#include <filesystem>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/model/zoo.hpp"
#include "edgepart/util/output_file.hpp"

namespace edgepart::cli {

namespace {

struct ImportOptions {
  std::string model;
  std::string output = "-";
};

int run_import(const ImportOptions& o) {
  std::string path = resolve_model_path(o.model);
  // A zoo name resolves to its JSON first; import wants the ONNX export next to it.
  if (!model::is_onnx_path(path) && path != o.model)
    if (std::string onnx = model::find_zoo_model(o.model, ".onnx"); !onnx.empty()) path = onnx;
  if (!model::is_onnx_path(path))
    throw InputError(path, "", "import reads ONNX models (.onnx); JSON models need no import");
  model::ModelGraph g = model::load_onnx_model(path);
  cost::analyze(g);  // impossible shapes are the input's fault: report them now, not at first use
  std::string text = model::model_to_json_text(g);
  // Round trip: what we write must read back as the same graph (a bug of ours otherwise).
  std::vector<InputError> errors;
  model::ModelGraph back = model::model_from_json(parse_json_text(text, o.output), o.output, errors);
  EDGEPART_ASSERT(errors.empty(), errors.empty() ? "" : errors.front().what());
  EDGEPART_ASSERT(back.layers.size() == g.layers.size() && back.content_hash() == g.content_hash(),
                  "the imported JSON does not read back as the same graph");
  write_output(o.output, text, model::model_files(path));
  return 0;
}

}  // namespace

Command add_import_command(CLI::App& root) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = root.add_subcommand("import", "Convert an ONNX model to the JSON model format");
  cmd->footer(
      "Weights are never needed: initializers stored as external data may have no data file.\n"
      "Examples:\n"
      "  edgepart import models/resnet18.onnx -o resnet18.json\n"
      "  edgepart import resnet18            (the zoo's ONNX export; every command also reads .onnx directly)");
  cmd->add_option("model", o->model, "ONNX model file (.onnx) or zoo name")->required();
  cmd->add_option("-o,--output", o->output, "Write the JSON to FILE (atomically; never over the input; '-' = stdout)");
  return {cmd, [o] { return run_import(*o); }};
}

}  // namespace edgepart::cli
