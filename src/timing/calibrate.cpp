// Fitting the analytical model (docs/timing.md "Calibration"): least squares on relative error
// (the log of predicted / measured).
//
// Structure of the search. For fixed (b, o) the classes are independent: each a_c minimises its
// own points' error, a one-dimensional problem solved by a log-spaced scan then golden-section
// refinement (the error is not convex in a_c: max(a F, b B) is flat below the memory bound, so a
// scan first avoids a local minimum). The outer problem over (b, o) has two dimensions: a
// log-spaced grid that includes b = 0 (no memory term) and o = 0 (no overhead), then Nelder-Mead
// (Nelder & Mead, Computer Journal 7(4), 1965) in the logarithms of the non-zero ones. Every loop
// has a fixed length, so the same points always give the same doubles.
#include "edgepart/timing/calibrate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "edgepart/util/error.hpp"

namespace edgepart::timing {

namespace {

// Search ranges. Memory bandwidth 0.1 to 1000 GB/s covers a microcontroller to a GPU's HBM;
// per-layer overhead 0.1 us to 10 ms covers a C++ loop to an interpreted framework on a slow board.
constexpr double kMinSecondsPerByte = 1e-12, kMaxSecondsPerByte = 1e-8;
constexpr double kMinOverheadS = 1e-7, kMaxOverheadS = 1e-2;
constexpr int kOuterGrid = 17;        // grid points per outer axis (plus the zero)
constexpr int kNelderMeadIterations = 150;
constexpr int kClassScan = 160;       // log-spaced a_c candidates per class
constexpr int kGoldenIterations = 60; // shrinks the bracket by 0.618^60 ~ 3e-13
constexpr double kClassRangeFactor = 100;  // a_c scanned from min(t/F)/100 to max(t/F)*100

// For an unseen class, the fitted classes to borrow an efficiency from, nearest first
// (docs/timing.md "Calibration"): same kind of arithmetic first (GEMM-like, window, streaming).
const std::vector<OpClass>& nearest_classes(OpClass c) {
  using C = OpClass;
  static const std::map<OpClass, std::vector<OpClass>> table = {
      {C::conv_kxk, {C::conv_grouped, C::conv_1x1, C::conv_depthwise}},
      {C::conv_1x1, {C::conv_grouped, C::conv_kxk, C::linear}},
      {C::conv_depthwise, {C::conv_grouped, C::conv_1x1}},
      {C::conv_grouped, {C::conv_depthwise, C::conv_1x1, C::conv_kxk}},
      {C::linear, {C::conv_1x1}},
      {C::pooling, {C::global_pooling}},
      {C::global_pooling, {C::pooling}},
      {C::elementwise, {C::activation, C::normalization}},
      {C::activation, {C::elementwise, C::normalization}},
      {C::normalization, {C::activation, C::elementwise}},
      {C::data_movement, {}},
      {C::other, {C::activation, C::elementwise}},
  };
  return table.at(c);
}

// The relative error of a prediction, as a log ratio (docs/timing.md "Calibration"): 2x too slow
// and 2x too fast cost the same. A prediction of 0 s for a measured time is infinitely wrong.
double sq_log_ratio(double predicted, double measured) {
  const double r = std::log(predicted / measured);
  return r * r;
}

using Points = std::vector<const CalibrationPoint*>;

struct ClassResult {
  double a = 0;      // seconds per FLOP
  double error = 0;  // sum of squared relative errors of the class's points
};

// What a class's own parameter multiplies: FLOPs, or for a class that does no arithmetic (data
// movement) the bytes it moves: its time is then o + max(a_c, b) * bytes, a memory bandwidth of
// its own no faster than the device's (efficiency b / a_c <= 1).
double work_of(const CalibrationPoint& p, bool by_bytes) { return by_bytes ? p.bytes : p.flops; }

// The best a_c for one class's points at fixed (b, o).
ClassResult fit_class(const Points& pts, double b, double o, bool by_bytes) {
  auto error = [&](double log_a) {
    const double a = std::exp(log_a);
    double s = 0;
    for (const CalibrationPoint* p : pts) s += sq_log_ratio(o + std::max(a * work_of(*p, by_bytes), b * p->bytes), p->measured_s);
    return s;
  };
  double lo = INFINITY, hi = -INFINITY;
  for (const CalibrationPoint* p : pts) {
    const double work = work_of(*p, by_bytes);
    if (work <= 0) continue;
    lo = std::min(lo, std::log(p->measured_s / work));
    hi = std::max(hi, std::log(p->measured_s / work));
  }
  lo -= std::log(kClassRangeFactor);
  hi += std::log(kClassRangeFactor);
  const double step = (hi - lo) / (kClassScan - 1);
  int best = 0;
  double best_error = INFINITY;
  for (int i = 0; i < kClassScan; ++i) {
    const double e = error(lo + step * i);
    if (e < best_error) best_error = e, best = i;
  }
  // Golden section in the two scan cells around the best candidate.
  double x0 = lo + step * std::max(best - 1, 0), x3 = lo + step * std::min(best + 1, kClassScan - 1);
  const double g = (std::sqrt(5.0) - 1) / 2;
  double x1 = x3 - g * (x3 - x0), x2 = x0 + g * (x3 - x0);
  double e1 = error(x1), e2 = error(x2);
  for (int i = 0; i < kGoldenIterations; ++i) {
    if (e1 <= e2) {
      x3 = x2, x2 = x1, e2 = e1;
      x1 = x3 - g * (x3 - x0), e1 = error(x1);
    } else {
      x0 = x1, x1 = x2, e1 = e2;
      x2 = x0 + g * (x3 - x0), e2 = error(x2);
    }
  }
  ClassResult r{std::exp(lo + step * best), best_error};
  const double x = e1 <= e2 ? x1 : x2, e = std::min(e1, e2);
  if (e < r.error) r = ClassResult{std::exp(x), e};
  return r;
}

// The points grouped by class: classes with FLOPs (a_c per FLOP), and classes without (a_c per
// byte moved); points that move nothing and compute nothing cost o alone.
struct Grouped {
  std::map<OpClass, Points> by_class;
  std::map<OpClass, Points> by_bytes;
  Points fixed;
};

Grouped group(const std::vector<CalibrationPoint>& points) {
  Grouped g;
  std::map<OpClass, bool> has_flops;
  for (const auto& p : points) has_flops[p.cls] = has_flops[p.cls] || p.flops > 0;
  for (const auto& p : points) {
    if (has_flops[p.cls]) g.by_class[p.cls].push_back(&p);
    else if (p.bytes > 0) g.by_bytes[p.cls].push_back(&p);
    else g.fixed.push_back(&p);
  }
  return g;
}

struct Inner {
  std::map<OpClass, double> a;        // seconds per FLOP
  std::map<OpClass, double> a_bytes;  // seconds per byte, classes without FLOPs
  double error = 0;
};

Inner solve_inner(const Grouped& g, double b, double o) {
  Inner in;
  for (const auto& [cls, pts] : g.by_class) {
    ClassResult r = fit_class(pts, b, o, false);
    in.a[cls] = r.a;
    in.error += r.error;
  }
  for (const auto& [cls, pts] : g.by_bytes) {
    ClassResult r = fit_class(pts, b, o, true);
    in.a_bytes[cls] = std::max(r.a, b);  // no faster than the device's memory
    in.error += r.error;
  }
  for (const CalibrationPoint* p : g.fixed) in.error += sq_log_ratio(o, p->measured_s);
  return in;
}

// Nelder-Mead with the standard coefficients (reflection 1, expansion 2, contraction 1/2,
// shrink 1/2), a fixed number of iterations; n = 0 just evaluates the start.
std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> start,
                                double initial_step) {
  const size_t n = start.size();
  if (n == 0) return start;
  std::vector<std::vector<double>> simplex(n + 1, start);
  for (size_t i = 0; i < n; ++i) simplex[i + 1][i] += initial_step;
  std::vector<double> value(n + 1);
  for (size_t i = 0; i <= n; ++i) value[i] = f(simplex[i]);
  auto combine = [&](const std::vector<double>& a, const std::vector<double>& b, double t) {
    std::vector<double> r(n);
    for (size_t k = 0; k < n; ++k) r[k] = a[k] + t * (b[k] - a[k]);
    return r;
  };
  for (int it = 0; it < kNelderMeadIterations; ++it) {
    std::vector<size_t> order(n + 1);
    for (size_t i = 0; i <= n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return value[x] < value[y]; });
    const size_t best = order.front(), worst = order.back(), second = order[n - 1];
    std::vector<double> centroid(n, 0.0);
    for (size_t i = 0; i <= n; ++i)
      if (i != worst)
        for (size_t k = 0; k < n; ++k) centroid[k] += simplex[i][k] / static_cast<double>(n);
    std::vector<double> reflected = combine(centroid, simplex[worst], -1.0);
    const double fr = f(reflected);
    if (fr < value[best]) {
      std::vector<double> expanded = combine(centroid, simplex[worst], -2.0);
      const double fe = f(expanded);
      if (fe < fr) simplex[worst] = expanded, value[worst] = fe;
      else simplex[worst] = reflected, value[worst] = fr;
    } else if (fr < value[second]) {
      simplex[worst] = reflected, value[worst] = fr;
    } else {
      std::vector<double> contracted = combine(centroid, simplex[worst], 0.5);
      const double fc = f(contracted);
      if (fc < value[worst]) {
        simplex[worst] = contracted, value[worst] = fc;
      } else {
        for (size_t i = 0; i <= n; ++i)
          if (i != best) simplex[i] = combine(simplex[best], simplex[i], 0.5), value[i] = f(simplex[i]);
      }
    }
  }
  return simplex[static_cast<size_t>(std::min_element(value.begin(), value.end()) - value.begin())];
}

