#include "edgepart/report/chrome_trace.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace edgepart::report {

namespace {
constexpr int kDevicesPid = 1, kLinksPid = 2, kRequestsPid = 3;
// Microseconds, rounded to the nanosecond (trace viewers read ts as µs with a fraction).
double us(double s) { return std::round(s * 1e9) / 1e3; }
}  // namespace

ChromeTrace::ChromeTrace(std::vector<std::string> device_names, int64_t max_requests)
    : names_(std::move(device_names)), max_requests_(max_requests) {}

void ChromeTrace::on_task_end(const sim::TaskSpan& s) {
  if (s.request >= max_requests_) return;
  std::string cat = s.info && s.info->kind == plan::TaskKind::cache_lookup ? "cache_lookup" : "compute";
  spans_.push_back(Span{kDevicesPid, s.device, s.info ? s.info->name : "task", cat, s.start_s, s.end_s, s.request});
}

void ChromeTrace::on_transfer_end(const sim::TransferSpan& s) {
  if (s.request >= max_requests_) return;
  const int n = static_cast<int>(names_.size());
  std::string name = s.info ? s.info->name : "transfer";
  if (s.info && s.info->kind != plan::TaskKind::transfer) name += s.from == s.info->in_from ? "/in" : "/out";
  spans_.push_back(Span{kLinksPid, s.from * n + s.to, name, "transfer", s.start_s, s.end_s, s.request});
}

void ChromeTrace::on_request_done(const sim::RequestRecord& r) {
  if (r.id < max_requests_) requests_.push_back(r);
}

Json ChromeTrace::to_json() const {
  Json events = Json::array();
  auto meta = [&](int pid, int tid, const char* what, const std::string& name) {
    Json e{{"ph", "M"}, {"pid", pid}, {"name", what}, {"args", Json{{"name", name}}}};
    if (tid >= 0) e["tid"] = tid;
    else e["tid"] = 0;
    events.push_back(e);
  };
  meta(kDevicesPid, -1, "process_name", "devices");
  meta(kLinksPid, -1, "process_name", "links");
  meta(kRequestsPid, -1, "process_name", "requests");
  const int n = static_cast<int>(names_.size());
  for (int d = 0; d < n; ++d) meta(kDevicesPid, d, "thread_name", names_[static_cast<size_t>(d)]);
  std::map<int, bool> links;
  for (const auto& s : spans_)
    if (s.pid == kLinksPid) links[s.tid] = true;
  for (const auto& [tid, unused] : links)
    meta(kLinksPid, tid, "thread_name", names_[static_cast<size_t>(tid / n)] + "->" + names_[static_cast<size_t>(tid % n)]);

  // Requests on lanes: each goes to the lowest lane free at its arrival (interval colouring), so
  // overlapping requests never share a track.
  std::vector<sim::RequestRecord> reqs = requests_;
  std::sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<double> lane_free;
  for (const auto& r : reqs) {
    size_t lane = 0;
    while (lane < lane_free.size() && lane_free[lane] > r.arrival_s) ++lane;
    if (lane == lane_free.size()) {
      lane_free.push_back(0);
      meta(kRequestsPid, static_cast<int>(lane), "thread_name", "lane " + std::to_string(lane));
    }
    lane_free[lane] = r.done_s;
    events.push_back(Json{{"ph", "X"},
                          {"pid", kRequestsPid},
                          {"tid", static_cast<int>(lane)},
                          {"name", "request " + std::to_string(r.id)},
                          {"cat", r.failed ? "request_failed" : "request"},
                          {"ts", us(r.arrival_s)},
                          {"dur", us(r.done_s) - us(r.arrival_s)},
                          {"args", Json{{"request", r.id}, {"variant", r.variant}, {"cache_hit", r.cache_hit}}}});
  }
  for (const auto& s : spans_)
    events.push_back(Json{{"ph", "X"},
                          {"pid", s.pid},
                          {"tid", s.tid},
                          {"name", s.name},
                          {"cat", s.cat},
                          {"ts", us(s.start_s)},
                          {"dur", us(s.end_s) - us(s.start_s)},
                          {"args", Json{{"request", s.request}}}});
  return Json{{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace edgepart::report
