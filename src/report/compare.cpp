#include "edgepart/report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "edgepart/report/table.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::report {

namespace {

// Unit suffixes of docs/design.md §9 naming; a nested key moves in front of them (latency_s.p99 ->
// latency_p99_s), so a flattened name still ends with its unit.
const std::vector<std::string> kUnitSuffixes = {"_s", "_ms", "_ns", "_bytes", "_rps", "_mbps", "_gflops", "_j", "_w", "_pct"};

// docs/design.md §8's stable simulate keys, flattened, in the order §8 lists them: sweep columns and
// check tables start with these.
const std::vector<std::string> kStableOrder = {
    "latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s",
    "speedup", "reliability", "reliability_ci_low", "reliability_ci_high", "deadline_s",
    "requests", "failed", "throughput_rps", "bytes_sent"};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string combine(const std::string& outer, const std::string& inner) {
  if (inner == "value") return outer;
  for (const auto& unit : kUnitSuffixes)
    if (ends_with(outer, unit) && outer.size() > unit.size())
      return outer.substr(0, outer.size() - unit.size()) + "_" + inner + unit;
  return outer + "_" + inner;
}

void flatten_into(const std::string& prefix, const Json& value, std::vector<std::pair<std::string, Json>>& out) {
  if (value.is_array()) return;  // per-device / per-link detail: not a column
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      flatten_into(prefix.empty() ? it.key() : combine(prefix, it.key()), it.value(), out);
    return;
  }
  out.emplace_back(prefix, value);
}

// A key value as canonical text, so that 10 (JSONL) and "10" (CSV) name the same row.
std::string key_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// A CSV cell as a JSON scalar: empty -> null; JSON numbers, true, false, null as such; anything
// else is a string.
Json cell_value(const std::string& cell) {
  if (cell.empty()) return Json();
  const char c = cell.front();
  if ((c >= '0' && c <= '9') || c == '-' || c == 't' || c == 'f' || c == 'n') {
    Json v = Json::parse(cell, nullptr, /*allow_exceptions=*/false);
    if (!v.is_discarded() && !v.is_structured()) return v;
  }
  return Json(cell);
}

// RFC 4180 records; `lines` receives the line where each record starts.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& file,
                                                std::vector<size_t>& lines) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1, record_line = 1;
  auto end_record = [&] {
    record.push_back(field);
    const bool blank = record.size() == 1 && record[0].empty() && !field_started;
    if (!blank) {
      records.push_back(std::move(record));
      lines.push_back(record_line);
    }
    record.clear();
    field.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty())
        throw InputError(file, "line " + std::to_string(line), "a quote inside an unquoted CSV field");
      quoted = field_started = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      field_started = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
      record_line = line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw InputError(file, "line " + std::to_string(record_line), "unterminated quoted CSV field");
  if (field_started || !record.empty()) end_record();
  return records;
}

void add_row(ResultTable& t, ResultTable::Row row, std::set<std::string>& seen) {
  if (!seen.insert(row.key).second)
    throw InputError(t.file, row.where, "two rows for " + row.key + " (a row must be unique by its key columns)");
  t.rows.push_back(std::move(row));
}

std::string row_key(const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : keys) parts.push_back(k + "=" + v);
  return parts.empty() ? "(the only row)" : join(parts, ", ");
}

void rows_from_objects(ResultTable& t, const std::vector<std::pair<Json, std::string>>& objects) {
  std::set<std::string> seen;
  for (const auto& [obj, where] : objects) {
    if (!obj.is_object()) throw InputError(t.file, where, "expected a JSON object per line");
    ResultTable::Row row;
    row.where = where;
    std::vector<std::pair<std::string, std::string>> keys;
    std::vector<std::string> key_cols;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (is_key_column(it.key())) {
        keys.emplace_back(it.key(), key_text(it.value()));
        key_cols.push_back(it.key());
      } else if (!it.value().is_structured()) {
        row.values.emplace_back(it.key(), it.value());
      }
    }
    if (t.rows.empty()) t.key_columns = key_cols;
    else if (key_cols != t.key_columns)
      throw InputError(t.file, where, "key columns " + join(key_cols, ",") + " differ from the first row's " +
                                          join(t.key_columns, ","));
    row.key = row_key(keys);
    add_row(t, std::move(row), seen);
  }
}

