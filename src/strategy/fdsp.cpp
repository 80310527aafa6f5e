// `fdsp` (ADCNN: Zhang, Lin, Zhang, ICPP 2020; docs/design.md §5): Fully Decomposable Spatial Partition.
// The spatial part is split into an N x M grid of tiles processed independently with zero padding
// at the tile borders (no halo, no exchange, no recomputation: the tiles' MACs add up to the
// model's). This changes the result, so the model must be fine-tuned for it and the plan is
// marked lossless: false. Idle devices pull tiles (ADCNN's dynamic scheduling, which absorbs
// heterogeneity and slow-downs); tile outputs are quantised (`bits`, default 8, against fp32's
// 32) and losslessly coded (`coding_ratio`, default 1: no coding gain assumed) before the central
// node runs the rest. Options: grid ([N, M], default [4, 4]), bits (1..32), coding_ratio (>= 1),
// fused_layers (units of the spatial part; default: all of it), gateway ("source" by default).
#include <limits>

#include "edgepart/util/error.hpp"
#include "strategy/spatial.hpp"
#include "strategy/tiles.hpp"

namespace edgepart::strategy {

plan::Plan make_fdsp_plan(const PlanRequest& r, const JsonCursor& options) {
  options.no_unknown_keys({"grid", "bits", "coding_ratio", "fused_layers", "gateway"});
  std::vector<LayerIndex> ends = fusable_ends(r);
  if (ends.empty()) options.fail("fdsp: the model has no spatial part to tile (its first layer needs the whole input)");
  TileSpec spec;
  spec.strategy = "fdsp";
  auto [n, m] = grid_option(options, {4, 4});
  spec.grid_rows = n;
  spec.grid_cols = m;
  spec.halo = rf::Halo::none;
  spec.lossless = false;
  spec.gateway = device_option(r, options, "gateway", "source");
  const int64_t bits = options.find("bits") ? options.at("bits").as_int_in(1, 32) : 8;
  const double coding = options.find("coding_ratio") ? options.at("coding_ratio").as_number_in(1, 1e6) : 1.0;
  // Bytes of a quantised, coded element relative to an fp32 element (dtype_bytes = 4).
  spec.out_bytes_factor = (static_cast<double>(bits) / 32.0) / coding;
  size_t fused = ends.size();
  if (auto fl = options.find("fused_layers")) fused = static_cast<size_t>(fl->as_int_in(1, static_cast<int64_t>(ends.size())));
  spec.fused_end = ends[fused - 1];
  for (int d = 0; d < r.cluster.size(); ++d) spec.pool.push_back(d);
  spec.options = Json{{"grid", Json::array({n, m})}, {"bits", bits}, {"coding_ratio", coding},
                      {"fused_layers", static_cast<int64_t>(fused)}, {"gateway", device_name(r, spec.gateway)}};
  plan::Plan p = build_tile_plan(r, spec);
  if (auto problem = memory_problem(p, r.cluster)) throw InputError("", "/devices", "fdsp: the plan does not fit: " + *problem);
  p.notes.push_back("approximate: tiles are zero-padded at their borders (the model must be fine-tuned for it)");
  return p;
}

}  // namespace edgepart::strategy
