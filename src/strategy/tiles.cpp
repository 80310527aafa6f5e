#include "strategy/tiles.hpp"

#include <algorithm>

#include "edgepart/rf/block.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::strategy {

using rf::Interval;
using rf::Region;

std::pair<int64_t, int64_t> grid_option(const JsonCursor& options, std::pair<int64_t, int64_t> fallback) {
  auto g = options.find("grid");
  if (!g) return fallback;
  g->expect_array();
  if (g->size() != 2) g->fail("expected [N, M] (got " + std::to_string(g->size()) + " values)");
  return {g->at(size_t{0}).as_int_in(1, 64), g->at(size_t{1}).as_int_in(1, 64)};  // 64 x 64 tiles is far past any published grid
}

std::vector<LayerIndex> fusable_ends(const PlanRequest& r) {
  std::vector<LayerIndex> ends;
  for (const Unit& u : layer_units(r))
    if (u.kind == Unit::rows) ends.push_back(u.last);
  return ends;
}

plan::Plan build_tile_plan(const PlanRequest& r, const TileSpec& spec) {
  const auto& c = r.cluster;
  const int src = c.source;
  const LayerIndex last = r.graph.output();
  const LayerIndex fe = spec.fused_end;
  PlanBuilder b(r, spec.strategy, spec.options);
  b.plan().lossless = spec.lossless;
  const model::Shape& out = r.analysis.shapes[static_cast<size_t>(fe)];
  auto tiles = rf::grid_tiles(out.h, out.w, spec.grid_rows, spec.grid_cols, spec.convention);
  const double fused_weights = weight_bytes(r, 0, fe);
  const FlopsByOp fused_flops = range_flops(r, 0, fe);
  const double out_area = static_cast<double>(out.h * out.w);

  plan::Stage stage;
  stage.first_layer = 0;
  stage.last_layer = fe;
  stage.split = "tiles";
  struct TileTask {
    FlopsByOp flops;
    double reuse_share = 0;
    double in_bytes = 0, out_bytes = 0, act = 0;
  };
  std::vector<TileTask> tasks;
  for (size_t ti = 0; ti < tiles.size(); ++ti) {
    const auto& tile = tiles[ti];
    rf::BlockRegions br = rf::propagate_block(r.graph, r.analysis, 0, fe, tile.region, spec.halo);
    plan::DeviceRegion dr;
    dr.device = -1;
    dr.tile = static_cast<int>(ti);
    TileTask t;
    for (LayerIndex l = 0; l <= fe; ++l) {
      dr.rows.push_back(span(br.output(l).rows));
      dr.cols.push_back(span(br.output(l).cols));
      add_flops(t.flops, region_flops(r, l, br.output(l)));
      double in_b = 0;
      const auto& ins = br.input(l);
      for (size_t k = 0; k < ins.size(); ++k) in_b += tensor_bytes(r, r.graph.layer(l).inputs[k], ins[k]);
      t.act = std::max(t.act, in_b + tensor_bytes(r, l, br.output(l)));
    }
    if (spec.ideal_reuse) {
      // WST-S, simplified: with perfect reuse every pixel of every fused layer is computed once,
      // so a tile costs its share of the output area of the fused part's work (Task::reuse_share:
      // the cost model times the task as that share of every fused layer, whole).
      t.reuse_share = static_cast<double>(tile.region.area()) / out_area;
      t.flops.clear();
      for (const auto& [op, f] : fused_flops) t.flops[op] = f * static_cast<double>(tile.region.area()) / out_area;
    }
    Region in = br.input_of(model::kModelInput);
    dr.input_rows = span(in.rows);
    dr.input_cols = span(in.cols);
    t.in_bytes = tensor_bytes(r, model::kModelInput, in);
    t.out_bytes = tensor_bytes(r, fe, tile.region) * spec.out_bytes_factor;
    stage.regions.push_back(dr);
    tasks.push_back(std::move(t));
  }
  const int st = b.add_stage(stage);
  std::vector<int> pool = spec.pool, tile_deps;
  int tile_source = src;
  if (spec.inputs_via_gateway) {
    pool.erase(std::remove(pool.begin(), pool.end(), spec.gateway), pool.end());
    EDGEPART_ASSERT(!pool.empty(), "no device takes tiles besides the gateway");
    tile_deps = b.transfer(src, spec.gateway, tensor_bytes(r, model::kModelInput), piece(r, model::kModelInput), {},
                           "frame/" + device_name(r, src) + "->" + device_name(r, spec.gateway), st);
    tile_source = spec.gateway;
  }
  std::vector<int> done;
  for (size_t ti = 0; ti < tasks.size(); ++ti) {
    const auto& t = tasks[ti];
    done.push_back(b.pull(pool, t.flops, tile_source, t.in_bytes, spec.gateway, t.out_bytes, tile_deps, "tile" + std::to_string(ti) + "/" + std::to_string(tiles[ti].grid_row) + "," + std::to_string(tiles[ti].grid_col),
                          st, static_cast<int>(ti), t.act, fused_weights, spec.out_bytes_factor != 1.0));
    b.variant().tasks.at(static_cast<size_t>(done.back())).reuse_share = t.reuse_share;
  }
  if (fe < last) {
    const WholeStage rest = whole_stage(r, spec.gateway, fe, fe + 1, last);
    const double act = rest.activation_bytes;
    const int rs = b.add_stage(rest.stage);
    int t = b.compute(spec.gateway, range_flops(r, fe + 1, last), done, "rest/" + device_name(r, spec.gateway), rs, act,
                      weight_bytes(r, fe + 1, last));
    if (spec.result_to_source)
      b.transfer(spec.gateway, src, tensor_bytes(r, last), piece(r, last), {t}, "result/" + device_name(r, spec.gateway) + "->" + device_name(r, src), rs);
  } else if (spec.result_to_source) {
    b.transfer(spec.gateway, src, tensor_bytes(r, last), piece(r, last), done, "result/" + device_name(r, spec.gateway) + "->" + device_name(r, src));
  }
  return b.finish();
}

}  // namespace edgepart::strategy
