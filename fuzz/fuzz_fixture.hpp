#pragma once
// A small valid model and scenario for the harnesses that run the whole pipeline (fuzz_channel,
// fuzz_sweep, fuzz_set): written once per process into a private folder, removed at exit. The
// model is tiny (7 layers on a 3x32x32 input) so that planning and a few simulated requests take
// milliseconds; the scenario has three devices on a switched network so that plans transfer data
// over links, which is where the channels act.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "edgepart/util/json_read.hpp"

namespace edgepart::fuzz {

inline const char* kTinyModel = R"({
  "format": "edgepart.model", "version": 1, "name": "fuzz-tiny", "input": [3, 32, 32],
  "layers": [
    {"name": "c1", "op": "conv2d", "kernel": 3, "out_channels": 8, "padding": 1},
    {"name": "r1", "op": "relu"},
    {"name": "p1", "op": "maxpool2d", "kernel": 2, "stride": 2},
    {"name": "c2", "op": "conv2d", "kernel": 3, "out_channels": 16, "padding": 1},
    {"name": "r2", "op": "relu"},
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10}
  ]
})";

// The scenario document (model path relative to the scenario file, as users write it).
inline Json tiny_scenario() {
  return Json::parse(R"({
    "format": "edgepart.scenario", "version": 1, "name": "fuzz-tiny",
    "model": "model.json",
    "devices": [
      {"name": "src", "role": "source", "speed_gflops": 2, "memory_mb": 512},
      {"name": "s1", "role": "server", "speed_gflops": 20},
      {"name": "s2", "role": "server", "speed_gflops": 10}
    ],
    "network": {"kind": "switched", "bandwidth_mbps": 50, "latency_ms": 1,
                "channel": {"kind": "rayleigh", "snr_db": 15, "coherence_ms": 5}},
    "workload": {"requests": 3, "arrival": "closed", "concurrency": 1, "deadline_ms": 100},
    "strategy": {"name": "modnn", "options": {}},
    "seed": 7
  })");
}

// The private folder holding model.json and scenario.json; created on first use.
class Fixture {
public:
  static const Fixture& get() {
    static Fixture f;
    return f;
  }
  const std::string& dir() const { return dir_; }
  std::string scenario_path() const { return dir_ + "/scenario.json"; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

private:
  Fixture() {
    // The pipeline warns about legitimate inputs (a planning rate above a channel's mean): at
    // thousands of runs a second that is only noise on stderr.
    spdlog::set_level(spdlog::level::off);
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/edgepart-fuzz-fixture-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    write("model.json", kTinyModel);
    write("scenario.json", tiny_scenario().dump(2));
  }
  void write(const std::string& name, const std::string& text) const {
    std::FILE* f = std::fopen(path(name).c_str(), "wb");
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size()) std::abort();
    std::fclose(f);
  }
  std::string dir_;
};

}  // namespace edgepart::fuzz
