// libFuzzer harness: the sweep runner (src/sweep/runner.cpp) and its output writer, including writes
// that fail part-way (a full disk, a closed pipe). Input layout, text: the first line holds options
// as space-separated key=value words, every further line is one `--set` axis (as `sweep --set`):
//   j=1..3            worker threads
//   fail=N            the sink fails after N bytes (a memory sink throwing the OutputFile error)
//   sink=memory|file|full   memory; an OutputFile on a temporary file (committed); /dev/full
//   stop=K            the stop flag is raised after K points are written (Ctrl-C)
//   format=csv|jsonl  seeds=1..3  strategy=a,b|all  shard=K/N
// Unknown words are ignored. The base scenario is the fixture's (fuzz_fixture.hpp); requests are
// capped at 2 and points at 48, so one run stays short. Checked beyond "no crash": a sweep that
// was neither stopped nor failed wrote all its points.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "edgepart/sweep/sweep.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"
#include "fuzz_common.hpp"
#include "fuzz_fixture.hpp"

namespace {

struct HarnessOptions {
  edgepart::sweep::SweepOptions sweep;
  std::string sink = "memory";
  uint64_t fail_after = UINT64_MAX;
  uint64_t stop_after = UINT64_MAX;
};

uint64_t small_number(const std::string& text, uint64_t limit) {
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > limit) return limit;
  }
  return v;
}

HarnessOptions parse_options(const std::string& line) {
  HarnessOptions h;
  h.sweep.requests = 2;
  h.sweep.max_points = 48;
  std::istringstream words(line);
  for (std::string w; words >> w;) {
    const auto eq = w.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
    if (key == "j") h.sweep.threads = 1 + static_cast<int>(small_number(value, 2));
    else if (key == "fail") h.fail_after = small_number(value, 1'000'000);
    else if (key == "stop") h.stop_after = small_number(value, 1'000);
    else if (key == "sink") h.sink = value;
    else if (key == "format") h.sweep.format = value == "jsonl" ? edgepart::sweep::RowFormat::jsonl : edgepart::sweep::RowFormat::csv;
    else if (key == "seeds") h.sweep.seeds = 1 + static_cast<int>(small_number(value, 2));
    else if (key == "shard") std::tie(h.sweep.shard_k, h.sweep.shard_n) = edgepart::sweep::parse_shard(value);
    else if (key == "strategy") {
      std::istringstream names(value);
      for (std::string n; std::getline(names, n, ',');)
        if (!n.empty() && h.sweep.strategies.size() < 4) h.sweep.strategies.push_back(n);
    }
  }
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgepart::fuzz::TempFile out_file(".csv");
  const auto& fixture = edgepart::fuzz::Fixture::get();
  const std::string input(reinterpret_cast<const char*>(data), size);
  return edgepart::fuzz::run_guarded([&] {
    std::istringstream lines(input);
    std::string first;
    std::getline(lines, first);
    HarnessOptions h = parse_options(first);
    h.sweep.scenario_path = fixture.scenario_path();
    for (std::string line; std::getline(lines, line);)
      if (h.sweep.axes.size() < 4) h.sweep.axes.push_back(edgepart::sweep::parse_axis(line));

    std::atomic<bool> stop{false};
    uint64_t written_bytes = 0;
    std::string memory;
    std::unique_ptr<edgepart::OutputFile> file;
    if (h.sink == "file") file = std::make_unique<edgepart::OutputFile>(out_file.path(), std::vector<std::string>{fixture.scenario_path()});
    if (h.sink == "full") file = std::make_unique<edgepart::OutputFile>("/dev/full", std::vector<std::string>{});
    auto write = [&](std::string_view text) {
      if (file) return file->write(text);
      if (written_bytes + text.size() > h.fail_after) throw edgepart::InputError("fuzz-sink", "", "cannot write: No space left on device");
      written_bytes += text.size();
      memory.append(text);
    };
    auto progress = [&](const edgepart::sweep::SweepProgress& p) {
      if (p.done >= h.stop_after) stop = true;
    };
    const edgepart::sweep::SweepOutcome r = edgepart::sweep::run_sweep(h.sweep, write, progress, &stop);
    if (file) file->commit();
    if (!stop && (r.interrupted || r.points_written != r.points_total)) {
      std::fprintf(stderr, "edgepart fuzz: sweep wrote %llu of %llu points without being stopped\n",
                   static_cast<unsigned long long>(r.points_written), static_cast<unsigned long long>(r.points_total));
      std::abort();
    }
  });
}