// Outer-axis candidates: 0, then kOuterGrid log-spaced values in [lo, hi].
std::vector<double> axis(double lo, double hi) {
  std::vector<double> v = {0.0};
  for (int i = 0; i < kOuterGrid; ++i)
    v.push_back(std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * i / (kOuterGrid - 1)));
  return v;
}

struct Outer {
  double b = 0, o = 0;
  Inner inner;
};

Outer solve_outer(const Grouped& g) {
  Outer best;
  best.inner.error = INFINITY;
  for (double b : axis(kMinSecondsPerByte, kMaxSecondsPerByte))
    for (double o : axis(kMinOverheadS, kMaxOverheadS)) {
      // A class without FLOPs is timed through the memory term (its efficiency scales memory_gbps),
      // which a device without one could not express.
      if (b == 0 && !g.by_bytes.empty()) continue;
      Inner in = solve_inner(g, b, o);
      if (in.error < best.inner.error) best = Outer{b, o, in};
    }
  // Refine the non-zero parameters in log space (a zero stays zero: the grid preferred no term).
  const bool free_b = best.b > 0, free_o = best.o > 0;
  std::vector<double> start;
  if (free_b) start.push_back(std::log(best.b));
  if (free_o) start.push_back(std::log(best.o));
  // Clamped to the search ranges: a parameter that runs off the range (a bandwidth no layer comes
  // near) would only give a device with an absurd figure.
  auto unpack = [&](const std::vector<double>& x) {
    size_t k = 0;
    const double b = free_b ? std::clamp(std::exp(x[k++]), kMinSecondsPerByte, kMaxSecondsPerByte) : 0.0;
    const double o = free_o ? std::clamp(std::exp(x[k++]), kMinOverheadS, kMaxOverheadS) : 0.0;
    return std::pair{b, o};
  };
  auto objective = [&](const std::vector<double>& x) {
    auto [b, o] = unpack(x);
    return solve_inner(g, b, o).error;
  };
  // Half a grid cell: the optimum lies within one cell of the best grid point.
  const double step = std::log(kMaxOverheadS / kMinOverheadS) / (kOuterGrid - 1) / 2;
  auto [b, o] = unpack(nelder_mead(objective, start, step));
  Inner refined = solve_inner(g, b, o);
  if (refined.error < best.inner.error) best = Outer{b, o, refined};
  return best;
}

