#pragma once
// The scenario (docs/design.md §7): the devices, the network and its channels, the workload, the default
// strategy and the seed. Parsed strictly (every error names the file and the JSON pointer);
// `--set /json/pointer=value` overrides are applied to the document before parsing.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::scenario {

// A change of a device's speed at a time: factor multiplies speed_gflops from `at_s` on;
// factor 0 means the device has failed (docs/design.md §6).
struct SpeedChange {
  double at_s = 0;
  double factor = 1;
  bool operator==(const SpeedChange&) const = default;
};

struct Device {
  std::string name;
  double speed_gflops = 0;
  bool is_source = false;  // role "source": holds the input, receives the result
  // Efficiency in (0, 1], keyed by op name ("conv2d", "linear", ...) or op class ("conv_1x1",
  // "activation", ...; cost/op_class.hpp); missing = 1. When both an op key and a class key match a
  // layer, the narrower wins (docs/formats.md; timing::layer_efficiency applies it).
  std::map<std::string, double> efficiency;
  double task_overhead_s = 0;            // added to every compute task (JSON: task_overhead_ms)
  // The analytical model's roofline terms (docs/timing.md): 0 = not memory-bound, no per-layer cost.
  double memory_gbps = 0;                // JSON: memory_gbps
  double layer_overhead_s = 0;           // added to every layer of a task (JSON: layer_overhead_ms)
  std::optional<double> memory_mb;       // plans that need more are infeasible
  std::optional<double> power_busy_w;    // energy accounting when given
  std::optional<double> power_idle_w;
  std::optional<double> power_tx_w;
  std::vector<SpeedChange> speed_profile;  // sorted by at_s
  // Measured per-layer profiles (docs/formats.md "Profile"), resolved relative to the scenario
  // file; read by timing::load_device_profiles, which keeps those of the scenario's model.
  std::vector<std::string> profiles;
  bool operator==(const Device&) const = default;
};

// Channel models (docs/design.md §6), each a piecewise-constant rate profile in the simulator. A link's
// nominal bandwidth (`bandwidth_mbps`, the planning rate) and its channel are one thing: fading
// scales the link's bandwidth, so a sweep or an override of the bandwidth moves what is simulated
// (docs/simulator.md "Links and channels"). Only a trace is absolute (it is a measurement).
struct ConstantChannel {          // rate = R, the link's bandwidth
  bool operator==(const ConstantChannel&) const = default;
};
struct RayleighChannel {          // rate = R log2(1 + snr g) / E[log2(1 + snr g)], g = |h|^2 ~ Exp(1):
  double snr_db = 20;             // mean SNR                                block fading of mean R
  double coherence_ms = 10;       // a new draw every coherence time
  bool operator==(const RayleighChannel&) const = default;
};
struct GilbertElliottChannel {    // two-state Markov chain, one step every step_ms:
  double good_factor = 0, bad_factor = 0;  // rate = R x good_factor or R x bad_factor
  double p_good_to_bad = 0.1, p_bad_to_good = 0.3;
  double step_ms = 10;
  bool operator==(const GilbertElliottChannel&) const = default;
};
using TracePoints = std::vector<std::pair<double, double>>;  // (time_s, rate_mbps)
struct TraceChannel {             // CSV of (time_s, rate_mbps), looping; absolute rates
  std::string path;               // resolved relative to the scenario file
  // Loaded once at parse time and shared, never copied, by every link override and every
  // directed link of the simulator that uses the trace (a 1 M-row trace on 32 devices was copied
  // into all 992 links: 9.3 GB).
  std::shared_ptr<const TracePoints> points;
  bool loop = true;
  bool operator==(const TraceChannel& o) const {
    return path == o.path && loop == o.loop && (points == o.points || (points && o.points && *points == *o.points));
  }
};
using ChannelSpec = std::variant<ConstantChannel, RayleighChannel, GilbertElliottChannel, TraceChannel>;
std::string channel_kind(const ChannelSpec& spec);  // "constant", "rayleigh", ...
// The long-run mean rate (Mbit/s) of a link of bandwidth `bandwidth_mbps` under `spec`: the
// bandwidth itself for constant and Rayleigh channels, bandwidth x the stationary mean factor for
// Gilbert-Elliott, the time-weighted mean of a trace's period (without loop: its last rate).
double channel_mean_rate_mbps(const ChannelSpec& spec, double bandwidth_mbps);

