#pragma once
// Splitting a block's output among devices (docs/design.md §4): rows in proportion to device speed, or a
// grid of N x M tiles. Deterministic: ties go to the lower device index.
#include <vector>

#include "edgepart/rf/region.hpp"

namespace edgepart::rf {

struct RowShare {
  int device = 0;  // index into the speeds given
  Interval rows;   // never empty
  bool operator==(const RowShare&) const = default;
};

// Splits rows 0..rows-1 among devices in proportion to `speeds` by largest-remainder rounding
// (Hamilton's method): each device first gets floor(rows * speed / total), the rows left over go
// one each to the largest fractional remainders (ties: lower device index). A device whose share
// rounds to 0 rows is left out. Shares are contiguous and in device order. Speeds must be > 0.
std::vector<RowShare> split_rows(int64_t rows, const std::vector<double>& speeds);

enum class TileConvention {
  // Part sizes differ by at most one; the larger parts come first.
  balanced,
  // DeepThings (ftp.c, grid()): every part ceil(L/N) long, the remainder in the last part.
  deepthings,
};

// Splits [0, length-1] into `parts` consecutive intervals; empty parts (more parts than rows, or
// DeepThings' convention running out) are dropped.
std::vector<Interval> split_axis(int64_t length, int64_t parts, TileConvention convention = TileConvention::balanced);

struct Tile {
  int64_t grid_row = 0, grid_col = 0;
  Region region;
  bool operator==(const Tile&) const = default;
};

// An n_rows x n_cols grid of tiles over a height x width map, row-major.
std::vector<Tile> grid_tiles(int64_t height, int64_t width, int64_t n_rows, int64_t n_cols,
                             TileConvention convention = TileConvention::balanced);

// The most square grid with exactly `tiles` tiles: n_rows = the largest divisor <= sqrt(tiles).
std::pair<int64_t, int64_t> square_grid(int64_t tiles);

}  // namespace edgepart::rf
