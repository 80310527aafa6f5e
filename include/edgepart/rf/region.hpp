#pragma once
// Intervals and regions live with the ops (ops/region.hpp), whose receptive-field steps and forward
// passes use them; rf names them here for its users.
#include "edgepart/ops/region.hpp"

namespace edgepart::rf {

using ops::Interval;
using ops::Region;

}  // namespace edgepart::rf
