// `edgepart list models|ops|strategies|channels`: what edgepart knows, with one line each.
#include <algorithm>
#include <filesystem>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/model/zoo.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/sim/channel.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

namespace {

namespace fs = std::filesystem;

struct ListOptions {
  std::string what;
  OutputOptions out;
};

int list_models(const ListOptions& o) {
  std::vector<fs::path> files;
  for (const auto& dir : model::zoo_dirs()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    if (!files.empty()) break;  // the first folder that has models wins
  }
  std::sort(files.begin(), files.end());
  Json rows = Json::array();
  using A = report::TextTable::Align;
  report::TextTable t({"model", "input", "layers", "GMACs", "params", "file"}, {A::left, A::left, A::right, A::right, A::right, A::left});
  for (const auto& f : files) {
    model::ModelGraph g = model::load_model(f.string());
    auto a = cost::analyze(g);
    rows.push_back(Json{{"name", g.name}, {"file", f.filename().string()}, {"input_shape", g.input.dims()},
                        {"layers", g.size()}, {"macs", a.total_macs}, {"params", a.total_params}});
    char gmacs[32];
    std::snprintf(gmacs, sizeof gmacs, "%.2f", static_cast<double>(a.total_macs) / 1e9);
    t.add_row({g.name, g.input.to_string(), std::to_string(g.size()), gmacs, with_thousands(a.total_params), f.string()});
  }
  if (resolve_format(o.out) == Format::table) emit(o.out, t.render(), {});
  else emit(o.out, Json{{"models", rows}}.dump(2) + "\n", {});
  return 0;
}

int list_ops(const ListOptions& o) {
  Json rows = Json::array();
  report::TextTable t({"op", "inputs", "what it does"});
  for (const auto& info : model::op_table()) {
    std::string arity = info.arity.max == SIZE_MAX ? ">= " + std::to_string(info.arity.min) : std::to_string(info.arity.min);
    if (info.arity.max != info.arity.min && info.arity.max != SIZE_MAX) arity += "-" + std::to_string(info.arity.max);
    // The attribute keys with their defaults (null = required), in the spec's order: what
    // tools/edgepart_model.py checks layers against (tools/ops.json holds this output).
    Json attributes = Json::parse(ops::attribute_defaults(info).dump());
    Json inputs{{"min", info.arity.min}, {"max", info.arity.max == SIZE_MAX ? Json(nullptr) : Json(info.arity.max)}};
    rows.push_back(Json{{"name", std::string(info.name)}, {"summary", std::string(info.summary)},
                        {"attributes", attributes}, {"inputs", inputs}});
    t.add_row({std::string(info.name), arity, std::string(info.summary)});
  }
  if (resolve_format(o.out) == Format::table) emit(o.out, t.render(), {});
  else emit(o.out, Json{{"ops", rows}}.dump(2) + "\n", {});
  return 0;
}

int list_strategies(const ListOptions& o) {
  Json rows = Json::array();
  report::TextTable t({"strategy", "what it does", "paper"});
  for (const auto& s : strategy::strategy_table()) {
    rows.push_back(Json{{"name", std::string(s.name)}, {"summary", std::string(s.summary)}, {"citation", std::string(s.citation)}});
    t.add_row({std::string(s.name), std::string(s.summary), std::string(s.citation)});
  }
  if (resolve_format(o.out) == Format::table) emit(o.out, t.render(), {});
  else emit(o.out, Json{{"strategies", rows}}.dump(2) + "\n", {});
  return 0;
}

// The channel kinds of a scenario's network (docs/formats.md, docs/design.md §6).
int list_channels(const ListOptions& o) {
  Json rows = Json::array();
  report::TextTable t({"channel", "keys", "what it models"});
  for (const auto& k : sim::channel_table()) {  // the simulator's registry: one list of channels
    const std::string name(k.kind), keys(k.keys), summary(k.summary);
    rows.push_back(Json{{"name", name}, {"keys", keys}, {"summary", summary}});
    t.add_row({name, keys, summary});
  }
  if (resolve_format(o.out) == Format::table) emit(o.out, t.render(), {});
  else emit(o.out, Json{{"channels", rows}}.dump(2) + "\n", {});
  return 0;
}

}  // namespace

Command add_list_command(CLI::App& root) {
  auto o = std::make_shared<ListOptions>();
  CLI::App* cmd = root.add_subcommand("list", "List the model zoo, the supported ops, the strategies or the channel kinds");
  cmd->footer("Examples:\n  edgepart list models\n  edgepart list ops --format json\n  edgepart list strategies\n  edgepart list channels");
  cmd->add_option("what", o->what, "What to list")->required()->check(CLI::IsMember({"models", "ops", "strategies", "channels"}));
  add_output_options(cmd, o->out, {"table", "json"});
  return {cmd, [o] {
            if (o->what == "ops") return list_ops(*o);
            if (o->what == "strategies") return list_strategies(*o);
            if (o->what == "channels") return list_channels(*o);
            return list_models(*o);
          }};
}

}  // namespace edgepart::cli
