#pragma once
// Measured per-layer compute times (docs/formats.md "Profile", docs/timing.md "Measured profiles"):
// the file written by `edgepart profile`, its strict reader and writer, and the one interpolation
// that turns a profile into the time of a layer's output region. The planner calls layer_time_s
// in its inner loop, so it is O(1) to find the layer and O(log points) within it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::scenario {
struct Device;
}

namespace edgepart::timing {

using model::LayerIndex;

// Where and how the times were measured (informative: nothing reads it back but people).
struct MeasuredOn {
  std::string host;     // host name
  std::string cpu;      // /proc/cpuinfo "model name"
  int64_t threads = 1;  // threads the runtime used
  std::string runtime;  // "edgepart-eigen 0.1.0 (Eigen 3.4.0)", "pytorch 1.13.0", ...
  bool operator==(const MeasuredOn&) const = default;
};

struct ProfileSettings {
  int64_t runs = 0;    // timed runs asked per point (a point may have fewer: see ProfilePoint::runs)
  int64_t warmup = 0;  // untimed runs before them
  bool operator==(const ProfileSettings&) const = default;
};

// The time of one output region of rows x cols pixels (the top-left rows, the whole width unless
// cols < W), over `runs` timed runs: median and quartiles, in seconds.
struct ProfilePoint {
  int64_t rows = 0, cols = 0;
  double median_s = 0, p25_s = 0, p75_s = 0;
  int64_t runs = 0;
  bool operator==(const ProfilePoint&) const = default;
};

struct LayerProfile {
  LayerIndex layer = 0;
  std::string name, op;  // as in the model (checked against it by check_profile_matches)
  model::Shape output;   // the layer's whole output
  // Sorted by (cols, rows), no pair twice (the reader refuses anything else).
  std::vector<ProfilePoint> points;
  bool operator==(const LayerProfile&) const = default;
};

// A transfer of `bytes` between two devices took median_s (optional; not measured by edgepart).
struct TransferPoint {
  double bytes = 0;
  double median_s = 0;
  bool operator==(const TransferPoint&) const = default;
};

struct Profile {
  MeasuredOn measured_on;
  std::string model_name, model_hash;  // ModelGraph::name, ModelGraph::content_hash()
  ProfileSettings settings;
  // Ascending layer index, each layer at most once (the reader refuses anything else; find()
  // relies on it).
  std::vector<LayerProfile> layers;
  std::vector<TransferPoint> transfers;  // ascending bytes
  std::string file;  // where it was read from (for messages), empty when measured

  // The LayerProfile of `layer`, or nullptr when the profile does not hold it. O(1) when the
  // profile covers every layer (layers[i].layer == i), else a binary search.
  const LayerProfile* find(LayerIndex layer) const;

  // Predicted time of `rows` x `cols` output pixels of `layer` (docs/timing.md "Measured
  // profiles"): nullopt when the layer has no points. rows, cols >= 0; 0 rows or cols take 0 s.
  std::optional<double> layer_time_s(LayerIndex layer, int64_t rows, int64_t cols) const;
  // The same times channel_fraction in (0, 1]: a share of a flat (H = W = 1) layer's output
  // neurons, whose time the caller takes as proportional to the neurons it computes.
  std::optional<double> layer_time_s(LayerIndex layer, int64_t rows, int64_t cols, double channel_fraction) const;

  // layer_time_s(layer, r, W) for r = 0 .. H (W, H: the layer's output width and height), empty
  // when the layer has no points: for callers that query one layer many times over whole-width
  // strips (a planner's inner loop can then index instead of interpolating, ~20 ns per call).
  std::vector<double> whole_width_row_times_s(LayerIndex layer) const;

  // The content; `file` (where it was read from) is not part of it.
  bool operator==(const Profile& o) const {
    return measured_on == o.measured_on && model_name == o.model_name && model_hash == o.model_hash &&
           settings == o.settings && layers == o.layers && transfers == o.transfers;
  }
};

// The interpolation of one layer's points (exposed for tests): see layer_time_s.
double interpolate_points(const std::vector<ProfilePoint>& points, int64_t rows, int64_t cols);

// The file format.
Json profile_to_json(const Profile& p);
std::string profile_to_json_text(const Profile& p);  // sorted keys, 2-space indent, final newline
// Strict: every error is InputError(file, json pointer, "what (got X)").
Profile profile_from_json(const Json& doc, const std::string& file);
Profile load_profile(const std::string& path);

// InputError naming `file` when the profile was measured on another model (name or hash differ),
// or when a layer's index, name, op or output shape is not the model's.
void check_profile_matches(const Profile& p, const model::ModelGraph& graph, const std::string& file);

// The profiles of `device` (scenario key "profiles") measured on `graph` (same content hash);
// profiles of other models are ignored, so one device entry can carry profiles for several models.
// Every listed file is read and checked (a broken file is an error even when it is for another
// model); two profiles for this model on one device are an error.
std::vector<Profile> load_device_profiles(const scenario::Device& device, const model::ModelGraph& graph);

}  // namespace edgepart::timing
