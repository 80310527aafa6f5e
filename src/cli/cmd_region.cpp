// `edgepart region MODEL --to LAYER --rows A:B [--cols C:D] [--from LAYER]`: the region of every
// layer from --from to --to needed to compute rows A..B (columns C..D) of --to's output, and the
// region of the input (docs/design.md §4; stable JSON keys in docs/design.md §8).
#include "commands.hpp"
#include "common.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/util/error.hpp"
#include "layer_args.hpp"

namespace edgepart::cli {

namespace {

struct RegionOptions {
  std::string model, to, from, rows, cols;
  OutputOptions out;
};

Json region_json(const rf::Region& r) {
  if (r.empty()) return nullptr;
  return Json{{"rows", Json::array({r.rows.begin, r.rows.end})}, {"cols", Json::array({r.cols.begin, r.cols.end})}};
}

std::string tensor_name(const model::ModelGraph& g, model::LayerIndex p) {
  return p == model::kModelInput ? std::string("input") : g.layer(p).name;
}

// The requested rows or columns of a map `size` long (the whole axis when not given).
rf::Interval axis_arg(const std::string& option, const std::string& text, int64_t size, const std::string& what) {
  if (text.empty()) return rf::Interval::whole(size);
  auto [a, b] = parse_int_range(option, text);
  if (a < 0 || b >= size)
    throw InputError("", option, what + " must lie in 0:" + std::to_string(size - 1) + " (got '" + text + "')");
  return rf::Interval{a, b};
}

int run_region(const RegionOptions& o) {
  std::string path = resolve_model_path(o.model);
  model::ModelGraph g = model::load_model(path);
  cost::ModelAnalysis a = cost::analyze(g);
  model::LayerIndex to = find_layer_arg(g, "--to", o.to);
  model::LayerIndex from = o.from.empty() ? 0 : find_layer_arg(g, "--from", o.from);
  if (from > to)
    throw InputError(path, "--from", "layer '" + g.layer(from).name + "' comes after --to '" + g.layer(to).name + "'");
  const model::Shape& out_shape = a.shapes[static_cast<size_t>(to)];
  rf::Region want{axis_arg("--rows", o.rows, out_shape.h, "rows of " + g.describe(to)),
                  axis_arg("--cols", o.cols, out_shape.w, "columns of " + g.describe(to))};
  rf::BlockRegions br = rf::propagate_block(g, a, from, to, want);
  if (br.output(from).empty())
    throw InputError(path, "--from", "layer '" + g.layer(from).name + "' does not lie on a path to '" + g.layer(to).name + "'");
  // The region at the input of --from: the model input by default, else --from's (first) input.
  rf::Region input_region;
  std::string input_name;
  if (o.from.empty()) {
    input_region = br.input_of(model::kModelInput);
    input_name = "input";
  } else {
    input_region = br.input(from).front();
    input_name = tensor_name(g, g.layer(from).inputs.front());
  }

  Json layers = Json::array();
  using A = report::TextTable::Align;
  report::TextTable t({"#", "layer", "op", "input rows", "input cols", "output rows", "output cols"},
                      {A::right, A::left, A::left, A::right, A::right, A::right, A::right});
  for (model::LayerIndex l = from; l <= to; ++l) {
    const rf::Region& out = br.output(l);
    if (out.empty()) continue;  // not on a path to --to
    const model::Layer& layer = g.layer(l);
    const std::vector<rf::Region>& ins = br.input(l);
    Json inputs = Json::array();
    for (size_t k = 0; k < ins.size(); ++k) {
      Json j = region_json(ins[k]);
      if (j.is_null()) j = Json::object();
      j["name"] = tensor_name(g, layer.inputs[k]);
      inputs.push_back(std::move(j));
    }
    layers.push_back(Json{{"name", layer.name},
                          {"op", std::string(model::op_name(layer.kind))},
                          {"input", region_json(ins.front())},
                          {"inputs", inputs},
                          {"output", region_json(out)},
                          {"macs", br.macs[static_cast<size_t>(l - from)]},
                          {"flops", br.flops[static_cast<size_t>(l - from)]}});
    t.add_row({std::to_string(l), layer.name, std::string(model::op_name(layer.kind)), ins.front().rows.to_string(),
               ins.front().cols.to_string(), out.rows.to_string(), out.cols.to_string()});
  }
  Json block_inputs = Json::array();
  for (const auto& bi : br.block_inputs) {
    Json j = region_json(bi.region);
    j["name"] = tensor_name(g, bi.producer);
    block_inputs.push_back(std::move(j));
  }

  switch (resolve_format(o.out)) {
    case Format::json: {
      Json doc{{"model", g.name},
               {"from", g.layer(from).name},
               {"to", g.layer(to).name},
               {"requested", region_json(want)},
               {"input_tensor", input_name},
               {"input", region_json(input_region)},
               {"block_inputs", block_inputs},
               {"layers", layers},
               {"macs", br.total_macs},
               {"flops", br.total_flops}};
      emit(o.out, doc.dump(2) + "\n", model::model_files(path));
      break;
    }
    default: {
      std::string text = "to compute " + want.to_string() + " of '" + g.layer(to).name + "' from '" +
                         g.layer(from).name + "': " + input_region.to_string() + " of '" + input_name + "'\n";
      for (const auto& bi : br.block_inputs)
        if (!(bi.producer == (o.from.empty() ? model::kModelInput : g.layer(from).inputs.front())))
          text += "  also " + bi.region.to_string() + " of '" + tensor_name(g, bi.producer) + "'\n";
      text += t.render();
      text += "MACs of these regions: " + report::si(static_cast<double>(br.total_macs)) + "\n";
      emit(o.out, text, model::model_files(path));
    }
  }
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