// A per-pair override of the network's defaults (directed: from -> to; `symmetric` also adds to -> from).
struct LinkSpec {
  std::string from, to;
  double bandwidth_mbps = 0;
  double latency_s = 0;
  ChannelSpec channel;
  bool symmetric = false;  // also the to -> from override (JSON: symmetric, default false)
  bool operator==(const LinkSpec&) const = default;
};

enum class NetworkKind { shared, switched };
enum class Sharing { fifo, fair };

struct Network {
  NetworkKind kind = NetworkKind::shared;
  Sharing sharing = Sharing::fifo;  // shared medium: one transfer at a time, or rate split
  double bandwidth_mbps = 100;      // the planning rate (and the constant channel's rate)
  double latency_s = 0;             // per transfer (JSON: latency_ms)
  // The share of a link's bandwidth that carries payload (protocol headers take the rest): 1
  // (the papers' model) by default; TCP over Ethernet with 1500-byte frames and timestamps
  // carries 1448 of every 1514 bytes a Linux shaper counts, 0.956 (docs/timing.md).
  double goodput_factor = 1.0;
  // A fixed time every transfer between two devices takes besides latency and bits: framing,
  // system calls and copies at both ends (JSON: message_overhead_ms, default 0 as in the
  // papers; tools/runtime_overheads.py measures edgepart run's). Unlike latency, an emulated
  // network does not add it: the software that sends the message does.
  double message_overhead_s = 0;
  ChannelSpec channel;              // default channel of every link
  std::vector<LinkSpec> links;      // per-pair overrides
  bool operator==(const Network&) const = default;
};

enum class Arrival { closed, periodic, poisson };

struct Workload {
  int64_t requests = 1;
  Arrival arrival = Arrival::closed;
  int64_t concurrency = 1;               // closed loop: requests in flight
  double period_s = 0;                   // periodic (JSON: period_ms)
  double rate_rps = 0;                   // poisson
  std::optional<double> deadline_s;      // JSON: deadline_ms
  std::vector<std::string> sources;      // devices that issue requests; default: the source device
  std::optional<double> cache_hit_rate;  // CCIED: measured hit rate of the feature cache
  bool operator==(const Workload&) const = default;
};

struct StrategySpec {
  std::string name = "dpfp";
  Json options = Json::object();  // parsed strictly by the strategy itself
  bool operator==(const StrategySpec&) const = default;
};

struct Scenario {
  std::string file;        // the scenario file (for messages)
  std::string name;
  std::string model_path;  // resolved relative to the scenario file
  std::string model_until; // "" = the whole model, else plan only its layers up to this one
  std::vector<Device> devices;
  Network network;
  Workload workload;
  StrategySpec strategy;
  uint64_t seed = 1;

  int source() const;  // index of the source device
  // Every file this scenario reads: itself, the model, the channels' trace CSVs, the devices'
  // profiles. Outputs may not
  // be written over any of them.
  std::vector<std::string> input_files() const;
  std::optional<int> find_device(const std::string& name) const;
};

// Reads a scenario file, applies `overrides` ("/json/pointer=value": value parsed as JSON when it
// is valid JSON, else taken as a string), then parses strictly.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});
Scenario scenario_from_json(const Json& doc, const std::string& file);
// The scenario's model: model_path loaded, cut after layer `model_until` when that is set
// (model::model_prefix). InputError at /model when the file is not there, at /model_until when no
// layer has that name or it does not end a prefix; errors inside the model file name that file.
// Every command that plans or simulates a scenario loads its model through this.
model::ModelGraph load_scenario_model(const Scenario& scenario);
// Applies one "/json/pointer=value" override to a document; InputError when malformed.
void apply_override(Json& doc, const std::string& override_text, const std::string& file);

}  // namespace edgepart::scenario
