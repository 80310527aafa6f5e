// `edgepart run SCENARIO [--strategy S|all | --plan FILE] (--workers NAME=HOST:PORT,... | --spawn)
// [--requests N] [--seed S] [--weights MODEL.onnx] [--format table|json|csv] [-o FILE] [--trace FILE] [--timeout-s T]`:
// executes plans for real on `edgepart worker`s (docs/runtime.md) and reports what was measured
// in the simulate report's form ("mode": "real"), so `edgepart check real.json --baseline
// simulated.json` compares reality with the simulation. The first request's output is checked
// against a whole-model run of the same weights and input.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/exec/executor.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/netemu/netemu.hpp"
#include "edgepart/report/chrome_trace.hpp"
#include "edgepart/runtime/coordinator.hpp"
#include "edgepart/runtime/spawn.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"
#include "edgepart/util/strings.hpp"
#include "edgepart/pipeline/pipeline.hpp"

namespace edgepart::cli {

namespace {

// Default per-request deadline: the plan's predicted latency x 20 (the scenario's device speeds
// are not this machine's, and --spawn workers share its CPUs), at least 10 s.
constexpr double kTimeoutFactor = 20;
constexpr double kMinTimeoutSeconds = 10;
// Exit codes of run besides main.cpp's (docs/runtime.md).
constexpr int kExitRequestsFailed = 4;

struct RunOptions {
  std::string scenario, strategy, plan_file, workers, trace, weights;
  bool spawn = false, pin = false, netns = false;
  int64_t requests = -1;
  std::optional<uint64_t> seed;
  std::optional<double> timeout_s;
  std::vector<std::string> sets;
  OutputOptions out;
};

volatile std::sig_atomic_t g_signal = 0;
void on_signal(int sig) { g_signal = sig; }

// SIGINT/SIGTERM set a flag the coordinator polls; the previous handlers come back at the end.
class SignalFlag {
public:
  SignalFlag() {
    g_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalFlag() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

private:
  struct sigaction old_int_ {}, old_term_ {};
};

// The calling thread's sockets are made in network namespace `ns` while this lives (the
// coordinator talks to --netns workers from the source device's namespace: the host's own
// namespace has no interface on the emulated network, docs/netemu.md).
class InNamespace {
public:
  explicit InNamespace(const std::string& ns) : home_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    if (home_ < 0) throw runtime::RunSetupError("cannot open this thread's network namespace");
    netemu::enter_namespace(ns);
  }
  ~InNamespace() {
    ::setns(home_, CLONE_NEWNET);  // back home; nothing sensible to do if this failed
    ::close(home_);
  }
  InNamespace(const InNamespace&) = delete;
  InNamespace& operator=(const InNamespace&) = delete;

private:
  int home_;
};

std::vector<std::string> parse_workers(const std::string& text, const std::vector<std::string>& devices) {
  std::map<std::string, std::string> by_name;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("", "--workers", "expected NAME=HOST:PORT,... (got '" + item + "')");
    std::string name = item.substr(0, eq);
    if (std::find(devices.begin(), devices.end(), name) == devices.end())
      throw InputError("", "--workers", "'" + name + "' is not a device of the plan" +
                                        (closest_match(name, devices).empty() ? "" : " (did you mean '" + closest_match(name, devices) + "'?)"));
    by_name[name] = item.substr(eq + 1);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::vector<std::string> out;
  for (const auto& d : devices) {
    auto it = by_name.find(d);
    if (it == by_name.end()) throw InputError("", "--workers", "no worker given for device '" + d + "'");
    out.push_back(it->second);
  }
  return out;
}

std::string self_executable() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw runtime::RunSetupError("cannot find the edgepart executable (/proc/self/exe)");
  return std::string(buf, static_cast<size_t>(n));
}

int computing_devices(const plan::Plan& p, const scenario::Cluster& cluster) {
  std::vector<int> devs;
  for (const auto& t : p.variants[plan::planning_point(p, cluster).variant].tasks)
    if (t.kind == plan::TaskKind::compute && t.device >= 0) devs.push_back(t.device);
    else if (t.kind == plan::TaskKind::compute) devs.insert(devs.end(), t.pool_devices.begin(), t.pool_devices.end());
  std::sort(devs.begin(), devs.end());
  return static_cast<int>(std::unique(devs.begin(), devs.end()) - devs.begin());
}

Json output_check_json(const runtime::RunOutcome& out, const pipeline::Pipeline& pl, const plan::Plan& p, uint64_t seed,
                       const std::vector<exec::LayerParams>* weights, bool& failed) {
  if (!out.first_input || !out.first_output) return Json{{"checked", false}, {"reason", "request 0 did not complete"}};
  exec::Executor ex(pl.graph, pl.analysis, seed, weights ? *weights : std::vector<exec::LayerParams>{});
  exec::Tensor whole = ex.run(*out.first_input);
  exec::Comparison cmp = exec::compare(whole, *out.first_output);
  const bool within = exec::within_lossless_tolerance(cmp);
  failed = p.lossless && !within;
  Json j = comparison_json(cmp, p.lossless);
  j["checked"] = true;
  j["request"] = 0;
  return j;
}

Json measured_json(const runtime::RunOutcome& out, const plan::Plan& p) {
  const plan::Variant& v = p.variants[out.variant];
  Json tasks = Json::array(), transfers = Json::array();
  for (const auto& t : out.tasks)
    tasks.push_back(Json{{"request", t.request}, {"task", t.task}, {"name", v.tasks[static_cast<size_t>(t.task)].name},
                         {"device", p.devices[static_cast<size_t>(t.device)]}, {"start_s", t.start_s}, {"end_s", t.end_s},
                         {"executor_s", t.work_s}, {"executor_cpu_s", t.work_cpu_s}});
  for (const auto& t : out.transfers)
    transfers.push_back(Json{{"request", t.request}, {"task", t.task}, {"name", v.tasks[static_cast<size_t>(t.task)].name},
                             {"from", p.devices[static_cast<size_t>(t.from)]}, {"to", p.devices[static_cast<size_t>(t.to)]},
                             {"bytes", t.bytes}, {"start_s", t.start_s}, {"end_s", t.end_s}});
  return Json{{"tasks", tasks},
              {"transfers", transfers},
              {"notices", out.notices},
              {"failures", out.failures},
              {"clock_offsets_s", out.clock_offsets_s},
              {"setup_s", out.setup_s},
              {"variant", out.variant}};
}

void write_trace(const std::string& path, const runtime::RunOutcome& out, const plan::Plan& p,
                 const std::vector<std::string>& inputs) {
  report::ChromeTrace trace(p.devices);
  const plan::Variant& v = p.variants[out.variant];
  for (const auto& t : out.tasks)
    trace.on_task_end(sim::TaskSpan{t.request, t.task, &v.tasks[static_cast<size_t>(t.task)], t.device, t.start_s, t.end_s, false});
  for (const auto& t : out.transfers)
    trace.on_transfer_end(
        sim::TransferSpan{t.request, t.task, &v.tasks[static_cast<size_t>(t.task)], t.from, t.to, t.bytes, t.start_s, t.end_s});
  for (const auto& r : out.result.requests) trace.on_request_done(r);
  write_output(path, trace.to_json().dump() + "\n", inputs);
}

int run_run(const RunOptions& o) {
  check_distinct_outputs({{"-o", o.out.output}, {"--trace", o.trace}});
  SignalFlag signals;
  pipeline::Pipeline pl(o.scenario, o.sets);
  const scenario::Scenario& s = pl.scenario;
  const uint64_t seed = o.seed ? *o.seed : s.seed;
  if (o.spawn == !o.workers.empty()) throw InputError("", "--spawn", "give either --spawn or --workers, not both or neither");
  // --netns: the scenario's network emulated (docs/netemu.md), torn down when this returns (also
  // after SIGINT/SIGTERM, which only set a flag here); the workers are stopped before it.
  std::optional<netemu::EmulatedNetwork> net;
  if (o.netns) {
    if (!o.spawn) throw InputError("", "--netns", "--netns needs --spawn (it starts the workers in the namespaces)");
    net.emplace(netemu::EmulatedNetwork::create(s));
    if (!net->latency_in_kernel())
      spdlog::info("netns: latency added by the workers before each transfer (no tc netem in this kernel)");
  }
  auto runnable = [&pl](const plan::Plan& p, std::string& why) {
    try {
      runtime::check_runnable(p, pl.graph, pl.analysis);
      return true;
    } catch (const InputError& e) {
      why = e.what();
      return false;
    }
  };
  std::vector<plan::Plan> plans = pl.select_plans(o.strategy, o.plan_file, runnable);
  if (plans.empty()) throw InputError("", "--strategy", "no plan the runtime can execute");
  for (const auto& p : plans) runtime::check_runnable(p, pl.graph, pl.analysis);  // one strategy: its error
  if (!o.trace.empty() && plans.size() != 1)
    throw InputError("", "--trace", "a trace needs exactly one strategy (got " + std::to_string(plans.size()) + ")");
  std::vector<std::string> names;
  for (const auto& d : s.devices) names.push_back(d.name);
  for (const auto& p : plans)
    if (p.devices != names)
      throw InputError("", "--plan", "the plan's devices differ from the scenario's");

  // --weights: the model file's own weights, matched to the scenario's model; its files are
  // inputs that no output may overwrite.
  std::vector<std::string> inputs = pl.inputs;
  std::optional<std::vector<exec::LayerParams>> weights;
  if (!o.weights.empty()) {
    if (!model::is_onnx_path(o.weights)) throw InputError(o.weights, "", "--weights takes an ONNX file (.onnx)");
    weights = exec::trained_params(pl.graph, pl.analysis, model::load_onnx_params(o.weights), o.weights);
    inputs.push_back(o.weights);
    for (const auto& f : model::onnx_data_files(o.weights)) inputs.push_back(f);
  }

  report::Report rep = pl.report_header(seed, o.requests);
  rep.mode = "real";
  rep.measured = Json::object();
  bool mismatch = false, some_failed = false;
  for (const auto& p : plans) {
    std::optional<runtime::LocalWorkers> local;
    runtime::RunConfig cfg;
    cfg.seed = seed;
    cfg.weights = weights ? &*weights : nullptr;
    cfg.requests = o.requests;
    cfg.request_timeout_s = o.timeout_s ? *o.timeout_s : std::max(kMinTimeoutSeconds, kTimeoutFactor * p.predicted.latency_s);
    cfg.interrupted = [] { return g_signal != 0; };
    if (o.spawn) {
      runtime::SpawnOptions so;
      so.executable = self_executable();
      so.device_names = names;
      so.pin = o.pin;
      so.verbose = spdlog::get_level() <= spdlog::level::debug;
      if (net) {
        so.command_prefix = [&net](int d) { return net->exec_argv(d, {}); };
        so.listen_host = [&net](int d) { return net->address_of(d); };
        if (!net->latency_in_kernel()) {
          const size_t n = names.size();
          cfg.transfer_delay_s.assign(n, std::vector<double>(n, 0.0));
          for (size_t a = 0; a < n; ++a)
            for (size_t b = 0; b < n; ++b)
              if (a != b) cfg.transfer_delay_s[a][b] = net->application_latency_s(static_cast<int>(a), static_cast<int>(b));
        }
      }
      const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
      const int computing = computing_devices(p, pl.cluster);
      if (static_cast<unsigned>(computing) > cpus)
        spdlog::warn("{}: {} workers compute on {} CPU(s): they contend, and measured compute times include waiting "
                     "for a CPU{}", p.strategy, computing, cpus, o.pin ? " (pinned round-robin)" : " (--pin pins each worker to one CPU)");
      local.emplace(so);
      cfg.workers = local->addresses();
      cfg.token = local->token();
      cfg.same_clock = true;
    } else {
      cfg.workers = parse_workers(o.workers, p.devices);
      const char* env = std::getenv("EDGEPART_TOKEN");
      if (!env || !*env) throw InputError("", "--workers", "set EDGEPART_TOKEN to the workers' token");
      cfg.token = env;
    }
    runtime::RunOutcome out;
    try {
      std::optional<InNamespace> in_net;
      if (net) in_net.emplace(net->namespace_of(p.source));
      out = runtime::run_plan(s, pl.graph, pl.analysis, p, cfg);
    } catch (const runtime::RunInterrupted&) {
      local.reset();  // stop and reap the workers before leaving
      spdlog::error("interrupted");
      return g_signal == SIGTERM ? 143 : 130;
    }
    local.reset();
    rep.strategies.push_back(report::summarize(p.strategy, out.result, s, p));
    bool bad = false;
    Json m = measured_json(out, p);
    m["output_check"] = output_check_json(out, pl, p, seed, cfg.weights, bad);
    m["weights"] = o.weights.empty() ? "seeded" : o.weights;
    if (bad)
      spdlog::error("{}: the output of request 0 differs from the whole-model run beyond float rounding "
                    "(max abs error {} > {} x max |output| {})", p.strategy, format_number(m["output_check"]["max_abs_error"].get<double>()),
                    exec::kLosslessTolerance, format_number(m["output_check"]["max_abs_output"].get<double>()));
    mismatch = mismatch || bad;
    if (rep.strategies.back().failed > 0) {
      some_failed = true;
      spdlog::error("{}: {} of {} request(s) failed", p.strategy, rep.strategies.back().failed, rep.strategies.back().requests);
    }
    rep.measured[p.strategy] = std::move(m);
    if (!o.trace.empty()) write_trace(o.trace, out, p, inputs);
  }
  // The speedup over local when local ran too (a real local run is not made just for it).
  for (const auto& st : rep.strategies)
    if (st.strategy == "local")
      for (auto& other : rep.strategies) report::set_speedup(other, st);
  switch (resolve_format(o.out)) {
    case Format::table: emit(o.out, report::report_to_table(rep), inputs); break;
    case Format::csv: emit(o.out, report::report_to_csv(rep), inputs); break;
    case Format::json: emit(o.out, report::report_to_json(rep).dump(2) + "\n", inputs); break;
  }
  if (mismatch) return 1;
  return some_failed ? kExitRequestsFailed : 0;
}

}  // namespace

