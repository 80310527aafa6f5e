#pragma once
// A plan is data (docs/design.md §2, §7): what each device computes, what moves between devices, in which
// order, and how tasks are dispatched. Strategies produce plans; the timing model and the
// simulator execute them without knowing which strategy made them.
//
// A plan holds one or more variants. Most strategies have one; CIC stores one variant per
// bandwidth band (its precomputed min-cut decisions), and a request uses the variant whose band
// contains the link's current rate when it starts. Each variant is a DAG of tasks:
//  - compute: FLOPs (by op kind) on a fixed device (dispatch static), or on whichever device of
//    `pool_devices` is idle first (dispatch pull, DeepThings / ADCNN tiles). A pull task carries
//    its input and output movement (in_bytes from in_from, out_bytes to out_to): the transfers
//    are made when a device takes the task and skipped when that device is in_from / out_to.
//  - transfer: bytes from one device to another over the network.
//  - cache_lookup: CCIED's feature-cache lookup on a device; on a hit (probability from the
//    workload or the plan) the request completes when it finishes and the tasks that depend on
//    it are skipped.
// A request completes when every task of its variant is done (or skipped after a cache hit).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::plan {

using scenario::FlopsByOp;

enum class TaskKind { compute, transfer, cache_lookup };
enum class Dispatch { static_, pull };

// An inclusive row/column range of a layer's output; empty when end < begin.
struct Span {
  int64_t begin = 0, end = -1;
  bool empty() const { return end < begin; }
  int64_t length() const { return empty() ? 0 : end - begin + 1; }
  bool operator==(const Span&) const = default;
};

// No tensor: a transfer whose content is not a piece of a tensor (CCIED's compressed features).
inline constexpr int kNoTensor = -2;

// A box of one tensor: channels x rows x cols of a layer's output (`tensor` = the layer's index),
// or of the model input (`tensor` = -1, model::kModelInput). This is what a transfer carries, so
// that a runtime moves exactly these values and nothing else.
struct TensorPiece {
  int tensor = kNoTensor;
  Span channels, rows, cols;
  bool operator==(const TensorPiece&) const = default;
};

struct Task {
  int id = 0;                 // index in Variant::tasks
  TaskKind kind = TaskKind::compute;
  std::string name;           // readable, e.g. "block1/es2/compute", unique in the variant
  int stage = -1;             // index in Variant::stages, -1 when not part of a stage
  std::vector<int> deps;      // ids of tasks that must finish first (all < id)

  // compute (static and pull): the part of the plan's segmentation it computes: region `region`
  // of stage `stage` (an index into Stage::regions), for the stage's layers `layers` (an empty
  // span: all of them). The cost model times exactly this region, and a runtime computes it.
  // -1 for a task not tied to a region (CCIED's cache lookup).
  int region = -1;
  Span layers;
  // > 0: the task is timed as this share of every one of its layers, whole, instead of its region
  // (FTP's ideal WST-S reuse: every pixel of the fused part computed once, a tile costs its share
  // of the output area; timing::CostModel). 0: the region.
  double reuse_share = 0;

  // compute and cache_lookup
  Dispatch dispatch = Dispatch::static_;
  int device = -1;            // static: the device; pull: -1
  std::vector<int> pool_devices;  // pull: devices that may take the task
  FlopsByOp flops;            // by op kind name
  double memory_bytes = 0;    // weights + live activations of this part (peak-memory accounting)
  // pull only: the input and output movement of the task
  double in_bytes = 0;
  int in_from = -1;
  double out_bytes = 0;
  int out_to = -1;

  // transfer
  int from = -1, to = -1;
  double bytes = 0;
  bool compressed = false;    // bytes are after compression (FDSP)
  TensorPiece data;           // what it carries (kNoTensor: not a tensor piece)

  // cache_lookup
  double hit_probability = 0;

  bool operator==(const Task&) const = default;
};

// What one device computes in a stage: for each layer of the stage, the output rows and columns
// it computes (halo recomputation included). In a "channels" stage (fully connected layers split
// by output neurons) `rows` are the output channels and `cols` is [0, 0].
struct DeviceRegion {
  int device = -1;            // -1 for a pull tile
  int tile = -1;              // tile index for grid strategies, -1 otherwise
  std::vector<Span> rows, cols;  // per layer of the stage, in layer order
  Span input_rows, input_cols;   // region of the stage's input tensor needed
  bool operator==(const DeviceRegion&) const = default;
};