std::string text_of(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_number()) return format_number(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string short_text(const Json& v) {
  if (!v.is_number()) return text_of(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
  return buf;
}

bool metric_selected(const std::string& metric, const CheckOptions& o) {
  if (o.metrics.empty()) return o.strict || metric_direction(metric) != Direction::none;
  for (const auto& m : o.metrics) {
    if (!m.empty() && m.back() == '*') {
      if (starts_with(metric, m.substr(0, m.size() - 1))) return true;
    } else if (m == metric) {
      return true;
    }
  }
  return false;
}

}  // namespace

Direction metric_direction(const std::string& m) {
  if (starts_with(m, "latency") || starts_with(m, "predicted_latency") || m == "failed")
    return Direction::lower_is_better;
  if (starts_with(m, "speedup") || starts_with(m, "reliability") || starts_with(m, "throughput"))
    return Direction::higher_is_better;
  return Direction::none;
}

bool is_key_column(const std::string& c) { return starts_with(c, "/") || c == "strategy" || c == "seed"; }

std::vector<std::pair<std::string, Json>> flatten_metrics(const Json& entry) {
  std::vector<std::pair<std::string, Json>> flat;
  if (!entry.is_object()) return flat;
  for (auto it = entry.begin(); it != entry.end(); ++it)
    if (it.key() != "strategy") flatten_into(it.key(), it.value(), flat);
  auto rank = [](const std::string& name) {
    auto pos = std::find(kStableOrder.begin(), kStableOrder.end(), name);
    return static_cast<size_t>(pos - kStableOrder.begin());
  };
  std::stable_sort(flat.begin(), flat.end(), [&](const auto& a, const auto& b) {
    const size_t ra = rank(a.first), rb = rank(b.first);
    if (ra != rb) return ra < rb;
    return a.first < b.first;
  });
  return flat;
}

ResultTable parse_result_table(const std::string& text, const std::string& file) {
  ResultTable t;
  t.file = file;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw InputError(file, "", "empty file: no result to compare");
  if (text[first] == '{') {
    // One JSON document (a report or a plan) or JSON lines: a document parses whole.
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
    if (!doc.is_discarded() && doc.is_object() && doc.contains("format")) {
      doc = parse_json_text(text, file);  // strict (duplicate keys, depth) with line:column errors
      JsonCursor root(doc, file);
      const std::string format = root.at("format").as_string();
      if (format == "edgepart.report") {
        t.kind = ResultTable::Kind::report;
        t.key_columns = {"strategy"};
        JsonCursor list = root.at("strategies");
        list.expect_array();
        std::set<std::string> seen;
        for (const auto& e : list.elements()) {
          e.expect_object();
          ResultTable::Row row;
          row.key = "strategy=" + e.at("strategy").as_string();
          row.where = e.pointer();
          row.values = flatten_metrics(e.value());
          add_row(t, std::move(row), seen);
        }
        return t;
      }
      if (format == "edgepart.plan") {
        // A plan's figures: its predicted latency and traffic (the stages are compared as bytes).
        t.kind = ResultTable::Kind::plan;
        t.key_columns = {"strategy"};
        ResultTable::Row row;
        row.key = "strategy=" + root.at("strategy").as_string();
        row.where = "/predicted";
        JsonCursor pred = root.at("predicted");
        pred.expect_object();
        for (const auto& [k, v] : flatten_metrics(pred.value())) row.values.emplace_back("predicted_" + k, v);
        t.rows.push_back(std::move(row));
        return t;
      }
      root.at("format").fail("cannot compare a '" + format +
                             "' file (expected edgepart.report, edgepart.plan, or sweep rows as CSV or JSON lines)");
    }
    // JSON lines: one object per non-blank line.
    std::vector<std::pair<Json, std::string>> objects;
    size_t line = 0, pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      ++line;
      std::string l = text.substr(pos, end - pos);
      pos = end + 1;
      if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = "line " + std::to_string(line);
      Json obj = Json::parse(l, nullptr, /*allow_exceptions=*/false);
      if (obj.is_discarded()) throw InputError(file, where, "not a JSON object (JSON lines: one object per line)");
      objects.emplace_back(std::move(obj), where);
    }
    rows_from_objects(t, objects);
    return t;
  }
  // CSV with a header row.
  std::vector<size_t> lines;
  auto records = parse_csv(text, file, lines);
  if (records.size() < 1) throw InputError(file, "", "empty CSV: no header");
  const auto& header = records.front();
  {
    std::set<std::string> names;
    for (const auto& h : header) {
      if (h.empty()) throw InputError(file, "line " + std::to_string(lines[0]), "a CSV header column has no name");
      if (!names.insert(h).second)
        throw InputError(file, "line " + std::to_string(lines[0]), "column '" + h + "' appears twice in the header");
    }
  }
  for (const auto& h : header)
    if (is_key_column(h)) t.key_columns.push_back(h);
  std::set<std::string> seen;
  for (size_t r = 1; r < records.size(); ++r) {
    const std::string where = "line " + std::to_string(lines[r]);
    if (records[r].size() != header.size())
      throw InputError(file, where, "has " + std::to_string(records[r].size()) + " fields, the header has " +
                                        std::to_string(header.size()));
    ResultTable::Row row;
    row.where = where;
    std::vector<std::pair<std::string, std::string>> keys;
    for (size_t c = 0; c < header.size(); ++c) {
      if (is_key_column(header[c])) keys.emplace_back(header[c], key_text(cell_value(records[r][c])));
      else row.values.emplace_back(header[c], cell_value(records[r][c]));
    }
    row.key = row_key(keys);
    add_row(t, std::move(row), seen);
  }
  return t;
}

