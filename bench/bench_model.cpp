// Model loading speed, one benchmark per zoo model: what every command pays before it
// does anything else.
//   BM_LoadAnalyze/<model>: read the file, strict JSON parse, build and validate the graph
//     (model::load_model), shape inference and costs (cost::analyze), receptive fields.
//   BM_Analyze/<model>: the last two only, on a graph loaded once (the planner's share when it
//     re-analyses a model it already holds).
//   BM_ParseJson/<model>: parse_json_text alone on text read once (structure pre-scan + nlohmann),
//     to split the load time into parsing and building the graph.
// Counter layers_per_s: layers processed per CPU second.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/rf/receptive_field.hpp"
#include "edgepart/util/json_read.hpp"

namespace {

using namespace edgepart;

std::string zoo_path(const char* name) {
  return (std::filesystem::path(EDGEPART_SOURCE_DIR) / "models" / (std::string(name) + ".json")).string();
}

void BM_LoadAnalyze(benchmark::State& state, const char* name) {
  const std::string path = zoo_path(name);
  size_t layers = 0;
  for (auto _ : state) {
    model::ModelGraph g = model::load_model(path);
    cost::ModelAnalysis a = cost::analyze(g);
    auto fields = rf::receptive_fields(g, a);
    benchmark::DoNotOptimize(a.total_macs);
    benchmark::DoNotOptimize(fields.data());
    layers = g.size();
  }
  state.counters["layers"] = static_cast<double>(layers);
  state.counters["layers_per_s"] =
      benchmark::Counter(static_cast<double>(layers), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Analyze(benchmark::State& state, const char* name) {
  const model::ModelGraph g = model::load_model(zoo_path(name));
  for (auto _ : state) {
    cost::ModelAnalysis a = cost::analyze(g);
    auto fields = rf::receptive_fields(g, a);
    benchmark::DoNotOptimize(a.total_macs);
    benchmark::DoNotOptimize(fields.data());
  }
  state.counters["layers"] = static_cast<double>(g.size());
  state.counters["layers_per_s"] =
      benchmark::Counter(static_cast<double>(g.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ParseJson(benchmark::State& state, const char* name) {
  const std::string text = read_text_file(zoo_path(name));
  for (auto _ : state) {
    Json doc = parse_json_text(text, name);
    benchmark::DoNotOptimize(doc.size());
  }
  state.counters["MB_per_s"] =
      benchmark::Counter(static_cast<double>(text.size()) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}

#define EDGEPART_ZOO_BENCH(fn)                                                                     \
  BENCHMARK_CAPTURE(fn, alexnet, "alexnet")->Unit(benchmark::kMicrosecond);                        \
  BENCHMARK_CAPTURE(fn, vgg16, "vgg16")->Unit(benchmark::kMicrosecond);                            \
  BENCHMARK_CAPTURE(fn, resnet18, "resnet18")->Unit(benchmark::kMicrosecond);                      \
  BENCHMARK_CAPTURE(fn, resnet50, "resnet50")->Unit(benchmark::kMicrosecond);                      \
  BENCHMARK_CAPTURE(fn, mobilenet_v2, "mobilenet_v2")->Unit(benchmark::kMicrosecond);              \
  BENCHMARK_CAPTURE(fn, googlenet, "googlenet")->Unit(benchmark::kMicrosecond);                    \
  BENCHMARK_CAPTURE(fn, squeezenet1_1, "squeezenet1_1")->Unit(benchmark::kMicrosecond);            \
  BENCHMARK_CAPTURE(fn, densenet121, "densenet121")->Unit(benchmark::kMicrosecond);                \
  BENCHMARK_CAPTURE(fn, yolov2, "yolov2")->Unit(benchmark::kMicrosecond);                          \
  BENCHMARK_CAPTURE(fn, yolov2_tiny, "yolov2_tiny")->Unit(benchmark::kMicrosecond)

EDGEPART_ZOO_BENCH(BM_LoadAnalyze);
EDGEPART_ZOO_BENCH(BM_Analyze);
BENCHMARK_CAPTURE(BM_ParseJson, vgg16, "vgg16")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ParseJson, densenet121, "densenet121")->Unit(benchmark::kMicrosecond);

}  // namespace
