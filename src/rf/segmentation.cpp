#include "edgepart/rf/segmentation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::rf {

std::vector<RowShare> split_rows(int64_t rows, const std::vector<double>& speeds) {
  double total = 0;
  for (double s : speeds) {
    EDGEPART_ASSERT(std::isfinite(s) && s > 0, "device speeds must be positive and finite");
    total += s;
  }
  std::vector<RowShare> out;
  if (rows <= 0 || speeds.empty()) return out;
  std::vector<int64_t> count(speeds.size());
  std::vector<double> remainder(speeds.size());
  int64_t given = 0;
  for (size_t d = 0; d < speeds.size(); ++d) {
    double quota = static_cast<double>(rows) * speeds[d] / total;
    count[d] = std::min(rows, static_cast<int64_t>(std::floor(quota)));
    remainder[d] = quota - std::floor(quota);
    given += count[d];
  }
  // Floating rounding can leave the floors summing to a little more than `rows` in theory; take
  // back from the smallest remainders (never happens with sane speeds, kept for safety).
  std::vector<size_t> order(speeds.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t k = 0; given < rows; k = (k + 1) % order.size()) {
    ++count[order[k]];
    ++given;
  }
  for (size_t k = order.size(); given > rows && k-- > 0;)
    if (count[order[k]] > 0) {
      --count[order[k]];
      --given;
    }
  int64_t next = 0;
  for (size_t d = 0; d < speeds.size(); ++d) {
    if (count[d] == 0) continue;  // too slow for one row: left out
    out.push_back(RowShare{static_cast<int>(d), Interval{next, next + count[d] - 1}});
    next += count[d];
  }
  EDGEPART_ASSERT(next == rows, "row split does not cover the map");
  return out;
}

std::vector<Interval> split_axis(int64_t length, int64_t parts, TileConvention convention) {
  EDGEPART_ASSERT(parts >= 1, "a split needs at least one part");
  std::vector<Interval> out;
  if (length <= 0) return out;
  int64_t begin = 0;
  for (int64_t k = 0; k < parts; ++k) {
    int64_t size = 0;
    if (convention == TileConvention::balanced) {
      size = length / parts + (k < length % parts ? 1 : 0);
    } else {
      int64_t step = ceil_div(length, parts);
      size = k + 1 < parts ? std::min(step, length - begin) : length - begin;
    }
    if (size > 0) out.push_back(Interval{begin, begin + size - 1});
    begin += size;
  }
  return out;
}

std::vector<Tile> grid_tiles(int64_t height, int64_t width, int64_t n_rows, int64_t n_cols, TileConvention convention) {
  std::vector<Tile> out;
  std::vector<Interval> rows = split_axis(height, n_rows, convention);
  std::vector<Interval> cols = split_axis(width, n_cols, convention);
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c = 0; c < cols.size(); ++c)
      out.push_back(Tile{static_cast<int64_t>(r), static_cast<int64_t>(c), Region{rows[r], cols[c]}});
  return out;
}

std::pair<int64_t, int64_t> square_grid(int64_t tiles) {
  EDGEPART_ASSERT(tiles >= 1, "a grid needs at least one tile");
  int64_t r = 1;
  for (int64_t k = 1; k * k <= tiles; ++k)
    if (tiles % k == 0) r = k;
  return {r, tiles / r};
}

}  // namespace edgepart::rf
