// edgepart-netemu: the emulated network of a scenario for people who run their own processes
// (docs/netemu.md). `up` builds it and leaves it up, `down` removes it, `exec` runs a command in a
// device's namespace. Exit codes as edgepart's: 0 ok, 1 internal error, 2 bad input or usage.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>

#include "edgepart/netemu/netemu.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/json_read.hpp"
#include "edgepart/util/strings.hpp"

namespace {

using edgepart::InputError;
using edgepart::Json;
namespace netemu = edgepart::netemu;

// `up` records the device table here so that `exec` can find a device by name; `down` removes it.
const std::string kManifestDir = "/var/run/edgepart-netemu/";
std::string manifest_path(const std::string& prefix) { return kManifestDir + prefix + ".json"; }

Json describe(const edgepart::scenario::Scenario& s, const netemu::EmulatedNetwork& net) {
  Json devices = Json::array();
  for (int i = 0; i < net.size(); ++i)
    devices.push_back({{"index", i},
                       {"name", s.devices[static_cast<size_t>(i)].name},
                       {"namespace", net.namespace_of(i)},
                       {"address", net.address_of(i)}});
  return {{"prefix", net.prefix()},
          {"hub_namespace", net.hub_namespace()},
          {"network", s.network.kind == edgepart::scenario::NetworkKind::shared ? "shared" : "switched"},
          {"latency_in_kernel", net.latency_in_kernel()},
          {"devices", devices}};
}

void print_table(const Json& d) {
  std::printf("prefix %s (network %s, latency %s)\n", d["prefix"].get<std::string>().c_str(),
              d["network"].get<std::string>().c_str(),
              d["latency_in_kernel"].get<bool>() ? "by the kernel (netem)"
                                                 : "NOT emulated: this kernel has no netem, add it yourself");
  std::printf("%-6s %-20s %-24s %s\n", "index", "device", "namespace", "address");
  for (const auto& dev : d["devices"])
    std::printf("%-6d %-20s %-24s %s\n", dev["index"].get<int>(), dev["name"].get<std::string>().c_str(),
                dev["namespace"].get<std::string>().c_str(), dev["address"].get<std::string>().c_str());
  std::printf("remove with: edgepart-netemu down %s\n", d["prefix"].get<std::string>().c_str());
}

void write_manifest(const Json& d) {
  mkdir(kManifestDir.c_str(), 0755);
  const std::string path = manifest_path(d["prefix"].get<std::string>());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << d.dump(2) << "\n";
    if (!out) throw edgepart::InternalError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw edgepart::InternalError("cannot write " + path);
}

int cmd_up(const std::string& file, const std::vector<std::string>& sets, std::string prefix,
           const std::string& format, const std::string& latency) {
  const auto s = edgepart::scenario::load_scenario(file, sets);
  // Not ep<pid>n<k>: this process exits at once, and stale_prefixes() would take the network
  // it leaves up for a crashed run's.
  if (prefix.empty()) prefix = "up" + std::to_string(getpid());
  const netemu::LatencyMode mode = latency == "kernel"        ? netemu::LatencyMode::kernel
                                   : latency == "application" ? netemu::LatencyMode::application
                                                              : netemu::LatencyMode::automatic;
  auto net = netemu::EmulatedNetwork::create(s, prefix, mode);
  const Json d = describe(s, net);
  write_manifest(d);
  net.release();
  if (format == "json")
    std::printf("%s\n", d.dump(2).c_str());
  else
    print_table(d);
  return 0;
}

int cmd_down(const std::string& prefix, bool stale) {
  if (stale) {
    const auto prefixes = netemu::EmulatedNetwork::stale_prefixes();
    if (prefixes.empty()) std::printf("no stale networks\n");
    for (const auto& p : prefixes) cmd_down(p, false);
    if (prefix.empty()) return 0;
  }
  if (prefix.empty()) throw InputError("", "down", "give a PREFIX or --stale");
  const int removed = netemu::EmulatedNetwork::cleanup_stale(prefix);
  std::remove(manifest_path(prefix).c_str());
  std::printf("removed %d namespace%s of %s\n", removed, removed == 1 ? "" : "s", prefix.c_str());
  return 0;
}

int cmd_exec(const std::string& prefix, const std::string& device, const std::vector<std::string>& command) {
  const std::string path = manifest_path(prefix);
  std::ifstream in(path);
  if (!in) throw InputError("", "prefix", "no network '" + prefix + "' is up (no " + path + ")");
  std::stringstream text;
  text << in.rdbuf();
  const Json d = Json::parse(text.str());
  std::vector<std::string> names;
  for (const auto& dev : d["devices"]) {
    names.push_back(dev["name"].get<std::string>());
    if (names.back() != device) continue;
    std::vector<std::string> argv = netemu::namespace_exec_argv(dev["namespace"].get<std::string>(), command);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::fflush(stdout);
    execv(args[0], args.data());
    throw edgepart::InternalError("cannot run " + argv[0]);
  }
  std::string hint = edgepart::closest_match(device, names);
  throw InputError(path, "/devices", "no device '" + device + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

int run(int argc, char** argv) {
  CLI::App app{
      "edgepart-netemu: a scenario's network on this machine (one network namespace per device, shaped\n"
      "with tc; docs/netemu.md). Needs root.\n\n"
      "Examples:\n"
      "  edgepart-netemu up scenarios/default.json --prefix demo   build it, print the device table\n"
      "  edgepart-netemu exec demo es1 -- python3 -m http.server    a command in es1's namespace\n"
      "  edgepart-netemu down demo                                  remove it\n",
      "edgepart-netemu"};
  app.require_subcommand(1);
  std::string file, prefix, format = "table", latency = "auto", device;
  std::vector<std::string> sets, command;

  auto* up = app.add_subcommand("up", "Build the network of SCENARIO and leave it up");
  up->add_option("scenario", file, "Scenario file")->required();
  up->add_option("--prefix", prefix, "Names of the namespaces: PREFIX-hub, PREFIX-d<i> ([a-z0-9], default up<pid>)");
  up->add_option("--set", sets, "Override a scenario value: /json/pointer=value (repeatable)");
  up->add_option("--format", format, "Output")->check(CLI::IsMember({"table", "json"}));
  up->add_option("--latency", latency, "Latency by the kernel (netem): auto (when available), kernel, application (never)")
      ->check(CLI::IsMember({"auto", "kernel", "application"}));
  bool stale = false;
  auto* down = app.add_subcommand("down", "Remove every namespace named PREFIX-...");
  down->add_option("prefix", prefix, "Prefix given to up");
  down->add_flag("--stale", stale, "Also remove the networks of edgepart processes that are gone (ep<pid>n<k>-...)");
  auto* exec = app.add_subcommand("exec", "Run a command in a device's namespace: exec PREFIX DEVICE -- CMD...");
  exec->add_option("prefix", prefix, "Prefix given to up")->required();
  exec->add_option("device", device, "Device name (from the scenario)")->required();
  exec->add_option("command", command, "The command and its arguments (after --)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*up) return cmd_up(file, sets, prefix, format, latency);
  if (*down) return cmd_down(prefix, stale);
  return cmd_exec(prefix, device, command);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const InputError& e) {
    std::fprintf(stderr, "edgepart-netemu: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgepart-netemu: internal error: %s\n", e.what());
    return 1;
  }
}