double geometric_mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::log(x);
  return std::exp(s / static_cast<double>(v.size()));
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

std::vector<CalibrationPoint> calibration_points(const Profile& profile, const model::ModelGraph& graph,
                                                 const cost::ModelAnalysis& analysis) {
  std::vector<CalibrationPoint> pts;
  for (const LayerProfile& lp : profile.layers) {
    const model::Shape& shape = analysis.shapes.at(static_cast<size_t>(lp.layer));
    for (const ProfilePoint& pp : lp.points) {
      const rf::Region region{rf::Interval{0, pp.rows - 1}, rf::Interval{0, pp.cols - 1}};
      const LayerWork w = layer_work(graph, analysis, lp.layer, region);
      // A median of 0 s (a clock too coarse for a no-op) cannot carry a relative error: skipped.
      if (!(pp.median_s > 0)) continue;
      pts.push_back(CalibrationPoint{profile.model_name, lp.layer, w.cls, w.flops, w.bytes, pp.median_s,
                                     pp.rows == shape.h && pp.cols == shape.w});
    }
  }
  return pts;
}

CalibrationFit fit_analytical(const std::vector<CalibrationPoint>& points) {
  EDGEPART_ASSERT(!points.empty(), "calibration without points");
  for (const auto& p : points)
    EDGEPART_ASSERT(p.measured_s > 0 && p.flops >= 0 && p.bytes >= 0, "calibration point out of range");
  const Grouped g = group(points);
  EDGEPART_ASSERT(!g.by_class.empty(), "calibration without a point that has FLOPs");
  const Outer best = solve_outer(g);

  CalibrationFit fit;
  fit.points = points.size();
  fit.mean_sq_log_error = best.inner.error / static_cast<double>(points.size());
  // Class speed 1 / a_c; the peak is the fastest class, so every efficiency is in (0, 1].
  double peak_flops_per_s = 0;
  for (const auto& [cls, a] : best.inner.a) peak_flops_per_s = std::max(peak_flops_per_s, 1.0 / a);
  AnalyticalDevice& d = fit.device;
  d.peak_gflops = peak_flops_per_s / 1e9;
  d.memory_gbps = best.b > 0 ? 1.0 / best.b / 1e9 : 0.0;
  d.layer_overhead_s = best.o;
  std::vector<double> fitted;
  for (const auto& [cls, a] : best.inner.a) {
    d.class_efficiency[cls] = std::min(1.0, (1.0 / a) / peak_flops_per_s);
    fitted.push_back(d.class_efficiency[cls]);
  }
  for (const auto& [cls, a] : best.inner.a_bytes) d.class_efficiency[cls] = std::min(1.0, best.b / a);
  std::map<OpClass, bool> seen;
  for (const auto& p : points) seen[p.cls] = true;
  for (OpClass c : cost::all_op_classes()) {
    if (seen.count(c)) fit.seen_classes.push_back(c);
    ClassSource src{c, false, std::nullopt};
    if (best.inner.a.count(c) || best.inner.a_bytes.count(c)) {
      src.fitted = true;
    } else if (seen.count(c)) {
      continue;  // seen only computing and moving nothing: its efficiency cannot matter
    } else if (c == OpClass::data_movement) {
      d.class_efficiency[c] = 1.0;  // unseen and no arithmetic: plain memory bandwidth
    } else {
      for (OpClass n : nearest_classes(c))
        if (best.inner.a.count(n)) {
          src.borrowed_from = n;
          break;
        }
      d.class_efficiency[c] = src.borrowed_from ? d.class_efficiency.at(*src.borrowed_from) : geometric_mean(fitted);
    }
    fit.classes.push_back(src);
  }
  return fit;
}

