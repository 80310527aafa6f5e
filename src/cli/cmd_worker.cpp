// `edgepart worker --listen HOST:PORT [--token-file F] [--workdir DIR]`: serves `edgepart run`
// coordinators on one device (docs/runtime.md). The token comes from a file or the environment
// (EDGEPART_TOKEN), never from the command line, where other users could read it in `ps`.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "edgepart/runtime/worker.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::cli {

namespace {

struct WorkerOptions {
  std::string listen, token_file, workdir;
};

std::string read_token(const WorkerOptions& o) {
  std::string token;
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file, std::ios::binary);
    if (!in) throw InputError(o.token_file, "", "cannot read the token file");
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) throw InputError(o.token_file, "", "the token file is empty");
  } else if (const char* env = std::getenv("EDGEPART_TOKEN"); env && *env) {
    token = env;
  } else {
    throw InputError("", "--token-file", "a worker needs a token: give --token-file FILE or set EDGEPART_TOKEN");
  }
  return token;
}

int run_worker(const WorkerOptions& o) {
  std::string token = read_token(o);
  if (!o.workdir.empty() && ::chdir(o.workdir.c_str()) != 0)
    throw InputError(o.workdir, "", "cannot enter the work folder");
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || o.listen.size() - colon - 1 > 5 ||
      o.listen.find_first_not_of("0123456789", colon + 1) != std::string::npos || colon + 1 == o.listen.size() ||
      std::stoul(o.listen.substr(colon + 1)) > 65535)
    throw InputError("", "--listen", "expected HOST:PORT with a port 0..65535 (got '" + o.listen + "')");
  std::string host = o.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  runtime::WorkerServer server(host, static_cast<uint16_t>(std::stoul(o.listen.substr(colon + 1))), token);
  // The first stdout line says where the worker listens (run --spawn reads the port from it).
  std::printf("edgepart worker listening on %s:%u\n", o.listen.substr(0, colon).c_str(), server.port());
  std::fflush(stdout);
  server.run(true);
  spdlog::info("worker stopped");
  return 0;
}

}  // namespace

Command add_worker_command(CLI::App& root) {
  auto o = std::make_shared<WorkerOptions>();
  CLI::App* cmd = root.add_subcommand("worker", "Serve `edgepart run`: execute this device's part of a plan for real");
  cmd->footer(
      "The token (shared with the coordinator) comes from --token-file or EDGEPART_TOKEN.\n"
      "Examples:\n"
      "  EDGEPART_TOKEN=s3cret edgepart worker --listen 0.0.0.0:7100\n"
      "  edgepart worker --listen 10.0.0.2:7100 --token-file ~/.edgepart-token --workdir /var/tmp/ep");
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port, printed on stdout)")->required();
  cmd->add_option("--token-file", o->token_file, "File holding the shared token (else EDGEPART_TOKEN)");
  cmd->add_option("--workdir", o->workdir, "Folder to run in (the worker writes no files)");
  return {cmd, [o] { return run_worker(*o); }};
}

}  // namespace edgepart::cli