Command add_run_command(CLI::App& root) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = root.add_subcommand("run", "Execute plans for real on edgepart workers and report measured latency");
  cmd->footer(
      "Exit codes: 0 ok, 1 the output differs from the whole-model run (lossless plan), 2 bad input,\n"
      "4 some requests failed, 5 the workers could not be reached or set up, 130/143 interrupted.\n"
      "Examples:\n"
      "  edgepart run scenarios/default.json --strategy dpfp --spawn --requests 5 --format json -o real.json\n"
      "  edgepart run scenarios/default.json --strategy local --spawn --set /model=../models/alexnet.json\n"
      "  EDGEPART_TOKEN=s3cret edgepart run scenarios/default.json --workers es0=10.0.0.1:7100,es1=10.0.0.2:7100,"
      "es2=10.0.0.3:7100,es3=10.0.0.4:7100");
  cmd->add_option("scenario", o->scenario, "Scenario file (edgepart.scenario)")->required();
  cmd->add_option("--strategy", o->strategy, "Strategy, a comma-separated list, or 'all' for every one the runtime can execute");
  cmd->add_option("--plan", o->plan_file, "Execute this plan file (edgepart.plan) instead of planning");
  cmd->add_option("--workers", o->workers, "NAME=HOST:PORT of every device's worker, comma-separated (token: EDGEPART_TOKEN)");
  cmd->add_flag("--spawn", o->spawn, "Start one worker per device on this machine (127.0.0.1, free ports)");
  cmd->add_flag("--pin", o->pin, "With --spawn: pin worker i to CPU i mod (number of CPUs)");
  cmd->add_flag("--netns", o->netns,
                "With --spawn: emulate the scenario's network (namespaces + tc shaping, root only; docs/netemu.md) "
                "and start each worker in its device's namespace");
  add_requests_option(cmd, o->requests);
  add_seed_option(cmd, o->seed, "Seed of the weights, the inputs and the arrivals (default: the scenario's)");
  cmd->add_option("--weights", o->weights,
                  "Run with this ONNX file's weights (inline or external data; an export of the scenario's model) "
                  "instead of seeded ones");
  cmd->add_option("--set", o->sets, "Override a scenario value: /json/pointer=value (repeatable)");
  cmd->add_option("--trace", o->trace, "Write a Chrome trace-event JSON of the measured run");
  cmd->add_option("--timeout-s", o->timeout_s, "Per-request deadline in seconds (default: 20 x predicted latency, >= 10 s)")
      ->check(CLI::PositiveNumber);
  add_output_options(cmd, o->out);
  return {cmd, [o] { return run_run(*o); }};
}

}  // namespace edgepart::cli
