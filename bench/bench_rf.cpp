// Region arithmetic speed: DeepThings' fused tile partition of YOLOv2 (first 16 Darknet layers,
// 608x608 input, 38x38 output at layer 15, a 6x6 grid): the regions of every layer for all 36
// tiles, per call. Planners (FTP, DPFP) call this in their inner loops.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/rf/segmentation.hpp"

namespace {

using namespace edgepart;

struct Yolo {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
  model::LayerIndex last = 0;
};

const Yolo& yolo() {
  static const Yolo y = [] {
    Yolo out;
    out.graph = model::load_model((std::filesystem::path(EDGEPART_SOURCE_DIR) / "models" / "yolov2.json").string());
    out.analysis = cost::analyze(out.graph);
    // Darknet layers 0..15 end with conv15 -> bn15 -> leaky15 (index 39 in models/yolov2.json).
    out.last = *out.graph.find("leaky15");
    return out;
  }();
  return y;
}

void BM_RegionsYolov2First16Grid6x6(benchmark::State& state) {
  const Yolo& y = yolo();
  const model::Shape& out = y.analysis.shapes[static_cast<size_t>(y.last)];
  auto tiles = rf::grid_tiles(out.h, out.w, 6, 6, rf::TileConvention::deepthings);
  int64_t macs = 0;
  for (auto _ : state) {
    for (const auto& t : tiles) {
      rf::BlockRegions br = rf::propagate_block(y.graph, y.analysis, 0, y.last, t.region);
      macs += br.total_macs;
    }
    benchmark::DoNotOptimize(macs);
  }
  state.counters["tiles"] = static_cast<double>(tiles.size());
  state.counters["layers"] = static_cast<double>(y.last + 1);
}
BENCHMARK(BM_RegionsYolov2First16Grid6x6)->Unit(benchmark::kMicrosecond);

// The same 36 tiles through rf::CompiledBlock (steps worked out once, no allocation per call):
// every layer's output region, as DeepThings' preform_ftp computes per tile. Goal: <= 9 us.
void BM_RegionsYolov2First16Grid6x6Compiled(benchmark::State& state) {
  const Yolo& y = yolo();
  const model::Shape& out = y.analysis.shapes[static_cast<size_t>(y.last)];
  auto tiles = rf::grid_tiles(out.h, out.w, 6, 6, rf::TileConvention::deepthings);
  const rf::CompiledBlock block(y.graph, y.analysis, 0, y.last);
  std::vector<rf::Region> regions(block.size());
  int64_t rows = 0;
  for (auto _ : state) {
    for (const auto& t : tiles) {
      block.propagate(t.region, regions);
      rows += regions.front().rows.length();
    }
    benchmark::DoNotOptimize(rows);
  }
  state.counters["tiles"] = static_cast<double>(tiles.size());
  state.counters["layers"] = static_cast<double>(y.last + 1);
}
BENCHMARK(BM_RegionsYolov2First16Grid6x6Compiled)->Unit(benchmark::kMicrosecond);

void BM_RegionOneTileYolov2First16(benchmark::State& state) {
  const Yolo& y = yolo();
  rf::Region tile{{0, 6}, {0, 6}};
  for (auto _ : state) benchmark::DoNotOptimize(rf::propagate_block(y.graph, y.analysis, 0, y.last, tile));
}
BENCHMARK(BM_RegionOneTileYolov2First16)->Unit(benchmark::kMicrosecond);

}  // namespace
