// `edgepart region MODEL --to LAYER --rows A:B [--cols C:D] [--from LAYER]`: the region of every
// layer from --from to --to needed to compute rows A..B (columns C..D) of --to's output, and the
// region of the input (docs/design.md §4; stable JSON keys in docs/design.md §8), as
// pipeline/region.hpp answers it.
#include "commands.hpp"
#include "common.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/pipeline/region.hpp"
#include "edgepart/rf/block.hpp"

namespace edgepart::cli {

namespace {

struct RegionOptions {
  std::string model, to, from, rows, cols;
  OutputOptions out;
};

int run_region(const RegionOptions& o) {
  std::string path = resolve_model_path(o.model);
  model::ModelGraph g = model::load_model(path);
  cost::ModelAnalysis a = cost::analyze(g);
  const pipeline::RegionAnswer r = pipeline::region_query(g, a, {o.to, o.rows, o.cols, o.from});
  if (resolve_format(o.out) == Format::json) {
    emit(o.out, pipeline::region_json(g, r).dump(2) + "\n", model::model_files(path));
    return 0;
  }
  using A = report::TextTable::Align;
  report::TextTable t({"#", "layer", "op", "input rows", "input cols", "output rows", "output cols"},
                      {A::right, A::left, A::left, A::right, A::right, A::right, A::right});
  for (model::LayerIndex l = r.from; l <= r.to; ++l) {
    const rf::Region& out = r.block.output(l);
    if (out.empty()) continue;  // not on a path to --to
    const rf::Region& in = r.block.input(l).front();
    t.add_row({std::to_string(l), g.layer(l).name, std::string(model::op_name(g.layer(l).kind)), in.rows.to_string(),
               in.cols.to_string(), out.rows.to_string(), out.cols.to_string()});
  }
  std::string text = "to compute " + r.requested.to_string() + " of '" + g.layer(r.to).name + "' from '" +
                     g.layer(r.from).name + "': " + r.input.to_string() + " of '" + r.input_name + "'\n";
  const model::LayerIndex main_input = r.from_given ? g.layer(r.from).inputs.front() : model::kModelInput;
  for (const auto& bi : r.block.block_inputs)
    if (bi.producer != main_input)
      text += "  also " + bi.region.to_string() + " of '" + pipeline::tensor_name(g, bi.producer) + "'\n";
  text += t.render();
  text += "MACs of these regions: " + report::si(static_cast<double>(r.block.total_macs)) + "\n";
  emit(o.out, text, model::model_files(path));
  return 0;
}

}  // namespace

Command add_region_command(CLI::App& root) {
  auto o = std::make_shared<RegionOptions>();
  CLI::App* cmd = root.add_subcommand("region", "The input region (and every layer's region) needed for part of a layer's output");
  cmd->footer(
      "Regions are inclusive and 0-based, clipped to each map (rows outside are padding).\n"
      "Examples:\n"
      "  edgepart region vgg16 --to features.30 --rows 0:1\n"
      "  edgepart region yolov2 --to leaky15 --rows 19:37 --cols 0:18 --format json\n"
      "  edgepart region resnet18 --from layer1.0.conv1 --to add --rows 0:7");
  cmd->add_option("model", o->model, "Model file (.json or .onnx) or zoo name")->required();
  cmd->add_option("--to", o->to, "The layer whose output region is wanted (name or index)")->required();
  cmd->add_option("--rows", o->rows, "Rows A:B of --to's output (inclusive, 0-based)")->required();
  cmd->add_option("--cols", o->cols, "Columns C:D of --to's output (default: all)");
  cmd->add_option("--from", o->from, "First layer of the block (default: the first layer; the region is at its input)");
  add_output_options(cmd, o->out, {"table", "json"});
  return {cmd, [o] { return run_region(*o); }};
}

}  // namespace edgepart::cli
