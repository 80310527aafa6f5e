// libFuzzer harness: channel models (constant, Rayleigh, Gilbert-Elliott, trace) built from a fuzzed
// `network` object and run. Input layout: the network object (JSON, with the scenario loader's
// limits), optionally followed by a line "---" and a trace CSV; any "file" of a channel (the
// network's or a link's) is redirected to that CSV, so fuzzed paths never read the machine's
// files. The network goes into the fixture scenario (fuzz_fixture.hpp), which is loaded, planned
// (modnn, which spreads work over the links) and simulated for a few requests. Each built channel
// is also stepped on its own, checking the contract of include/edgepart/sim/channel.hpp: a finite
// non-negative rate, and a next change strictly after the current time.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/sim/channel.hpp"
#include "edgepart/sim/simulator.hpp"
#include "fuzz_common.hpp"
#include "fuzz_fixture.hpp"

namespace {

void redirect_file(edgepart::Json& channel, const std::string& csv_path) {
  if (channel.is_object() && channel.contains("file")) channel["file"] = csv_path;
}

[[noreturn]] void contract_broken(const char* what, double t_s, double value) {
  std::fprintf(stderr, "edgepart fuzz: channel contract broken: %s at t = %.9g s (got %.17g)\n", what, t_s, value);
  std::abort();
}

// Steps one channel through at most 2,000 rate changes or 10 simulated seconds.
void step_channel(const edgepart::scenario::ChannelSpec& spec, double bandwidth_mbps) {
  using edgepart::sim::SimTime;
  auto channel = edgepart::sim::make_channel(spec, bandwidth_mbps, 1, "channel/fuzz");
  SimTime t = SimTime::zero();
  for (int step = 0; step < 2000 && t < SimTime::from_seconds(10.0); ++step) {
    const double rate = channel->rate_mbps_at(t);
    if (!std::isfinite(rate) || rate < 0) contract_broken("rate not finite and >= 0", t.seconds(), rate);
    const SimTime next = channel->next_change_after(t);
    if (next <= t) contract_broken("next change not after now", t.seconds(), next.seconds());
    if (next == SimTime::max()) break;
    t = next;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgepart::fuzz::TempFile csv(".csv");
  const auto& fixture = edgepart::fuzz::Fixture::get();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string network_text = input, trace_text;
  if (auto sep = input.find("\n---\n"); sep != std::string::npos) {
    network_text = input.substr(0, sep);
    trace_text = input.substr(sep + 5);
  }
  const std::string& csv_path = csv.write(reinterpret_cast<const uint8_t*>(trace_text.data()), trace_text.size());
  return edgepart::fuzz::run_guarded([&] {
    const std::string label = fixture.scenario_path();
    edgepart::Json network = edgepart::parse_json_text(network_text, label);
    if (network.is_object()) {
      if (network.contains("channel")) redirect_file(network["channel"], csv_path);
      if (network.contains("links") && network["links"].is_array())
        for (auto& link : network["links"])
          if (link.is_object() && link.contains("channel")) redirect_file(link["channel"], csv_path);
    }
    edgepart::Json doc = edgepart::fuzz::tiny_scenario();
    doc["network"] = std::move(network);
    edgepart::pipeline::Pipeline p(std::move(doc), label, {});
    step_channel(p.scenario.network.channel, p.scenario.network.bandwidth_mbps);
    for (const auto& link : p.scenario.network.links) step_channel(link.channel, link.bandwidth_mbps);
    const edgepart::plan::Plan plan = p.plan_for("modnn");
    edgepart::sim::SimOptions options;
    options.seed = 3;
    options.requests = 3;
    (void)edgepart::sim::simulate(p.scenario, plan, p.costs, options);
  });
}