// A stage: a fused block of layers [first_layer, last_layer] executed either distributed
// (split "rows" or "tiles" among devices) or whole on one device (split "none").
struct Stage {
  int first_layer = 0, last_layer = 0;
  std::string split = "none";  // "none", "rows", "tiles", "channels" (FC split by output neurons)
  std::vector<DeviceRegion> regions;
  bool operator==(const Stage&) const = default;
};

struct Prediction {
  double latency_s = 0;        // one request on constant channels at the planning rate
  double compute_s = 0;        // sum over the critical path's compute (informative)
  double transfer_s = 0;
  double bytes_sent = 0;       // total over all transfers (pull tasks: with the planned device)
  // Where the compute time came from, summed over every compute task (overheads excluded): a
  // device's measured profile, or the analytical model (layers no profile covers). Written only
  // when some time was measured.
  double measured_compute_s = 0;
  double analytical_compute_s = 0;
  bool operator==(const Prediction&) const = default;
};

struct Variant {
  // The band of the source's uplink rate (Mbit/s) in which this variant is used: [min, max).
  double min_rate_mbps = 0;
  double max_rate_mbps = std::numeric_limits<double>::infinity();
  std::vector<Stage> stages;
  std::vector<Task> tasks;
  Prediction predicted;
  bool operator==(const Variant&) const = default;
};

struct Plan {
  std::string strategy;
  Json options = Json::object();  // as given, normalised (defaults filled in)
  std::string model_name;
  std::string model_hash;         // ModelGraph::content_hash()
  std::vector<std::string> devices;  // device names; task device indices refer to this list
  int source = 0;
  // The device whose link from the source selects a variant by its current rate (CIC's server);
  // -1: the fastest other device, as for plans with a single variant.
  int rate_peer = -1;
  bool lossless = true;           // false for FDSP (zero padding at tile borders)
  std::vector<Variant> variants;  // at least one
  Prediction predicted;           // of the variant used at the planning rate
  std::vector<std::string> notes; // human-readable remarks ("device es3 left out: too slow")

  // The variant used when the source's uplink rate is `rate_mbps`.
  const Variant& variant_for_rate(double rate_mbps) const;
  bool operator==(const Plan&) const = default;
};

// The planning rate, the one rule that `plan`, `simulate`, the report and the HTML page use to
// pick "the" variant of a plan (docs/timing.md): the rate of the source's uplink to the rate peer
// (the plan's `rate_peer`, e.g. CIC's server; else the fastest other device of the cluster, ties
// by index), or the network's default rate when the source is alone. Plan devices are matched to
// the cluster's by name, so a plan file whose devices are listed in another order than the
// scenario's still picks the right link.
struct PlanningPoint {
  int source = 0;       // cluster index of the plan's source
  int peer = -1;        // cluster index of the rate peer, -1 when the source is alone
  double rate_mbps = 0;
  size_t variant = 0;   // index into Plan::variants
};
PlanningPoint planning_point(const Plan& plan, const scenario::Cluster& cluster);
// The cluster index of the rate peer of a request issued by cluster device `source` when the plan's
// devices map to cluster devices by `plan_to_cluster` (the simulator swaps the plan source's role
// with another workload source's): the mapped rate_peer, else the fastest other device; -1 alone.
int rate_peer_of(const Plan& plan, const scenario::Cluster& cluster, const std::vector<int>& plan_to_cluster, int source);

// The layers a compute task runs (its `layers`, or its stage's whole range), an empty span when
// it is tied to no stage; and the region it computes, nullptr when it has none.
Span task_layers(const Variant& variant, const Task& task);
const DeviceRegion* task_region(const Variant& variant, const Task& task);

// JSON in and out (round-trip exact: parse(to_json(p)) == p).
Json plan_to_json(const Plan& plan);
Plan plan_from_json(const Json& doc, const std::string& file);
Plan load_plan(const std::string& path);
// A plan file is run only on the model it was made for: its recorded hash must equal the model's
// content hash (a zeroed or edited hash is a mismatch too) and every stage must end inside the
// model. InputError at /model/hash or /variants otherwise. The one check behind `simulate --plan`,
// `run --plan` and `verify --plan`.
void check_plan_model(const Plan& plan, const std::string& plan_file, const model::ModelGraph& graph,
                      const std::string& model_file);

// Structural checks: task ids, deps acyclic and earlier, devices in range. InputError when broken.
void validate_plan(const Plan& plan, const std::string& file);

}  // namespace edgepart::plan
