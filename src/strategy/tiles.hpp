#pragma once
// The tile plans of `ftp` (DeepThings) and `fdsp` (ADCNN): the output of the fused part (layers
// 0..fused_end) split into an N x M grid, one pull-dispatched task per tile (idle devices take
// the next tile: work stealing / dynamic scheduling), tile outputs gathered on the gateway, which
// runs the rest of the model and returns the result to the source.
#include <string>
#include <vector>

#include "edgepart/rf/backward.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "strategy/plan_builder.hpp"

namespace edgepart::strategy {

struct TileSpec {
  std::string strategy;
  Json options = Json::object();
  LayerIndex fused_end = 0;
  int64_t grid_rows = 3, grid_cols = 3;
  rf::TileConvention convention = rf::TileConvention::balanced;  // how the grid cuts the map
  rf::Halo halo = rf::Halo::exact;  // none: tiles without halo (FDSP, approximate)
  // FTP's WST-S data reuse: none; DeepThings' own accounting (strategy/ftp_reuse.hpp); or the
  // ideal bound (every pixel of the fused layers computed once, the halo input still sent).
  enum class Reuse { none, deepthings, ideal } reuse = Reuse::none;
  double out_bytes_factor = 1.0;    // compression of tile outputs (FDSP)
  int gateway = 0;
  std::vector<int> pool;            // devices that take tiles
  // DeepThings' data flow (ftp option "inputs": "gateway"): the source uploads the whole input
  // frame to the gateway once, the gateway serves every tile's input region and takes no tile.
  bool inputs_via_gateway = false;
  // false (ftp option "result": "gateway"): the request ends when the gateway holds the model's
  // output (DeepThings' edge stage, whose output stays on the gateway for the rest of the network).
  bool result_to_source = true;
  bool lossless = true;
};

plan::Plan build_tile_plan(const PlanRequest& r, const TileSpec& spec);

// The option `grid` ([N, M], both >= 1), or `fallback`.
std::pair<int64_t, int64_t> grid_option(const JsonCursor& options, std::pair<int64_t, int64_t> fallback);
// Ends of the units of the spatial prefix (candidate fused_end values), ascending.
std::vector<LayerIndex> fusable_ends(const PlanRequest& r);

}  // namespace edgepart::strategy
