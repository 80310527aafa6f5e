#include "edgepart/pipeline/region.hpp"

#include "edgepart/pipeline/layer_args.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::pipeline {

namespace {

Json region_json(const rf::Region& r) {
  if (r.empty()) return nullptr;
  return Json{{"rows", Json::array({r.rows.begin, r.rows.end})}, {"cols", Json::array({r.cols.begin, r.cols.end})}};
}

// The requested rows or columns of a map `size` long (the whole axis when not given).
rf::Interval axis_arg(const std::string& option, const std::string& text, int64_t size, const std::string& what) {
  if (text.empty()) return rf::Interval::whole(size);
  auto [a, b] = parse_int_range(option, text);
  if (a < 0 || b >= size)
    throw InputError("", option, what + " must lie in 0:" + std::to_string(size - 1) + " (got '" + text + "')");
  return rf::Interval{a, b};
}

}  // namespace

std::string tensor_name(const model::ModelGraph& g, model::LayerIndex p) {
  return p == model::kModelInput ? std::string("input") : g.layer(p).name;
}

RegionAnswer region_query(const model::ModelGraph& g, const cost::ModelAnalysis& a, const RegionQuery& q) {
  RegionAnswer r;
  r.to = find_layer_arg(g, "--to", q.to);
  r.from_given = !q.from.empty();
  r.from = r.from_given ? find_layer_arg(g, "--from", q.from) : 0;
  if (r.from > r.to)
    throw InputError(g.file, "--from", "layer '" + g.layer(r.from).name + "' comes after --to '" + g.layer(r.to).name + "'");
  const model::Shape& out_shape = a.shapes[static_cast<size_t>(r.to)];
  r.requested = rf::Region{axis_arg("--rows", q.rows, out_shape.h, "rows of " + g.describe(r.to)),
                           axis_arg("--cols", q.cols, out_shape.w, "columns of " + g.describe(r.to))};
  r.block = rf::propagate_block(g, a, r.from, r.to, r.requested);
  if (r.block.output(r.from).empty())
    throw InputError(g.file, "--from",
                     "layer '" + g.layer(r.from).name + "' does not lie on a path to '" + g.layer(r.to).name + "'");
  // The region at the input of --from: the model input by default, else --from's (first) input.
  if (!r.from_given) {
    r.input = r.block.input_of(model::kModelInput);
    r.input_name = "input";
  } else {
    r.input = r.block.input(r.from).front();
    r.input_name = tensor_name(g, g.layer(r.from).inputs.front());
  }
  return r;
}

Json region_json(const model::ModelGraph& g, const RegionAnswer& r) {
  const rf::BlockRegions& br = r.block;
  Json layers = Json::array();
  for (model::LayerIndex l = r.from; l <= r.to; ++l) {
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
                          {"macs", br.macs[static_cast<size_t>(l - r.from)]},
                          {"flops", br.flops[static_cast<size_t>(l - r.from)]}});
  }
  Json block_inputs = Json::array();
  for (const auto& bi : br.block_inputs) {
    Json j = region_json(bi.region);
    j["name"] = tensor_name(g, bi.producer);
    block_inputs.push_back(std::move(j));
  }
  return Json{{"model", g.name},
              {"from", g.layer(r.from).name},
              {"to", g.layer(r.to).name},
              {"requested", region_json(r.requested)},
              {"input_tensor", r.input_name},
              {"input", region_json(r.input)},
              {"block_inputs", block_inputs},
              {"layers", layers},
              {"macs", br.total_macs},
              {"flops", br.total_flops}};
}

}  // namespace edgepart::pipeline