ResultTable load_result_table(const std::string& path) { return parse_result_table(read_text_file(path), path); }

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::same: return "same";
    case Verdict::within: return "within tolerance";
    case Verdict::improved: return "improved";
    case Verdict::regressed: return "REGRESSED";
    case Verdict::changed: return "CHANGED";
  }
  return "?";
}

CheckResult check_results(const ResultTable& result, const ResultTable& baseline, const CheckOptions& o) {
  auto kind_name = [](ResultTable::Kind k) {
    switch (k) {
      case ResultTable::Kind::report: return "a simulate report";
      case ResultTable::Kind::plan: return "a plan";
      case ResultTable::Kind::rows: return "sweep rows";
    }
    return "?";
  };
  if (result.kind != baseline.kind)
    throw InputError(result.file, "", std::string("is ") + kind_name(result.kind) + " but the baseline " + baseline.file +
                                          " is " + kind_name(baseline.kind) + ": nothing to compare");
  if (result.kind == ResultTable::Kind::rows && result.key_columns != baseline.key_columns)
    throw InputError(result.file, "", "key columns (" + join(result.key_columns, ",") + ") differ from the baseline's (" +
                                          join(baseline.key_columns, ",") + ")");
  if (!(o.rtol >= 0) || !(o.atol >= 0)) throw InputError("", "--rtol/--atol", "tolerances must be >= 0");
  // A baseline without rows (a CSV header alone, a report of no strategies) would pass any result
  // after comparing nothing: a CI gate that can never fail.
  if (baseline.rows.empty())
    throw InputError(baseline.file, "", "the baseline has no rows (" + std::string(kind_name(baseline.kind)) +
                                            " without data): nothing to compare");

  std::map<std::string, const ResultTable::Row*> by_key;
  for (const auto& r : result.rows) by_key[r.key] = &r;
  std::set<std::string> in_baseline;
  for (const auto& r : baseline.rows) in_baseline.insert(r.key);

  // Every --metric must name something, or the check would pass vacuously on a typo.
  for (const auto& m : o.metrics) {
    bool any = false;
    for (const auto& row : baseline.rows)
      for (const auto& [name, v] : row.values) {
        CheckOptions one;
        one.metrics = {m};
        if (metric_selected(name, one)) any = true;
      }
    if (!any) throw InputError(baseline.file, "--metric", "no column matches '" + m + "'");
  }

  CheckResult out;
  for (const auto& brow : baseline.rows) {
    auto it = by_key.find(brow.key);
    if (it == by_key.end())
      throw InputError(result.file, "", "no row for " + brow.key + " (the baseline " + baseline.file + " has it at " +
                                            brow.where + ")");
    const ResultTable::Row& rrow = *it->second;
    ++out.rows;
    for (const auto& entry : brow.values) {
      // Not a structured binding: clang 14 cannot capture one in the lambda below.
      const std::string& metric = entry.first;
      const Json& bval = entry.second;
      if (!metric_selected(metric, o)) continue;
      auto found = std::find_if(rrow.values.begin(), rrow.values.end(), [&](const auto& p) { return p.first == metric; });
      if (found == rrow.values.end())
        throw InputError(result.file, rrow.where, "no '" + metric + "' for " + brow.key + " (the baseline has it)");
      const Json& rval = found->second;
      ++out.compared;
      const Direction dir = metric_direction(metric);
      // Named explicitly or strict: a move either way beyond the tolerance fails.
      const bool both_ways = o.strict || dir == Direction::none;
      MetricChange ch{brow.key, metric, bval, rval, 0.0, Verdict::same};
      if (bval.is_number() && rval.is_number()) {
        const double b = bval.get<double>(), r = rval.get<double>();
        const double diff = r - b;
        if (diff == 0) continue;
        ch.rel_change = b != 0 ? diff / std::fabs(b) : (diff > 0 ? 1 : -1) * std::numeric_limits<double>::infinity();
        const double tol = std::max(o.atol, o.rtol * std::fabs(b));
        if (std::fabs(diff) <= tol) ch.verdict = Verdict::within;
        else if (both_ways) ch.verdict = Verdict::changed;
        else if ((diff > 0) == (dir == Direction::lower_is_better)) ch.verdict = Verdict::regressed;
        else ch.verdict = Verdict::improved;
      } else {
        if (bval == rval) continue;
        // A value that appeared, vanished or changed type: no tolerance applies.
        ch.verdict = Verdict::changed;
        ch.rel_change = std::numeric_limits<double>::quiet_NaN();
      }
      switch (ch.verdict) {
        case Verdict::within: ++out.within; break;
        case Verdict::improved: ++out.improvements; break;
        case Verdict::regressed: ++out.regressions; break;
        case Verdict::changed: ++out.changed; break;
        case Verdict::same: break;
      }
      out.changes.push_back(std::move(ch));
    }
  }
  for (const auto& r : result.rows)
    if (!in_baseline.count(r.key)) {
      if (o.strict)
        throw InputError(result.file, r.where, "row " + r.key + " is not in the baseline " + baseline.file + " (--strict)");
      out.notes.push_back("new row, not in the baseline: " + r.key);
    }
  return out;
}

