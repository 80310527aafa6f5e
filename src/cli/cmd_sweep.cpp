// `edgepart sweep SCENARIO --set /ptr=a:b:step | /ptr=v1,v2,... [--set ...] [--strategy a,b|all]
// [--python-strategy MODULE:FUNCTION ...] [--seeds N] [--seed S] [--requests N] [-j N] [--shard K/N] [--format csv|jsonl] [-o FILE]
// [--max-points N]`: one row per point x strategy x seed, in point order (docs/design.md §1, §8).
//
// Output safety: with -o FILE the rows go to a temporary file next to FILE, flushed after every
// point, renamed to FILE when the sweep ends. On SIGINT, SIGTERM or SIGHUP no new point starts, the points
// already running finish, their rows are written, the partial file is renamed to FILE (a valid
// CSV/JSONL file holding the first points in order) and the exit code is 128 + the signal (130 for
// Ctrl-C). A second signal kills at once (the handler is reset after the first). To stdout, rows
// are written and flushed point by point.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "python_strategy.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/sweep/sweep.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

namespace {

struct SweepCliOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::vector<std::string> strategies;
  std::vector<std::string> python_strategies;  // MODULE:FUNCTION
  int seeds = 1;
  std::optional<uint64_t> seed;
  int64_t requests = -1;
  int threads = 1;
  std::string shard = "1/1";
  std::string format = "csv";
  std::string output = "-";
  uint64_t max_points = 10'000'000;
  bool no_progress = false;
};

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

void install_stop_handlers() {
  static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills the process the ordinary way
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);  // the terminal closed: keep the rows, as for Ctrl-C
}

// Columns of the terminal on stderr: its window size, else $COLUMNS, else 80.
int terminal_columns() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v < 100000) return static_cast<int>(v);
  }
  return 80;
}

// A one-line progress bar with an ETA, redrawn at most 5 times a second. The line stays shorter
// than the terminal (a line that wraps is redrawn under itself, one more line per update): the
// bar shrinks, then goes, then the text is cut.
class ProgressBar {
public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(Clock::now()), last_(start_) {}
  void update(const sweep::SweepProgress& p) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (p.done != p.total && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    const double frac = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
    char eta[32] = "--:--";
    if (p.done > 0) {
      const auto left = static_cast<long>(elapsed_s / static_cast<double>(p.done) * static_cast<double>(p.total - p.done) + 0.5);
      std::snprintf(eta, sizeof eta, "%ld:%02ld:%02ld", left / 3600, (left / 60) % 60, left % 60);
    }
    char figures[128];
    std::snprintf(figures, sizeof figures, "%llu/%llu points %5.1f%%  ETA %s", static_cast<unsigned long long>(p.done),
                  static_cast<unsigned long long>(p.total), 100.0 * frac, eta);
    const size_t room = static_cast<size_t>(terminal_columns() - 1);
    std::string line = render(frac, figures, room);
    // Spaces over what is left of a longer previous line (the terminal may have narrowed).
    const size_t length = line.size();
    if (length < std::min(drawn_length_, room)) line.append(std::min(drawn_length_, room) - length, ' ');
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
    drawn_length_ = length;
    drawn_ = true;
  }
  void done() {
    if (drawn_) std::fputc('\n', stderr);
  }

private:
  // "sweep [#####-----] FIGURES" in at most `room` characters.
  static std::string render(double frac, const std::string& figures, size_t room) {
    constexpr size_t kFullBar = 30, kMinBar = 5;
    const std::string head = "sweep [", mid = "] ";
    const size_t fixed = head.size() + mid.size() + figures.size();
    if (fixed + kMinBar <= room) {
      const size_t width = std::min(kFullBar, room - fixed);
      const auto filled = static_cast<size_t>(frac * static_cast<double>(width));
      return head + std::string(filled, '#') + std::string(width - filled, '-') + mid + figures;
    }
    return ("sweep " + figures).substr(0, room);
  }
  using Clock = std::chrono::steady_clock;
  bool enabled_, drawn_ = false;
  size_t drawn_length_ = 0;
  Clock::time_point start_, last_;
};

