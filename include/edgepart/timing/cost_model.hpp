#pragma once
// The one cost model for compute time (docs/design.md §3, docs/timing.md "Durations"): the time of a
// compute task is a function of the device, the layers it runs and the output region it computes
// of each. Strategies (their searches included) and the simulator (whose one-request run is
// every plan's prediction) all ask this class; none of them computes a compute time itself.
//
//   task time = task overhead of the device + sum over the task's layers of the layer's time
//
// A layer's time is, in this order of preference: the device's measured profile of this model
// (scenario key `profiles`, timing/profile.hpp: interpolated in the rows and columns computed),
// else the analytical model (timing/analytical.hpp: a roofline per op class; with a scenario's
// defaults exactly FLOPs of the region / (speed_gflops * 1e9 * efficiency(op)), docs/design.md §3).
//
// What a layer of a task computes (Task::stage / region / layers, plan::task_region):
//  - "rows" / "tiles" / "none" stages: the region's rows x cols of the layer's output, every channel;
//  - "channels" stages (fully connected layers split by output neurons): region rows are the
//    output-channel range, so the layer costs that fraction of the whole layer;
//  - Task::reuse_share > 0 (FTP with ideal WST-S reuse): every pixel of the fused part is computed
//    once, so the task costs that share of every one of its layers, whole (not its region, whose
//    halo would count overlapping pixels again).
// A compute task tied to no region (CCIED's cache lookup, hand-written plans) is timed from its
// FLOPs by op kind: flops_time_s.
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/rf/region.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/timing/analytical.hpp"
#include "edgepart/timing/profile.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::timing {

class CostModel {
public:
  // The cluster's devices are copied (speeds, efficiencies, overheads) and the profiles they list
  // are read (those of other models ignored: timing::load_device_profiles; InputError when one is
  // broken); graph and analysis are referenced and must outlive the cost model.
  CostModel(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, const scenario::Cluster& cluster);

  // Whether `layer`'s time on `device` comes from a measured profile (else: the analytical model).
  bool measured(int device, model::LayerIndex layer) const;
  // The part of task_work_s that comes from the analytical model (layers no profile covers, and
  // tasks tied to no region).
  double task_analytical_work_s(int device, const plan::Variant& variant, const plan::Task& task) const;

  int devices() const { return static_cast<int>(devices_.size()); }

  // The fixed cost of starting one task on the device (scenario `task_overhead_s`).
  double task_overhead_s(int device) const { return this->device(device).task_overhead_s; }
  // One layer's output region `out` (clipped to the map), every channel; no task overhead.
  // Inline: the searches call it in their innermost loops (dpfp: O(positions^2 x devices)).
  double layer_time_s(int device, model::LayerIndex layer, const rf::Region& out) const {
    const size_t slot = layer_slot(device, layer);
    if (!flops_only_[slot]) return modelled_layer_time_s(device, layer, out);
    const int64_t area = out.clip(analysis_.shapes[static_cast<size_t>(layer)]).area();
    // <= the layer's FLOPs (cost::analyze checked those against overflow), as area <= the map's.
    const int64_t flops = flops_per_pixel_[static_cast<size_t>(layer)] * area;
    return flops == 0 ? 0.0 : static_cast<double>(flops) / flops_per_s_[slot];
  }
  // The whole layer (precomputed: the searches call it in their inner loops).
  double whole_layer_time_s(int device, model::LayerIndex layer) const;
  // `fraction` (0..1) of the whole layer: a share of its output channels ("channels" stages) or of
  // its work (FTP's ideal reuse).
  double layer_share_time_s(int device, model::LayerIndex layer, double fraction) const;

  // A compute or cache-lookup task of `variant` on `device`: the work part (what a speed factor
  // divides in the simulator) and the total, overhead + work.
  double task_work_s(int device, const plan::Variant& variant, const plan::Task& task) const;
  double task_time_s(int device, const plan::Variant& variant, const plan::Task& task) const;

  // Work tied to no layer region, from its FLOPs by op kind: the sum over op kinds (in name
  // order) of flops / (speed_gflops * 1e9 * efficiency(op)), docs/design.md §3. flops_time_s adds the
  // task overhead.
  double flops_work_s(int device, const plan::FlopsByOp& work) const;
  double flops_time_s(int device, const plan::FlopsByOp& work) const;

private:
  // The analytical model of one layer's region (timing/analytical.hpp): without memory or
  // per-layer terms its FLOPs (rf::region_cost, exact per output pixel) / (speed_gflops * 1e9 *
  // efficiency), as one multiplication and one division (the searches call it in inner loops);
  // else the roofline of the region's FLOPs and bytes.
  double analytical_layer_time_s(int device, model::LayerIndex layer, const rf::Region& out) const;
  // layer_time_s when the layer is measured or the device has memory or per-layer terms.
  double modelled_layer_time_s(int device, model::LayerIndex layer, const rf::Region& out) const;
  // Which parts of a task's work `include` selects (all, or only the analytical ones).
  double work_s(int device, const plan::Variant& variant, const plan::Task& task, bool analytical_only) const;
  const scenario::Device& device(int d) const {
    EDGEPART_ASSERT(d >= 0 && d < devices(), "cost model: device " + std::to_string(d) + " out of range");
    return devices_[static_cast<size_t>(d)];
  }
  size_t layer_slot(int device, model::LayerIndex layer) const {
    EDGEPART_ASSERT(device >= 0 && device < devices() && layer >= 0 && static_cast<size_t>(layer) < graph_.size(),
                    "cost model: device " + std::to_string(device) + " or layer " + std::to_string(layer) + " out of range");
    return static_cast<size_t>(device) * graph_.size() + static_cast<size_t>(layer);
  }

  const model::ModelGraph& graph_;
  const cost::ModelAnalysis& analysis_;
  std::vector<scenario::Device> devices_;
  std::vector<AnalyticalDevice> analytical_;  // [device]
  std::vector<std::vector<Profile>> profiles_;  // [device]: its profiles of this model (at most one)
  std::vector<char> measured_;        // [device * layers + layer]: a profile covers the layer
  std::vector<int64_t> flops_per_pixel_;  // [layer]: rf::region_cost of one output pixel
  std::vector<double> flops_per_s_;   // [device * layers + layer]: speed_gflops * 1e9 * efficiency(op)
  std::vector<double> whole_layer_s_; // [device * layers + layer]
  // [device * layers + layer]: not measured, and the device's analytical model is FLOPs over
  // speed alone (no memory or per-layer term): the time is one multiplication and one division.
  std::vector<char> flops_only_;
};

}  // namespace edgepart::timing
