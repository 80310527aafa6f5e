// `edgepart inspect MODEL`: per-layer output shape, MACs, FLOPs, parameters, output bytes and
// receptive field, and the totals (stable JSON keys in docs/design.md §8).
#include "commands.hpp"
#include "common.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/pipeline/inspect.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/rf/receptive_field.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

namespace {

struct InspectOptions {
  std::string model;
  OutputOptions out;
};

std::string field_text(const std::optional<rf::ReceptiveField>& f) {
  if (!f) return "-";
  auto axis = [](int64_t h, int64_t w) { return h == w ? std::to_string(h) : std::to_string(h) + "x" + std::to_string(w); };
  return axis(f->h.size, f->w.size) + "/" + axis(f->h.stride, f->w.stride) + "/" + axis(f->h.padding, f->w.padding);
}

std::string inspect_table(const model::ModelGraph& g, const cost::ModelAnalysis& a,
                          const std::vector<std::optional<rf::ReceptiveField>>& fields) {
  using A = report::TextTable::Align;
  report::TextTable t({"#", "layer", "op", "output", "MACs", "params", "out bytes", "RF size/stride/pad"},
                      {A::right, A::left, A::left, A::left, A::right, A::right, A::right, A::left});
  for (size_t i = 0; i < g.size(); ++i)
    t.add_row({std::to_string(i), g.layers[i].name, std::string(model::op_name(g.layers[i].kind)),
               a.shapes[i].to_string(), report::si(static_cast<double>(a.layers[i].macs)),
               report::si(static_cast<double>(a.layers[i].params)),
               report::bytes_text(static_cast<double>(a.layers[i].output_bytes)), field_text(fields[i])});
  char totals[256];
  std::snprintf(totals, sizeof totals, "%s: input %s, %zu layers, %.2f GMACs, %.2f GFLOPs, %s parameters\n",
                g.name.c_str(), g.input.to_string().c_str(), g.size(), static_cast<double>(a.total_macs) / 1e9,
                static_cast<double>(a.total_flops) / 1e9, with_thousands(a.total_params).c_str());
  return t.render() + totals;
}

std::string inspect_csv(const model::ModelGraph& g, const cost::ModelAnalysis& a,
                        const std::vector<std::optional<rf::ReceptiveField>>& fields) {
  std::string out = report::csv_row({"index", "name", "op", "output_shape", "macs", "flops", "params", "output_bytes",
                                     "rf_size_h", "rf_size_w", "rf_stride_h", "rf_stride_w", "rf_padding_h",
                                     "rf_padding_w"});
  for (size_t i = 0; i < g.size(); ++i) {
    std::vector<std::string> row = {std::to_string(i), g.layers[i].name, std::string(model::op_name(g.layers[i].kind)),
                                    a.shapes[i].to_string(), std::to_string(a.layers[i].macs),
                                    std::to_string(a.layers[i].flops), std::to_string(a.layers[i].params),
                                    std::to_string(a.layers[i].output_bytes)};
    if (const auto& f = fields[i]) {
      for (int64_t v : {f->h.size, f->w.size, f->h.stride, f->w.stride, f->h.padding, f->w.padding})
        row.push_back(std::to_string(v));
    } else {
      row.insert(row.end(), 6, "");
    }
    out += report::csv_row(row);
  }
  return out;
}

int run_inspect(const InspectOptions& o) {
  std::string path = resolve_model_path(o.model);
  model::ModelGraph g = model::load_model(path);
  cost::ModelAnalysis a = cost::analyze(g);
  auto fields = rf::receptive_fields(g, a);
  switch (resolve_format(o.out)) {
    case Format::table: emit(o.out, inspect_table(g, a, fields), model::model_files(path)); break;
    case Format::csv: emit(o.out, inspect_csv(g, a, fields), model::model_files(path)); break;
    case Format::json: emit(o.out, pipeline::inspect_json(g, a).dump(2) + "\n", model::model_files(path)); break;
  }
  return 0;
}

}  // namespace

Command add_inspect_command(CLI::App& root) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = root.add_subcommand("inspect", "Per-layer shapes, MACs, parameters, output bytes and receptive fields");
  cmd->footer(
      "Examples:\n"
      "  edgepart inspect models/vgg16.json\n"
      "  edgepart inspect resnet50 --format json | jq .totals\n"
      "  edgepart inspect models/yolov2.json --format csv -o yolov2.csv");
  cmd->add_option("model", o->model, "Model file (.json or .onnx) or zoo name")->required();
  add_output_options(cmd, o->out);
  return {cmd, [o] { return run_inspect(*o); }};
}

}  // namespace edgepart::cli
