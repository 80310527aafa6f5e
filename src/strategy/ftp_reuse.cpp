#include "strategy/ftp_reuse.hpp"

#include <map>
#include <numeric>

#include "edgepart/rf/backward.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::strategy {

using rf::Interval;
using rf::Region;

double ReuseTile::received() const { return std::accumulate(received_bytes.begin(), received_bytes.end(), 0.0); }
double ReuseTile::sent() const { return std::accumulate(sent_bytes.begin(), sent_bytes.end(), 0.0); }

bool fused_chain(const PlanRequest& r, LayerIndex fused_end) {
  for (LayerIndex l = 0; l <= fused_end; ++l) {
    const auto& ins = r.graph.layer(l).inputs;
    if (ins.size() != 1 || ins[0] != (l == 0 ? model::kModelInput : l - 1)) return false;
  }
  return true;
}

namespace {

// DeepThings' tile_region: inclusive bounds that may cross (an empty strip or a tile cut away).
struct Bounds {
  int64_t w1, w2, h1, h2;
  explicit Bounds(const Region& r) : w1(r.cols.begin), w2(r.cols.end), h1(r.rows.begin), h2(r.rows.end) {}
  Bounds(int64_t a, int64_t b, int64_t c, int64_t d) : w1(a), w2(b), h1(c), h2(d) {}
  bool positive() const { return w2 >= w1 && h2 >= h1; }  // calculate_reuse_data_size: w > 0 && h > 0
  Region region() const { return positive() ? Region{Interval{h1, h2}, Interval{w1, w2}} : Region::empty_region(); }
};

}  // namespace

std::vector<ReuseTile> deepthings_reuse(const PlanRequest& r, LayerIndex fe, const std::vector<rf::Tile>& tiles,
                                        const std::vector<std::vector<Region>>& full_out,
                                        const std::vector<Region>& full_frame) {
  EDGEPART_ASSERT(fused_chain(r, fe), "DeepThings' reuse needs a chain of fused layers");
  const auto layers = static_cast<size_t>(fe + 1);
  std::map<std::pair<int64_t, int64_t>, size_t> at;  // (grid row, grid col) -> tile
  for (size_t t = 0; t < tiles.size(); ++t) at[{tiles[t].grid_row, tiles[t].grid_col}] = t;
  std::vector<ReuseTile> out(tiles.size());
  for (size_t t = 0; t < tiles.size(); ++t) {
    out[t].dependent = (tiles[t].grid_row + tiles[t].grid_col) % 2 == 1;  // reuse_aware_schedule
    out[t].out = full_out[t];
    out[t].frame = full_frame[t];
    out[t].received_bytes.assign(layers, 0.0);
    out[t].sent_bytes.assign(layers, 0.0);
  }
  for (size_t t = 0; t < tiles.size(); ++t) {
    ReuseTile& me = out[t];
    if (!me.dependent) continue;
    const int64_t i = tiles[t].grid_row, j = tiles[t].grid_col;
    auto neighbour = [&](int64_t di, int64_t dj) -> const size_t* {
      auto it = at.find({i + di, j + dj});
      return it == at.end() ? nullptr : &it->second;
    };
    for (LayerIndex l = fe; l >= 0; --l) {
      const Region all = rf::input_regions(r.graph, r.analysis, l, me.out[static_cast<size_t>(l)])[0];
      if (l == 0) {
        me.frame = all;
        break;
      }
      const auto below_layer = static_cast<size_t>(l - 1);
      if (all.empty()) {
        me.out[below_layer] = Region::empty_region();
        continue;
      }
      const Bounds a(all);
      Bounds rest = a;
      auto record = [&](size_t nb, const Bounds& strip) {
        if (!strip.positive()) return;
        const double bytes = tensor_bytes(r, l - 1, strip.region());
        me.received_bytes[below_layer] += bytes;
        out[nb].sent_bytes[below_layer] += bytes;
      };
      // remove_and_record_overlapped_region_at_output: left, above, right, below.
      if (const size_t* nb = neighbour(0, -1)) {
        const Bounds n(full_out[*nb][below_layer]);
        rest.w1 = n.w2 + 1;
        record(*nb, Bounds(a.w1, n.w2, a.h1, a.h2));
      }
      if (const size_t* nb = neighbour(-1, 0)) {
        const Bounds n(full_out[*nb][below_layer]);
        rest.h1 = n.h2 + 1;
        record(*nb, Bounds(a.w1, a.w2, a.h1, n.h2));
      }
      if (const size_t* nb = neighbour(0, 1)) {
        const Bounds n(full_out[*nb][below_layer]);
        rest.w2 = n.w1 - 1;
        record(*nb, Bounds(n.w1, a.w2, a.h1, a.h2));
      }
      if (const size_t* nb = neighbour(1, 0)) {
        const Bounds n(full_out[*nb][below_layer]);
        rest.h2 = n.h1 - 1;
        record(*nb, Bounds(a.w1, a.w2, n.h1, a.h2));
      }
      me.out[below_layer] = rest.region();
    }
  }
  return out;
}

}  // namespace edgepart::strategy