int run_sweep_command(const SweepCliOptions& o) {
  sweep::SweepOptions so;
  so.scenario_path = o.scenario;
  for (const auto& s : o.sets) so.axes.push_back(sweep::parse_axis(s));
  so.strategies = strategy::split_strategy_list(o.strategies);  // --strategy a,b and --strategy a --strategy b
  // With --python-strategy alone, only the Python strategies; with --strategy too, after its ones.
  PythonSweepStrategies python = python_sweep_strategies(o.python_strategies);
  so.strategies.insert(so.strategies.end(), python.names.begin(), python.names.end());
  so.external = std::move(python.planners);
  so.seeds = o.seeds;
  so.first_seed = o.seed;
  so.requests = o.requests;
  so.threads = o.threads;
  std::tie(so.shard_k, so.shard_n) = sweep::parse_shard(o.shard);
  so.format = o.format == "jsonl" ? sweep::RowFormat::jsonl : sweep::RowFormat::csv;
  so.max_points = o.max_points;

  // The base scenario's files (itself, its model, its traces) are inputs the rows may not replace.
  // A base scenario that is valid only with the axes applied is reported at its first point, with
  // the point's context; here it protects only itself. (Files named by axis values, e.g.
  // --set /model=a.json,b.json, are not checked.)
  std::vector<std::string> inputs = {o.scenario};
  try {
    inputs = scenario::load_scenario(o.scenario).input_files();
  } catch (const InputError&) {
  }
  OutputFile out(o.output, inputs);
  ProgressBar bar(!o.no_progress && ::isatty(STDERR_FILENO));
  install_stop_handlers();
  sweep::SweepOutcome r;
  without_gil([&] {
    r = sweep::run_sweep(
        so, [&](std::string_view text) { out.write(text); }, [&](const sweep::SweepProgress& p) { bar.update(p); },
        &g_stop);
  });
  bar.done();
  out.commit();
  if (r.interrupted) {
    const int sig = g_signal != 0 ? static_cast<int>(g_signal) : SIGINT;
    std::fprintf(stderr, "edgepart: interrupted (%s): %llu of %llu points written%s%s\n", sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT",
                 static_cast<unsigned long long>(r.points_written), static_cast<unsigned long long>(r.points_total),
                 o.output == "-" ? "" : " to ", o.output == "-" ? "" : o.output.c_str());
    return 128 + sig;  // the shell's convention for death by a signal
  }
  return 0;
}

}  // namespace

Command add_sweep_command(CLI::App& root) {
  auto o = std::make_shared<SweepCliOptions>();
  CLI::App* cmd = root.add_subcommand("sweep", "Sweep scenario parameters: one CSV/JSONL row per point x strategy x seed");
  cmd->footer(
      "Axes: --set /ptr=a:b:step (inclusive of b when it lands) or --set /ptr=v1,v2,... (JSON values,\n"
      "else strings). Several --set make a Cartesian product; the first varies slowest. Rows come in\n"
      "point order whatever -j. --shard K/N takes the K-th of N contiguous blocks of points; the CSV\n"
      "header is in shard 1 only, so `cat` of the shard outputs equals the unsharded output.\n"
      "Ctrl-C (SIGINT/SIGTERM/SIGHUP) keeps the rows of the points done so far (exit 130/143/129).\n\n"
      "Examples:\n"
      "  edgepart sweep scenarios/default.json --set /network/bandwidth_mbps=10:200:10 --strategy dpfp,modnn,local\n"
      "  edgepart sweep scenarios/default.json --set /workload/deadline_ms=400:800:50 --seeds 5 -j 2 -o rel.csv\n"
      "  edgepart sweep scenarios/default.json --set /network/bandwidth_mbps=1:10000:1 --shard 3/8 -o part3.csv");
  cmd->add_option("scenario", o->scenario, "Scenario file (edgepart.scenario)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", o->sets, "An axis: /json/pointer=a:b:step or /json/pointer=v1,v2,... (repeatable)");
  cmd->add_option("--strategy", o->strategies, "Strategies (comma-separated or repeated), or 'all' (default: the scenario's)");
  cmd->add_option("--python-strategy", o->python_strategies,
                  "A strategy written in Python, MODULE:FUNCTION (docs/python.md; repeatable); after --strategy's "
                  "when both are given, else alone");
  cmd->add_option("--seeds", o->seeds, "Seeds per point: the first seed, +1, ... (default 1)")->check(CLI::Range(1, 1000000));
  add_seed_option(cmd, o->seed, "First seed (default: the scenario's)");
  add_requests_option(cmd, o->requests);
  cmd->add_option("-j,--jobs", o->threads, "Worker threads (points are independent)")->check(CLI::Range(1, 1024));
  cmd->add_option("--shard", o->shard, "Run the K-th of N contiguous blocks of points (K/N)")->capture_default_str();
  cmd->add_option("--format", o->format, "Row format")->check(CLI::IsMember({"csv", "jsonl"}))->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write the rows to FILE (renamed into place at the end; '-' = stdout)");
  cmd->add_option("--max-points", o->max_points, "Refuse sweeps with more points than this")->capture_default_str();
  cmd->add_flag("--no-progress", o->no_progress, "No progress bar (it is drawn only when stderr is a terminal)");
  return {cmd, [o] { return run_sweep_command(*o); }};
}

}  // namespace edgepart::cli
