#pragma once
// The ops of a model: their kinds, attributes and table live in the ops module (ops/op.hpp,
// ops/spec.hpp, one file per op family under src/ops/); model names them here for its users.
#include "edgepart/ops/op.hpp"
#include "edgepart/ops/spec.hpp"

namespace edgepart::model {

using ops::AdaptivePoolAttrs;
using ops::Arity;
using ops::BatchNormAttrs;
using ops::BlockAttrs;
using ops::ClipAttrs;
using ops::Conv2dAttrs;
using ops::DropoutAttrs;
using ops::HardSigmoidAttrs;
using ops::Hw;
using ops::LeakyReluAttrs;
using ops::LinearAttrs;
using ops::LrnAttrs;
using ops::NoAttrs;
using ops::OpAttrs;
using ops::OpKind;
using ops::Padding;
using ops::Pool2dAttrs;
using ops::UpsampleAttrs;

using OpInfo = ops::OpSpec;
using ops::find_op;
using ops::op_name;
using ops::op_names;
using ops::op_table;
inline const OpInfo& op_info(OpKind kind) { return ops::op_spec(kind); }

}  // namespace edgepart::model
