#pragma once
// The analytical compute-time model (docs/timing.md "The analytical model"): the time of one
// layer's output region on a device, from FLOPs and bytes moved, when no measured profile covers
// the layer. A roofline (Williams, Waterman, Patterson, "Roofline: an insightful visual
// performance model for multicore architectures", CACM 52(4), 2009) per op class:
//
//   time = layer_overhead_s + max(flops / (peak_gflops * 1e9 * efficiency),
//                                 bytes / (memory_gbps * 1e9))          (no memory term when 0)
//
// With a scenario's defaults (memory_gbps 0, layer_overhead_ms 0, efficiency by op name) this is
// exactly the FLOPs / (speed_gflops * efficiency) rule of docs/design.md §3.
#include <map>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/cost/op_class.hpp"
#include "edgepart/rf/region.hpp"
#include "edgepart/scenario/scenario.hpp"

namespace edgepart::timing {

using cost::OpClass;
using cost::op_class;
using cost::op_class_name;

struct AnalyticalDevice {
  double peak_gflops = 0;                         // scenario speed_gflops (times a speed factor)
  std::map<model::OpKind, double> op_efficiency;  // scenario efficiency keys that are op names
  std::map<OpClass, double> class_efficiency;     // scenario efficiency keys that are op classes
  double memory_gbps = 0;                         // 0 = no memory term
  double layer_overhead_s = 0;                    // per layer region computed
  double task_overhead_s = 0;                     // per compute task (the caller adds it)
};

// The device's parameters; `speed_factor` (a speed profile's factor, 1 = nominal) scales the
// compute peak only.
AnalyticalDevice make_analytical_device(const scenario::Device& device, double speed_factor = 1.0);

// The efficiency of a layer of op `op` and class `cls` (docs/formats.md "Device"): when both an
// op-name key and a class key are given, the narrower one wins. For conv2d, which splits into
// several classes, the class key ("conv_1x1") is narrower than "conv2d"; for every other op the
// op name ("relu") is narrower than its class ("activation"). Neither given: 1.
double layer_efficiency(const AnalyticalDevice& d, model::OpKind op, OpClass cls);

// What one layer does for one output region.
struct LayerWork {
  model::OpKind op = model::OpKind::identity;
  OpClass cls = OpClass::data_movement;
  double flops = 0;         // rf::region_cost: exact for the region
  double bytes = 0;         // input regions read + weights + output region written
  bool empty = true;        // an empty region is not computed: it takes no time at all
};

// The work of `region` of layer `layer`'s output (clipped to the map; flat layers are one pixel).
LayerWork layer_work(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, model::LayerIndex layer,
                     const rf::Region& region);

// The roofline with efficiency `efficiency` (in (0, 1]).
double roofline_time_s(const AnalyticalDevice& d, double efficiency, double flops, double bytes);
// The time of a layer region whose efficiency is its class's (missing class: 1); what
// calibrate fits.
double analytical_layer_time_s(const AnalyticalDevice& d, OpClass cls, double flops, double bytes);
// The time of one layer region: 0 when empty, else the roofline at layer_efficiency.
double analytical_layer_time_s(const AnalyticalDevice& d, const LayerWork& w);

}  // namespace edgepart::timing
