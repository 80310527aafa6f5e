#pragma once
// Resource limits on user input (docs/robustness.md): an input over a limit is refused with an
// InputError that names the limit and how to raise it, instead of exhausting memory or time.
// Each default is far above any real input (the largest torchvision model in models/ has ~300
// layers; the papers of docs/design.md §5 use at most ~10 devices) and can be raised through an
// environment variable for the rare user who needs more.
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "edgepart/util/strings.hpp"  // with_thousands, for the messages of the callers

namespace edgepart::limits {

// The value of environment variable `name` when it is a positive integer, else `fallback`
// (an unparsable value is ignored rather than fatal: limits are a safety net, not a feature).
inline int64_t from_env(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v <= 0) return fallback;
  return static_cast<int64_t>(v);
}

// Layers of a model (JSON or ONNX). 100,000: a 100,000-layer chain still loads, analyses and
// plans in seconds (docs/robustness.md has the measurement).
inline int64_t max_layers() { return from_env("EDGEPART_MAX_LAYERS", 100'000); }
// Devices of a scenario. 1,024: 100x the largest cluster in the literature we reproduce.
inline int64_t max_devices() { return from_env("EDGEPART_MAX_DEVICES", 1'024); }
// Requests of one simulation. 10^7: memory does not grow with requests (sim/request_log.hpp), but
// the simulator simulates ~120,000 DPFP requests per CPU second (bench/README.md: 100,000 in
// 0.83 s), so the limit is about 80 s of CPU.
inline int64_t max_requests() { return from_env("EDGEPART_MAX_REQUESTS", 10'000'000); }
// Events of one simulation. 10^9: at ~9 M events/s (bench/README.md) about 2 minutes of CPU;
// 10^7 DPFP requests need ~6.5 x 10^8 (65 events each).
inline int64_t max_events() { return from_env("EDGEPART_MAX_EVENTS", 1'000'000'000); }
// Candidate block ends of one DPFP search (partitions "dp" and "one"). The DP costs every block (a, b], so it
// is quadratic in them: a 10,000-conv chain takes ~3 s of CPU with 4 devices, a 100,000-layer one
// would take minutes. Real CNNs have a few hundred (densenet121: the largest in models/).
inline int64_t max_dpfp_positions() { return from_env("EDGEPART_MAX_DPFP_POSITIONS", 10'000); }
// The worst-case work of one DPFP device search: (candidate block ends)^2 (partition "each":
// the block ends) times the devices of every device set it tries, summed. One unit took ~57 ns
// (VGG-16 on 8 devices: 20^2 x 1,024 = 4 x 10^5 units in 22.8 ms, bench/README.md), so 5 x 10^8
// is about 30 s of CPU; a 10,000-layer chain on 256 devices (3 x 10^12) is refused at once.
// Pruning often makes the search much faster than this bound.
inline int64_t max_dpfp_work() { return from_env("EDGEPART_MAX_DPFP_WORK", 500'000'000); }
// Fused-layer counts FTP tries when the scenario does not fix `fused_layers`. Each builds the tile
// plan of its fused block, so the search is quadratic: 2,000 (a 2,000-conv chain) take ~3 s of
// CPU, 10,000 take ~80 s. DeepThings fuses at most a few dozen layers.
inline int64_t max_ftp_search() { return from_env("EDGEPART_MAX_FTP_SEARCH", 2'000); }
// GFLOP of executing an approximate plan for its accuracy cost (exec/plan_accuracy.hpp: the whole
// model and the segmented one). 200: VGG-16 (2 x 31 GFLOP) takes ~3 s of CPU on the Eigen executor,
// so the limit is about 10 s.
inline int64_t max_accuracy_gflop() { return from_env("EDGEPART_MAX_ACCURACY_GFLOP", 200); }

// The message tail telling the user how to raise a limit.
inline std::string raise_hint(const char* env_name) {
  return std::string(" (limit; set ") + env_name + " to raise it)";
}

}  // namespace edgepart::limits
