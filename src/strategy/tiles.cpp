#include "strategy/tiles.hpp"

#include <algorithm>
#include <cstdlib>

#include "edgepart/rf/backward.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"
#include "strategy/ftp_reuse.hpp"

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
  // Every tile's full FTP regions (halo recomputed), then, with DeepThings' reuse, the regions the
  // dependent tiles compute instead.
  std::vector<std::vector<Region>> full_out(tiles.size());
  std::vector<std::vector<std::vector<Region>>> full_in(tiles.size());  // [tile][layer][input]
  std::vector<Region> full_frame(tiles.size());
  for (size_t ti = 0; ti < tiles.size(); ++ti) {
    rf::BlockRegions br = rf::propagate_block(r.graph, r.analysis, 0, fe, tiles[ti].region, spec.halo);
    for (LayerIndex l = 0; l <= fe; ++l) {
      full_out[ti].push_back(br.output(l));
      full_in[ti].push_back(br.input(l));
    }
    full_frame[ti] = br.input_of(model::kModelInput);
  }
  std::vector<ReuseTile> reuse;
  if (spec.reuse == TileSpec::Reuse::deepthings) reuse = deepthings_reuse(r, fe, tiles, full_out, full_frame);
  std::vector<TileTask> tasks;
  double reuse_bytes = 0;
  for (size_t ti = 0; ti < tiles.size(); ++ti) {
    const auto& tile = tiles[ti];
    const std::vector<Region>& regions = reuse.empty() ? full_out[ti] : reuse[ti].out;
    const Region& in = reuse.empty() ? full_frame[ti] : reuse[ti].frame;
    plan::DeviceRegion dr;
    dr.device = -1;
    dr.tile = static_cast<int>(ti);
    TileTask t;
    for (LayerIndex l = 0; l <= fe; ++l) {
      const Region& o = regions[static_cast<size_t>(l)];
      dr.rows.push_back(span(o.rows));
      dr.cols.push_back(span(o.cols));
      add_flops(t.flops, region_flops(r, l, o));
      double in_b = 0;
      const auto ins = reuse.empty() ? full_in[ti][static_cast<size_t>(l)] : rf::input_regions(r.graph, r.analysis, l, o, spec.halo);
      for (size_t k = 0; k < ins.size(); ++k) in_b += tensor_bytes(r, r.graph.layer(l).inputs[k], ins[k]);
      t.act = std::max(t.act, in_b + tensor_bytes(r, l, o));
    }
    if (spec.reuse == TileSpec::Reuse::ideal) {
      // The ideal bound: with perfect reuse every pixel of every fused layer is computed once,
      // so a tile costs its share of the output area of the fused part's work (Task::reuse_share:
      // the cost model times the task as that share of every fused layer, whole).
      t.reuse_share = static_cast<double>(tile.region.area()) / out_area;
      t.flops.clear();
      for (const auto& [op, f] : fused_flops) t.flops[op] = f * static_cast<double>(tile.region.area()) / out_area;
    }
    dr.input_rows = span(in.rows);
    dr.input_cols = span(in.cols);
    t.in_bytes = tensor_bytes(r, model::kModelInput, in);
    t.out_bytes = tensor_bytes(r, fe, tile.region) * spec.out_bytes_factor;
    if (!reuse.empty()) {
      // DeepThings' flow: an independent tile sends its overlap to the gateway with its output; a
      // dependent one receives its neighbours' overlap with its input (from the tile source: exact
      // when that is the gateway, option "inputs": "gateway").
      t.out_bytes += reuse[ti].sent();
      t.in_bytes += reuse[ti].received();
      reuse_bytes += reuse[ti].received();
    }
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
  // Tasks in DeepThings' queue order: the independent tiles, then the dependent ones, each waiting
  // for its 4-neighbours (their overlap is on the gateway once their output is).
  std::vector<int> done, task_of(tasks.size(), -1);
  for (int pass = 0; pass < 2; ++pass)
    for (size_t ti = 0; ti < tasks.size(); ++ti) {
      const bool dependent = !reuse.empty() && reuse[ti].dependent;
      if (dependent != (pass == 1)) continue;
      const auto& t = tasks[ti];
      std::vector<int> deps = tile_deps;
      if (dependent)
        for (size_t nb = 0; nb < tiles.size(); ++nb)
          if (std::abs(tiles[nb].grid_row - tiles[ti].grid_row) + std::abs(tiles[nb].grid_col - tiles[ti].grid_col) == 1)
            deps.push_back(task_of[nb]);
      task_of[ti] = b.pull(pool, t.flops, tile_source, t.in_bytes, spec.gateway, t.out_bytes, deps, "tile" + std::to_string(ti) + "/" + std::to_string(tiles[ti].grid_row) + "," + std::to_string(tiles[ti].grid_col),
                           st, static_cast<int>(ti), t.act, fused_weights, spec.out_bytes_factor != 1.0);
      done.push_back(task_of[ti]);
      b.variant().tasks.at(static_cast<size_t>(done.back())).reuse_share = t.reuse_share;
    }
  if (!reuse.empty())
    b.note("DeepThings reuse: " + std::to_string(std::count_if(reuse.begin(), reuse.end(), [](const ReuseTile& t) { return t.dependent; })) +
           " dependent tiles receive " + format_number(reuse_bytes) + " bytes of their neighbours' outputs via the gateway");
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