std::string render_check(const CheckResult& c, const CheckOptions& o, bool all) {
  using A = TextTable::Align;
  TextTable t({"row", "metric", "baseline", "result", "change", "verdict"}, {A::left, A::left, A::right, A::right, A::right, A::left});
  int shown = 0;
  for (const auto& ch : c.changes) {
    if (ch.verdict == Verdict::within && !all) continue;
    char pct[48];
    if (std::isnan(ch.rel_change)) std::snprintf(pct, sizeof pct, "-");
    else if (std::isinf(ch.rel_change)) std::snprintf(pct, sizeof pct, "%s", ch.rel_change > 0 ? "+inf" : "-inf");
    else std::snprintf(pct, sizeof pct, "%+.2f %%", 100.0 * ch.rel_change);
    // Six significant digits read best; all of them when six would hide the difference.
    std::string b = short_text(ch.baseline), r = short_text(ch.result);
    if (b == r) {
      b = text_of(ch.baseline);
      r = text_of(ch.result);
    }
    t.add_row({ch.row, ch.metric, b, r, pct, verdict_name(ch.verdict)});
    ++shown;
  }
  std::string text;
  if (shown > 0) text += t.render() + "\n";
  char summary[256];
  std::snprintf(summary, sizeof summary,
                "%lld values compared over %lld rows (rtol %s, atol %s%s): %lld regressed, %lld improved, %lld changed, "
                "%lld within tolerance\n",
                static_cast<long long>(c.compared), static_cast<long long>(c.rows), format_number(o.rtol).c_str(),
                format_number(o.atol).c_str(), o.strict ? ", strict" : "", static_cast<long long>(c.regressions),
                static_cast<long long>(c.improvements), static_cast<long long>(c.changed), static_cast<long long>(c.within));
  text += summary;
  for (const auto& n : c.notes) text += "note: " + n + "\n";
  return text;
}

Json check_to_json(const CheckResult& c, const CheckOptions& o) {
  Json j = Json::object();
  j["rtol"] = o.rtol;
  j["atol"] = o.atol;
  j["strict"] = o.strict;
  j["rows"] = c.rows;
  j["compared"] = c.compared;
  j["regressions"] = c.regressions;
  j["improvements"] = c.improvements;
  j["changed"] = c.changed;
  j["within"] = c.within;
  j["failed"] = c.failed();
  Json list = Json::array();
  for (const auto& ch : c.changes) {
    Json e = Json::object();
    e["row"] = ch.row;
    e["metric"] = ch.metric;
    e["baseline"] = ch.baseline;
    e["result"] = ch.result;
    // JSON has no infinity or NaN (nlohmann would write null silently): say so explicitly.
    if (std::isfinite(ch.rel_change)) e["rel_change"] = ch.rel_change;
    else e["rel_change"] = nullptr;
    e["verdict"] = verdict_name(ch.verdict);
    list.push_back(std::move(e));
  }
  j["changes"] = std::move(list);
  j["notes"] = c.notes;
  return j;
}

}  // namespace edgepart::report