double predict_s(const AnalyticalDevice& d, const CalibrationPoint& p) {
  return analytical_layer_time_s(d, p.cls, p.flops, p.bytes);
}

std::vector<ModelFitReport> evaluate_fit(const AnalyticalDevice& d, const std::vector<CalibrationPoint>& points,
                                         const std::vector<OpClass>& seen) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CalibrationPoint*>> by_model;
  for (const auto& p : points) {
    if (!by_model.count(p.model)) order.push_back(p.model);
    by_model[p.model].push_back(&p);
  }
  std::vector<ModelFitReport> reports;
  for (const std::string& name : order) {
    ModelFitReport r;
    r.model = name;
    std::vector<double> layer_errors, point_errors, unseen_errors;
    double seen_measured_s = 0, seen_predicted_s = 0;
    std::map<OpClass, bool> unseen;
    for (const CalibrationPoint* p : by_model.at(name)) {
      const double predicted = predict_s(d, *p);
      const double err = std::abs(predicted / p->measured_s - 1.0);
      point_errors.push_back(err);
      ++r.points;
      if (!p->whole_layer) continue;
      ++r.layers;
      r.measured_s += p->measured_s;
      r.predicted_s += predicted;
      layer_errors.push_back(err);
      if (std::find(seen.begin(), seen.end(), p->cls) == seen.end()) {
        unseen[p->cls] = true;
        unseen_errors.push_back(err);
      } else {
        seen_measured_s += p->measured_s;
        seen_predicted_s += predicted;
      }
    }
    r.whole_rel_error = r.measured_s > 0 ? r.predicted_s / r.measured_s - 1.0 : 0.0;
    r.median_layer_abs_rel_error = median(layer_errors);
    r.median_point_abs_rel_error = median(point_errors);
    r.unseen_layers = unseen_errors.size();
    r.median_unseen_abs_rel_error = median(unseen_errors);
    r.seen_rel_error = seen_measured_s > 0 ? seen_predicted_s / seen_measured_s - 1.0 : 0.0;
    for (const auto& [c, yes] : unseen) r.unseen_classes.push_back(c);
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace edgepart::timing
