#pragma once
// Shared helpers for the strategies (docs/design.md §5): assembling a plan variant task by task, the
// FLOPs and bytes of parts of layers, the cut points of a DAG, and memory feasibility. Internal
// to the strategy module (strategies include it as "strategy/plan_builder.hpp").
#include <optional>
#include <string>
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/rf/region.hpp"
#include "edgepart/strategy/strategy.hpp"

namespace edgepart::strategy {

using model::LayerIndex;
using plan::FlopsByOp;

// One mebibyte: memory_mb counts 2^20 bytes (device memory is quoted in binary units).
inline constexpr double kBytesPerMb = 1024.0 * 1024.0;

// ---- costs of parts of layers ----

// FLOPs of `region` of layer l's output, keyed by op name (rf::region_cost: exact per pixel).
FlopsByOp region_flops(const PlanRequest& r, LayerIndex l, const rf::Region& region);
// FLOPs of layers first..last, whole.
FlopsByOp range_flops(const PlanRequest& r, LayerIndex first, LayerIndex last);
void add_flops(FlopsByOp& into, const FlopsByOp& more);
// Weights of layers first..last in bytes (params x dtype_bytes).
double weight_bytes(const PlanRequest& r, LayerIndex first, LayerIndex last);
// Bytes of `region` of a tensor (a layer's output, or model::kModelInput).
double tensor_bytes(const PlanRequest& r, LayerIndex producer, const rf::Region& region);
double tensor_bytes(const PlanRequest& r, LayerIndex producer);  // the whole tensor
// The whole map of a tensor as a region.
rf::Region whole(const PlanRequest& r, LayerIndex producer);
// Output rows/cols of a region as plan spans.
plan::Span span(const rf::Interval& i);
// What a transfer carries: `region` (clipped to the map) of a tensor, every channel; the whole
// tensor; channels `channels` of a tensor, whole maps (a flat tensor's neurons are channels).
plan::TensorPiece piece(const PlanRequest& r, LayerIndex producer, const rf::Region& region);
plan::TensorPiece piece(const PlanRequest& r, LayerIndex producer);
plan::TensorPiece channel_piece(const PlanRequest& r, LayerIndex producer, const rf::Interval& channels);

// A stage that runs layers first..last whole on one device (DPFP's tail, FTP's and FDSP's rest):
// the stage with its one region (every layer's whole map, the input `input_producer`'s whole map)
// and the peak activation bytes (a layer's inputs plus its output, the largest over the layers).
struct WholeStage {
  plan::Stage stage;
  double activation_bytes = 0;
};
WholeStage whole_stage(const PlanRequest& r, int device, LayerIndex input_producer, LayerIndex first, LayerIndex last);

// ---- structure ----

// The single-tensor cut points of the DAG (docs/design.md §5): layers j after which only j's output is
// live, ascending. The model input (-1) is always a cut point and is not listed; the last layer
// always is.
std::vector<LayerIndex> cut_points(const model::ModelGraph& graph);
// The last layer of the longest row-splittable prefix that ends at a cut point, or -1 when the
// first layer already needs a whole map (rf::spatial_prefix_end).
LayerIndex spatial_end(const PlanRequest& r);

// Layer groups that layer-wise strategies treat as one "layer" (MoDNN's partition unit, the
// fused-layer count of FTP): in the spatial prefix, a unit starts at every cut-point segment that
// holds a convolution (or a whole multi-layer DAG block) and runs to the next such segment, so
// activations, batch-norm and pooling go with the convolution before them. After the spatial
// prefix, every linear layer starts a `channels` unit (split by output neurons) that takes the
// element-wise layers after it; anything else (flatten, global pooling, softmax) is a `none`
// unit run whole.
struct Unit {
  LayerIndex first = 0, last = 0;
  enum Kind { rows, channels, none } kind = rows;
};
std::vector<Unit> layer_units(const PlanRequest& r);

// Device names, "es0".
const std::string& device_name(const PlanRequest& r, int device);
// The device named by option `key` ("source", "fastest" or a device name); InputError naming the
// option's pointer when unknown.
int device_option(const PlanRequest& r, const JsonCursor& options, const std::string& key, const std::string& fallback);

// ---- assembling a plan ----

class PlanBuilder {
public:
  PlanBuilder(const PlanRequest& request, std::string strategy, Json options);

  const PlanRequest& request() const { return request_; }
  plan::Plan& plan() { return plan_; }
  plan::Variant& variant() { return plan_.variants.back(); }
  // Starts another variant (CIC-style bands); the first exists from the start.
  void new_variant(double min_rate_mbps, double max_rate_mbps);

  int add_stage(plan::Stage stage);
  // A compute task on a fixed device. `activation_bytes`: the live activations of this part
  // (inputs + outputs); `weights`: the weights of the layers it runs. Memory per task is filled
  // in by finish() (weights of everything the device runs + this task's activations). The task
  // computes the stage's region of `device` (Task::region), all the stage's layers unless the
  // caller narrows Task::layers.
  int compute(int device, FlopsByOp flops, std::vector<int> deps, std::string name, int stage = -1,
              double activation_bytes = 0, double weights = 0);
  // A pull-dispatched compute task (tiles): region `region` of stage `stage`, its input (the
  // region's input box) from `in_from`, its output (the region of the stage's last layer) to `out_to`.
  int pull(std::vector<int> pool, FlopsByOp flops, int in_from, double in_bytes, int out_to, double out_bytes,
           std::vector<int> deps, std::string name, int stage, int region, double activation_bytes = 0,
           double weights = 0, bool compressed = false);
  // A transfer of `data` (`bytes` on the wire: its size, or less when compressed); returns what
  // a consumer must wait for: {the transfer's id}, or `deps` unchanged when nothing moves
  // (from == to, or 0 bytes).
  std::vector<int> transfer(int from, int to, double bytes, const plan::TensorPiece& data, std::vector<int> deps,
                            std::string name, int stage = -1, bool compressed = false);
  void note(std::string text) { plan_.notes.push_back(std::move(text)); }

  // Fills memory, validates, predicts (sim::predict) and returns the plan.
  plan::Plan finish();

private:
  int add_task(plan::Task t, double activation_bytes, double weights);
  const PlanRequest& request_;
  plan::Plan plan_;
  // Per variant, per task: activations and weights (memory is computed at finish()).
  std::vector<std::vector<std::pair<double, double>>> memory_parts_;
};

// Memory a plan needs on each device (bytes): the largest memory_bytes of its static tasks, and of
// the pull tasks it may take.
std::vector<double> memory_needs(const plan::Plan& plan, int devices);
// "needs 612.3 MB on 'es0', which has 512 MB" when some device's memory_mb is exceeded.
std::optional<std::string> memory_problem(const plan::Plan& plan, const scenario::Cluster& cluster);

// Sum of the FLOPs (or MACs: conv2d + linear FLOPs / 2) over all compute tasks of a variant.
double plan_flops(const plan::Variant& v);
double plan_macs(const plan::Variant& v);

}  // namespace edgepart::strategy
