#pragma once
// Fitting the analytical model to measured layer times (`edgepart calibrate`, docs/timing.md
// "Calibration"). Per op class c with at least one point of non-zero FLOPs, the model is
//
//   t = o + max(a_c * flops, b * bytes)
//
// with a_c = 1 / (class speed in FLOP/s), b = 1 / (memory bandwidth in B/s) or 0, o >= 0 the
// per-layer overhead. The fit minimises the sum of squared RELATIVE errors, measured as log ratios
// ln(pred / measured)^2, over every point: layer times span five orders of magnitude (a 20 us
// flatten to a 200 ms conv), so absolute errors would fit the few largest convs and ignore
// everything else; the log makes 2x too slow and 2x too fast equally wrong, where
// (pred / measured - 1)^2 would bias the fit low (docs/timing.md "Calibration"). Deterministic:
// fixed grids and iteration counts, no random starts.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/timing/analytical.hpp"
#include "edgepart/timing/profile.hpp"

namespace edgepart::timing {

// One measured layer region.
struct CalibrationPoint {
  std::string model;             // the model it was measured on (for per-model reports, --holdout)
  model::LayerIndex layer = 0;
  OpClass cls = OpClass::other;
  double flops = 0, bytes = 0;   // LayerWork of the region
  double measured_s = 0;         // > 0
  bool whole_layer = false;      // the region is the layer's whole output
};

// Every point of a profile as an observation of the analytical model: the region is output rows
// [0, rows-1] and columns [0, cols-1] (docs/formats.md "Profile"); FLOPs and bytes by layer_work.
// The profile must match the graph (check_profile_matches).
std::vector<CalibrationPoint> calibration_points(const Profile& profile, const model::ModelGraph& graph,
                                                 const cost::ModelAnalysis& analysis);

// How a class got its efficiency.
struct ClassSource {
  OpClass cls = OpClass::other;
  bool fitted = false;                 // from its own points
  std::optional<OpClass> borrowed_from;  // unseen: the nearest fitted class (kNearestClasses order)
  // unseen and no neighbour fitted: the geometric mean of the fitted efficiencies ("overall")
};

struct CalibrationFit {
  AnalyticalDevice device;   // peak_gflops, class_efficiency (every class with FLOPs), memory, overhead
  std::vector<ClassSource> classes;  // every class that has an efficiency in `device`, enum order
  std::vector<OpClass> seen_classes;  // every class with at least one point (FLOPs or not), enum order
  double mean_sq_log_error = 0;      // the objective at the optimum, per point: mean ln(pred/measured)^2
  size_t points = 0;
};

// Fits the model to `points` (at least one with FLOPs > 0; every measured_s > 0).
CalibrationFit fit_analytical(const std::vector<CalibrationPoint>& points);

// The model's time for a point (class efficiency only; see analytical_layer_time_s).
double predict_s(const AnalyticalDevice& d, const CalibrationPoint& p);

// How well a device predicts one model's points.
struct ModelFitReport {
  std::string model;
  size_t layers = 0, points = 0;
  double measured_s = 0, predicted_s = 0;  // whole model: the sum over whole-layer points
  double whole_rel_error = 0;              // predicted / measured - 1
  double median_layer_abs_rel_error = 0;   // over whole-layer points
  double median_point_abs_rel_error = 0;   // over every point (partial heights too)
  // Layers whose class the fit had no points of (held-out models): their count and median error.
  size_t unseen_layers = 0;
  double median_unseen_abs_rel_error = 0;
  // The whole-model error over the layers of seen classes only (= whole_rel_error without unseen
  // layers): how well the model does where the fit had data.
  double seen_rel_error = 0;
  std::vector<OpClass> unseen_classes;
};

// One report per model, in the order models first appear in `points`. `seen` are the classes the
// device was fitted on (CalibrationFit::seen_classes); layers of other classes count as unseen.
std::vector<ModelFitReport> evaluate_fit(const AnalyticalDevice& d, const std::vector<CalibrationPoint>& points,
                                         const std::vector<OpClass>& seen);

}  // namespace edgepart::timing
