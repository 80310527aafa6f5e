// The Eigen reference executor on VGG-16 at 224x224 (seconds per image), whole and with the conv
// part split in 4 row stripes (halo recomputation included), single-threaded.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/executor.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/rf/segmentation.hpp"

namespace {

using namespace edgepart;

struct Vgg {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
};

const Vgg& vgg() {
  static const Vgg v = [] {
    Vgg out;
    out.graph = model::load_model((std::filesystem::path(EDGEPART_SOURCE_DIR) / "models" / "vgg16.json").string());
    out.analysis = cost::analyze(out.graph);
    return out;
  }();
  return v;
}

void BM_ExecVgg16Whole(benchmark::State& state) {
  const Vgg& v = vgg();
  exec::Executor ex(v.graph, v.analysis, 1);
  exec::Tensor x = ex.random_input();
  for (auto _ : state) benchmark::DoNotOptimize(ex.run(x));
  state.counters["GMACs"] = static_cast<double>(v.analysis.total_macs) / 1e9;
}
BENCHMARK(BM_ExecVgg16Whole)->Unit(benchmark::kSecond)->Iterations(3);

void BM_ExecVgg16ConvRows4(benchmark::State& state) {
  const Vgg& v = vgg();
  exec::Executor ex(v.graph, v.analysis, 1);
  exec::Tensor x = ex.random_input();
  auto last = *v.graph.find("features.30");
  const model::Shape& out = v.analysis.shapes[static_cast<size_t>(last)];
  exec::BlockAssignment block{0, last, {}, rf::Halo::exact};
  for (const auto& s : rf::split_rows(out.h, {1, 1, 1, 1}))
    block.parts.push_back(exec::PartAssignment{s.device, rf::Region{s.rows, rf::Interval::whole(out.w)}});
  for (auto _ : state) benchmark::DoNotOptimize(ex.run_segmented(x, {block}));
}
BENCHMARK(BM_ExecVgg16ConvRows4)->Unit(benchmark::kSecond)->Iterations(2);

}  // namespace
