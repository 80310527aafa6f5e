#pragma once
// The coordinator of `edgepart run` (docs/runtime.md): connects to one worker per plan device,
// authenticates, sends the model, the weight seed and the plan, estimates each worker's clock
// offset, issues the scenario's workload (closed loop, periodic or Poisson arrivals with the
// scenario's seed), gives the source worker each request's seeded random input, and collects the
// measured spans. The result has the simulator's shape (sim::SimResult + spans), so reports,
// traces and `check` are the simulator's.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgepart/exec/weights.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/tensor.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/sim/simulator.hpp"

namespace edgepart::runtime {

struct RunConfig {
  std::vector<std::string> workers;  // HOST:PORT of each plan device's worker, by device index
  std::string token;
  uint64_t seed = 1;                 // weights, per-request inputs and arrivals
  int64_t requests = -1;             // -1: the workload's
  double request_timeout_s = 60;     // a request not done by then fails
  double setup_timeout_s = 60;       // connecting, authenticating, setting up, clock pings
  bool same_clock = false;           // every worker runs on this machine (CLOCK_MONOTONIC shared)
  std::function<bool()> interrupted; // polled while waiting: true stops the run (RunInterrupted)
  // [from][to]: a delay the sender adds before each transfer (the scenario's latency when an
  // emulated network does not apply it); empty: none.
  std::vector<std::vector<double>> transfer_delay_s;
  // A model file's weights, one entry per layer (exec::trained_params); null: seeded weights.
  // Each worker receives those of the layers it computes.
  const std::vector<exec::LayerParams>* weights = nullptr;
};

struct MeasuredTask {
  int64_t request = 0;
  int task = 0, device = -1;
  double start_s = 0, end_s = 0;
  double work_s = 0;      // the executor's own time inside the span (compute tasks)
  double work_cpu_s = 0;  // the compute thread's CPU time during it
};
struct MeasuredTransfer {
  int64_t request = 0;
  int task = 0, from = -1, to = -1;
  double bytes = 0;
  double start_s = 0, end_s = 0;
};

struct RunOutcome {
  sim::SimResult result;             // requests, per-device use, links: measured
  std::vector<MeasuredTask> tasks;   // every completed task, in (request, task) order
  std::vector<MeasuredTransfer> transfers;
  std::optional<exec::Tensor> first_input, first_output;  // request 0, when it completed
  std::vector<std::string> failures; // why requests failed (one line each, first 20)
  int64_t notices = 0;               // completion notices sent between workers
  std::vector<double> clock_offsets_s;  // worker clock - coordinator clock, by device
  double setup_s = 0;
  size_t variant = 0;                // the variant every request used: plan::planning_point's
};

// Every request uses the variant of the planning rate (plan::planning_point): a real network's
// rate is not known when a request starts.
// The workers could not be reached or set up: exit code 5 (docs/runtime.md).
class RunSetupError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};
// RunConfig::interrupted said stop.
class RunInterrupted : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// The seed of request `request`'s input (exec::Executor::random_input(shape, seed)).
uint64_t request_input_seed(uint64_t seed, int64_t request);

// InputError when the runtime cannot execute the plan (pull tasks with dependencies, transfers without a tensor).
void check_runnable(const plan::Plan& plan, const model::ModelGraph& graph, const cost::ModelAnalysis& analysis);

RunOutcome run_plan(const scenario::Scenario& scenario, const model::ModelGraph& graph,
                    const cost::ModelAnalysis& analysis, const plan::Plan& plan, const RunConfig& config);

}  // namespace edgepart::runtime
