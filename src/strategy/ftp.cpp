// `ftp` (DeepThings: Zhao, Barijough, Gerstlauer, IEEE TCAD 2018; DESIGN §5): Fused Tile
// Partitioning. The first L units (a convolution with its activation and pooling, layer_units())
// are fused; their output is split into an N x M grid, each tile computed from its exact input
// region (overlapping halos recomputed, which is why FTP's MACs exceed the model's); idle devices
// pull tiles (work stealing); the gateway gathers the tile outputs and runs the rest.
// Options: fused_layers (L units; default: the best L, found by planning every L), grid ([N, M],
// default [3, 3], the grid of DeepThings' evaluation), gateway ("source" by default: the device
// that holds the input and receives the result), reuse (WST-S data reuse; simplified here as
// ideal reuse: every pixel of the fused layers computed once, the halo input still sent).
#include <limits>

#include "edgepart/util/error.hpp"
#include "edgepart/util/limits.hpp"
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
  options.no_unknown_keys({"fused_layers", "grid", "gateway", "reuse"});
  std::vector<LayerIndex> ends = fusable_ends(r);
  if (ends.empty()) options.fail("ftp: the model has no spatial part to tile (its first layer needs the whole input)");
  TileSpec spec;
  spec.strategy = "ftp";
  auto [n, m] = grid_option(options, {3, 3});
  spec.grid_rows = n;
  spec.grid_cols = m;
  spec.gateway = device_option(r, options, "gateway", "source");
  spec.ideal_reuse = options.bool_or("reuse", false);
  for (int d = 0; d < r.cluster.size(); ++d) spec.pool.push_back(d);
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
    spec.options = Json{{"fused_layers", static_cast<int64_t>(i + 1)}, {"grid", Json::array({n, m})},
                        {"gateway", device_name(r, spec.gateway)}, {"reuse", spec.ideal_reuse}};
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
  if (best.variants.empty()) throw InputError("", "/devices", "ftp: no plan fits in the devices' memory: " + last_problem);
  best.notes.push_back("fused " + r.graph.layer(0).name + " .. " + r.graph.layer(best.variants[0].stages[0].last_layer).name +
                       " into " + std::to_string(n * m) + " tiles");
  return best;
}

}  // namespace edgepart::strategy
