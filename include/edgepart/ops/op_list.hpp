#pragma once
// THE list of ops: one row per op, in OpKind order. X(kind) names the op as in the model format;
// its spec, `extern const OpSpec kind##_spec`, is defined in its family's file under src/ops/
// (conv.cpp, pool.cpp, activation.cpp, ...). OpKind (ops/op.hpp) and the table (src/ops/table.cpp)
// are both expanded from this list, so adding an op is its spec in one file plus one row here
// (docs/architecture.md "Ops").
#define EDGEPART_OPS(X) \
  X(conv2d)             \
  X(maxpool2d)          \
  X(avgpool2d)          \
  X(adaptive_avgpool2d) \
  X(batchnorm)          \
  X(relu)               \
  X(relu6)              \
  X(clip)               \
  X(leaky_relu)         \
  X(sigmoid)            \
  X(hardsigmoid)        \
  X(silu)               \
  X(hardswish)          \
  X(lrn)                \
  X(dropout)            \
  X(flatten)            \
  X(linear)             \
  X(add)                \
  X(mul)                \
  X(concat)             \
  X(softmax)            \
  X(upsample)           \
  X(space_to_depth)     \
  X(depth_to_space)     \
  X(identity)
