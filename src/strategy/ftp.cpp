// `ftp` (DeepThings: Zhao, Barijough, Gerstlauer, IEEE TCAD 2018; docs/design.md §5): Fused Tile
// Partitioning. The first L units (a convolution with its activation and pooling, layer_units())
// are fused; their output is split into an N x M grid, each tile computed from its exact input
// region (overlapping halos recomputed, which is why FTP's MACs exceed the model's); idle devices
// pull tiles (work stealing); the gateway gathers the tile outputs and runs the rest.
// Options: fused_layers (L units; default: the best L, found by planning every L), grid ([N, M],
// default [3, 3], the grid of DeepThings' evaluation), gateway ("source" by default: the device
// that holds the input and receives the result), reuse (WST-S data reuse: true accounts it as
// DeepThings' preform_ftp_reuse does, strategy/ftp_reuse.hpp; "ideal", the bound of every pixel of
// the fused layers computed once, the halo input still sent).
#include <limits>

#include "edgepart/util/error.hpp"
#include "edgepart/util/limits.hpp"
#include "strategy/ftp_reuse.hpp"
#include "strategy/spatial.hpp"
#include "strategy/tiles.hpp"

namespace edgepart::strategy {

bool spatial_applicable(const PlanRequest& r, std::string& why) {
  if (r.cluster.size() < 2) {
    why = "needs at least two devices";
    return false;
  }
  if (spatial_end(r) < 0) {
    why = "the model's first layer already needs the whole input (no spatial part to split)";
    return false;
  }
  return true;
}

plan::Plan make_ftp_plan(const PlanRequest& r, const JsonCursor& options) {
  options.no_unknown_keys({"fused_layers", "grid", "grid_convention", "gateway", "inputs", "result", "reuse"});
  std::vector<LayerIndex> ends = fusable_ends(r);
  if (ends.empty()) options.fail("ftp: the model has no spatial part to tile (its first layer needs the whole input)");
  TileSpec spec;
  spec.strategy = "ftp";
  auto [n, m] = grid_option(options, {3, 3});
  spec.grid_rows = n;
  spec.grid_cols = m;
  spec.gateway = device_option(r, options, "gateway", "source");
  // "reuse": false; true, DeepThings' own accounting (strategy/ftp_reuse.hpp); "ideal", the bound
  // of every fused pixel computed once.
  Json reuse_option = false;
  if (auto v = options.find("reuse")) {
    if (v->value().is_string()) {
      v->as_choice({"ideal"});
      spec.reuse = TileSpec::Reuse::ideal;
      reuse_option = "ideal";
    } else if (v->as_bool()) {
      spec.reuse = TileSpec::Reuse::deepthings;
      reuse_option = true;
    }
  }
  // "balanced": part sizes differ by at most one; "deepthings": DeepThings' grid() in src/ftp.c,
  // every part ceil(size / parts) long and the remainder in the last (38 rows over 5: 8,8,8,8,6).
  std::string convention = "balanced";
  if (auto gc = options.find("grid_convention")) convention = gc->as_choice({"balanced", "deepthings"});
  spec.convention = convention == "deepthings" ? rf::TileConvention::deepthings : rf::TileConvention::balanced;
  // DeepThings' data flow (docs/strategies.md): "inputs": "gateway" uploads the frame to the gateway,
  // which serves the tiles and takes none; "result": "gateway" ends the request on the gateway.
  std::string inputs = "source", result = "source";
  if (auto v = options.find("inputs")) inputs = v->as_choice({"source", "gateway"});
  if (auto v = options.find("result")) result = v->as_choice({"source", "gateway"});
  spec.inputs_via_gateway = inputs == "gateway";
  spec.result_to_source = result == "source";
  for (int d = 0; d < r.cluster.size(); ++d) spec.pool.push_back(d);
  if (spec.inputs_via_gateway && r.cluster.size() < 2) options.fail("ftp: inputs from the gateway need a device besides it to take tiles");
  std::vector<size_t> candidates;
  if (auto fl = options.find("fused_layers")) {
    candidates.push_back(static_cast<size_t>(fl->as_int_in(1, static_cast<int64_t>(ends.size())) - 1));
  } else {
    // Each candidate propagates the tiles back through all its fused layers, so trying every count
    // is quadratic in them: refuse a search that would run for minutes (docs/robustness.md).
    const auto count = static_cast<int64_t>(ends.size());
    if (count > limits::max_ftp_search())
      options.fail("ftp: the model has " + with_thousands(count) + " fusable layer groups, over the " +
                   with_thousands(limits::max_ftp_search()) + " its search over fused_layers allows" +
                   limits::raise_hint("EDGEPART_MAX_FTP_SEARCH") + "; give option fused_layers to plan one");
    for (size_t i = 0; i < ends.size(); ++i) candidates.push_back(i);
  }
  plan::Plan best;
  double best_latency = std::numeric_limits<double>::infinity();
  std::string last_problem;
  for (size_t i : candidates) {
    spec.fused_end = ends[i];
    if (spec.reuse == TileSpec::Reuse::deepthings && !fused_chain(r, spec.fused_end)) {
      last_problem = "DeepThings' reuse needs the fused layers to be a chain (each reading the one before)";
      if (options.find("fused_layers")) options.fail("ftp: " + last_problem);
      continue;
    }
    spec.options = Json{{"fused_layers", static_cast<int64_t>(i + 1)}, {"grid", Json::array({n, m})},
                        {"gateway", device_name(r, spec.gateway)}, {"reuse", reuse_option}};
    // Options at their defaults are left out, so plans made before these options stay byte-identical.
    if (convention != "balanced") spec.options["grid_convention"] = convention;
    if (inputs != "source") spec.options["inputs"] = inputs;
    if (result != "source") spec.options["result"] = result;
    plan::Plan p = build_tile_plan(r, spec);
    if (auto problem = memory_problem(p, r.cluster)) {
      last_problem = *problem;
      continue;
    }
    if (p.predicted.latency_s < best_latency) {
      best_latency = p.predicted.latency_s;
      best = std::move(p);
    }
  }
  if (best.variants.empty()) {
    if (spec.reuse == TileSpec::Reuse::deepthings && last_problem.rfind("DeepThings", 0) == 0) options.fail("ftp: " + last_problem);
    throw InputError("", "/devices", "ftp: no plan fits in the devices' memory: " + last_problem);
  }
  best.notes.push_back("fused " + r.graph.layer(0).name + " .. " + r.graph.layer(best.variants[0].stages[0].last_layer).name +
                       " into " + std::to_string(n * m) + " tiles");
  return best;
}

}  // namespace edgepart::strategy
