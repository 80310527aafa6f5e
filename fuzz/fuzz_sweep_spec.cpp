// libFuzzer harness: the sweep specification (`edgepart sweep --set /ptr=a:b:step|v1,v2 --shard K/N`):
// sweep::parse_axis on each line, the grid of the axes (size, the indices of a few points) and
// parse_shard / shard_range. The runner itself needs a scenario and plans each point: the scenario
// and plan harnesses cover what it parses.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "edgepart/sweep/sweep.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  return edgepart::fuzz::run_guarded([&] {
    std::istringstream lines(input);
    std::vector<edgepart::sweep::Axis> axes;
    std::string shard;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("shard ", 0) == 0) {
        shard = line.substr(6);
        continue;
      }
      axes.push_back(edgepart::sweep::parse_axis(line));
      for (const auto& v : axes.back().values) (void)edgepart::sweep::cell_text(v);
    }
    edgepart::sweep::Grid grid(axes);
    const uint64_t n = grid.size();
    (void)grid.indices(0);
    if (n > 1) (void)grid.indices(n - 1), (void)grid.indices(n / 2);
    if (!shard.empty()) {
      auto [k, of] = edgepart::sweep::parse_shard(shard);
      auto range = edgepart::sweep::shard_range(n, k, of);
      if (range.begin > range.end || range.end > n) std::abort();  // shards partition the points
    }
  });
}
