// `edgepart profile`'s measurement (docs/timing.md "Measured profiles"): each layer alone, at each
// height, from an input crop of exactly the region it reads, timed with std::chrono::steady_clock (or the thread's CPU time).
#include "edgepart/profiler/measure.hpp"

#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <fstream>

#include "edgepart/exec/layer_ops.hpp"
#include "edgepart/exec/weights.hpp"
#include "edgepart/model/op.hpp"
#include "edgepart/rf/backward.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::profiler {

namespace {

using exec::InputView;
using exec::Tensor;
using model::LayerIndex;
using rf::Region;

// Quantile q of sorted values, linear between closest ranks (Hyndman & Fan type 7, numpy's and
// R's default): position q (n - 1). The median of an even count is the mean of the middle two.
double quantile(const std::vector<double>& sorted, double q) {
  EDGEPART_ASSERT(!sorted.empty(), "quantile of nothing");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

int64_t parse_positive(const std::string& text, const std::string& option, const std::string& token) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw InputError("", option, "expected all, 1/K or a number of rows, comma-separated (got '" + token + "')");
  int64_t v = std::stoll(text);
  if (v < 1) throw InputError("", option, "heights and fractions must be positive (got '" + token + "')");
  return v;
}

// The inputs of `layer` for output region `out`: per input, a tensor holding exactly the region it
// reads, filled with U(-1, 1) values drawn from (seed, layer name, input index).
struct LayerInputs {
  std::vector<Tensor> tensors;
  std::vector<InputView> views;
};

LayerInputs make_inputs(const model::ModelGraph& g, const cost::ModelAnalysis& a, LayerIndex l, const Region& out,
                        uint64_t seed) {
  const model::Layer& layer = g.layer(l);
  std::vector<Region> reads = rf::input_regions(g, a, l, out);
  LayerInputs in;
  in.tensors.reserve(reads.size());  // views point into it
  for (size_t k = 0; k < reads.size(); ++k) {
    const Region& r = reads[k];
    Tensor t(a.shape_of(layer.inputs[k]).c, r.rows.length(), r.cols.length());
    exec::UniformStream(seed, layer.name, "profile-input-" + std::to_string(k)).fill(t.data, -1.0f, 1.0f);
    in.tensors.push_back(std::move(t));
  }
  for (size_t k = 0; k < reads.size(); ++k)
    in.views.push_back(InputView{&in.tensors[k], reads[k], Region::whole(a.shape_of(layer.inputs[k]))});
  return in;
}

// Keeps the compiler from dropping a computation whose result is unused.
volatile float g_sink = 0;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double time_once(const model::ModelGraph& g, const cost::ModelAnalysis& a, LayerIndex l, const exec::LayerParams& p,
                 const LayerInputs& in, const Region& out, bool cpu_clock) {
  const double cpu_start = cpu_clock ? thread_cpu_s() : 0.0;
  const auto start = std::chrono::steady_clock::now();
  Tensor result = exec::compute_layer(g, a, l, p, in.views, out);
  const auto stop = std::chrono::steady_clock::now();
  const double cpu_stop = cpu_clock ? thread_cpu_s() : 0.0;
  g_sink = result.data.empty() ? 0.0f : result.data.front();
  return cpu_clock ? cpu_stop - cpu_start : std::chrono::duration<double>(stop - start).count();
}

timing::ProfilePoint measure_point(const model::ModelGraph& g, const cost::ModelAnalysis& a, LayerIndex l,
                                   const exec::LayerParams& p, const Region& out, const MeasureOptions& o) {
  LayerInputs in = make_inputs(g, a, l, out, o.seed);
  double last_warmup_s = 0;
  for (int64_t i = 0; i < o.warmup; ++i) last_warmup_s = time_once(g, a, l, p, in, out, o.cpu_clock);
  int64_t runs = o.runs;
  if (o.max_seconds_per_point > 0 && last_warmup_s > 0) {
    const double affordable = std::floor(o.max_seconds_per_point / last_warmup_s);
    runs = std::clamp(static_cast<int64_t>(std::min(affordable, 1e9)), std::min(kMinRuns, o.runs), o.runs);
  }
  std::vector<double> times;
  times.reserve(static_cast<size_t>(runs));
  for (int64_t i = 0; i < runs; ++i) times.push_back(time_once(g, a, l, p, in, out, o.cpu_clock));
  std::sort(times.begin(), times.end());
  const double median = quantile(times, 0.5);
  // Ordered in exact arithmetic; min/max keep a rounding of the interpolation from breaking
  // p25 <= median <= p75, which the reader requires.
  return timing::ProfilePoint{out.rows.length(), out.cols.length(), median, std::min(quantile(times, 0.25), median),
                              std::max(quantile(times, 0.75), median), runs};
}

}  // namespace

std::vector<HeightSpec> parse_heights(const std::string& text, const std::string& option) {
  std::vector<HeightSpec> specs;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string token = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    HeightSpec s;
    if (token == "all") {
      s.kind = HeightSpec::Kind::all;
    } else if (token.rfind("1/", 0) == 0) {
      s.kind = HeightSpec::Kind::fraction;
      s.value = parse_positive(token.substr(2), option, token);
    } else {
      s.kind = HeightSpec::Kind::rows;
      s.value = parse_positive(token, option, token);
    }
    specs.push_back(s);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return specs;
}

std::vector<int64_t> resolve_heights(const std::vector<HeightSpec>& specs, int64_t height) {
  std::vector<int64_t> out;
  for (const HeightSpec& s : specs) {
    switch (s.kind) {
      case HeightSpec::Kind::all: out.push_back(height); break;
      case HeightSpec::Kind::fraction: out.push_back((height + s.value - 1) / s.value); break;
      case HeightSpec::Kind::rows: out.push_back(std::min(s.value, height)); break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

timing::Profile measure_profile(const model::ModelGraph& g, const cost::ModelAnalysis& a, const MeasureOptions& o) {
  EDGEPART_ASSERT(o.runs >= 1 && o.warmup >= 0, "profile: runs < 1 or warmup < 0");
  const LayerIndex last = o.last < 0 ? g.output() : o.last;
  EDGEPART_ASSERT(o.first >= 0 && o.first <= last && static_cast<size_t>(last) < g.size(), "profile: bad layer range");
  const std::vector<HeightSpec> heights =
      o.heights.empty() ? parse_heights("all,1/2,1/4,1/8,1", "--heights") : o.heights;
  timing::Profile prof;
  prof.measured_on = timing::MeasuredOn{host_name(), cpu_model(), Eigen::nbThreads(), o.runtime};
  prof.model_name = g.name;
  prof.model_hash = g.content_hash();
  prof.settings = timing::ProfileSettings{o.runs, o.warmup};
  for (LayerIndex l = o.first; l <= last; ++l) {
    const model::Shape& shape = a.shapes[static_cast<size_t>(l)];
    const exec::LayerParams params = exec::make_params(g, a, l, o.seed);
    timing::LayerProfile lp{l, g.layer(l).name, std::string(model::op_name(g.layer(l).kind)), shape, {}};
    for (int64_t h : resolve_heights(heights, shape.h)) {
      const Region out{rf::Interval{0, h - 1}, rf::Interval::whole(shape.w)};
      lp.points.push_back(measure_point(g, a, l, params, out, o));
    }
    if (o.on_layer) o.on_layer(lp);
    prof.layers.push_back(std::move(lp));
  }
  return prof;
}

std::string eigen_version() {
  return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    return v;
  }
  return "unknown";
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace edgepart::profiler
