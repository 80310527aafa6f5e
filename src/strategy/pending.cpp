// Temporary: strategies whose files are being written (removed as each lands).
#include "edgepart/util/error.hpp"
#include "strategy/spatial.hpp"

namespace edgepart::strategy {

namespace {
[[noreturn]] void pending(const char* name) { throw InputError("", "", std::string("strategy '") + name + "' is not implemented yet"); }
}  // namespace

plan::Plan make_dpfp_plan(const PlanRequest&, const JsonCursor&) { pending("dpfp"); }
plan::Plan make_modnn_plan(const PlanRequest&, const JsonCursor&) { pending("modnn"); }
plan::Plan make_ftp_plan(const PlanRequest&, const JsonCursor&) { pending("ftp"); }
plan::Plan make_fdsp_plan(const PlanRequest&, const JsonCursor&) { pending("fdsp"); }
bool spatial_applicable(const PlanRequest& r, std::string& why) {
  if (r.cluster.size() < 2) {
    why = "needs at least two devices";
    return false;
  }
  return true;
}

}  // namespace edgepart::strategy
