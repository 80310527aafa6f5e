// Element-wise ops of several inputs (add, mul) and the ones that pass their input through
// (identity, dropout at inference).
#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

// --- add ---

Shape infer_add(const LayerRef& l, const InputShapes& in) {
  const Shape& x = in.front();
  for (size_t k = 1; k < in.size(); ++k)
    if (!(in[k] == x)) l.fail("inputs must have equal shapes (got " + x.to_string() + " and " + in[k].to_string() + ")");
  return x;
}

Tensor forward_add(const ForwardCall& call) {
  const Region& out = call.out;
  Tensor result(call.out_shape.c, out.rows.length(), out.cols.length());
  for (const InputView& in : call.inputs) {
    check_reads(call.layer, in, out);
    for (int64_t ch = 0; ch < call.out_shape.c; ++ch)
      for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
        for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
          result.at(ch, y - out.rows.begin, x - out.cols.begin) += read(in, ch, y, x, 0.0f);
  }
  return result;
}

// --- mul: equal shapes, or a [C,1,1] second input broadcast over the map (squeeze-excitation) ---

bool broadcasts(const Shape& x, const Shape& y) { return !y.flat && !x.flat && y.c == x.c && y.h == 1 && y.w == 1; }

Shape infer_mul(const LayerRef& l, const InputShapes& in) {
  const Shape& x = in[0];
  const Shape& y = in[1];
  if (!(y == x) && !broadcasts(x, y))
    l.fail("second input must equal the first or be [C,1,1] (got " + x.to_string() + " and " + y.to_string() + ")");
  return x;
}

void backward_mul(const LayerRef&, const InputShapes& in, const Shape&, Halo, std::span<InputStep> steps) {
  steps[0] = same_step(in[0]);
  const Shape& y = in[1];
  // A [C,1,1] second input (squeeze-excitation) is broadcast: every output pixel reads its
  // single pixel, i.e. the whole 1x1 map.
  steps[1] = (y.h == 1 && y.w == 1) ? whole_step(y) : same_step(y);
}

Tensor forward_mul(const ForwardCall& call) {
  const Shape& s1 = call.in[0];
  const Shape& s2 = call.in[1];
  const Region& out = call.out;
  const bool broadcast = s2.h == 1 && s2.w == 1 && !(s1.h == 1 && s1.w == 1);
  check_reads(call.layer, call.inputs[0], out);
  check_reads(call.layer, call.inputs[1], broadcast ? Region::whole(s2) : out);
  Tensor result(call.out_shape.c, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < call.out_shape.c; ++ch)
    for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
      for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
        result.at(ch, y - out.rows.begin, x - out.cols.begin) =
            read(call.inputs[0], ch, y, x, 0.0f) *
            (broadcast ? read(call.inputs[1], ch, 0, 0, 0.0f) : read(call.inputs[1], ch, y, x, 0.0f));
  return result;
}

// --- identity and dropout ---

Tensor forward_identity(const ForwardCall& call) { return map_pixels(call, [](int64_t, float x) { return x; }); }

constexpr AttrKey kDropoutKeys[] = {{"p"}};

OpAttrs read_dropout(const JsonCursor& l) {
  DropoutAttrs a;
  if (auto c = l.find("p")) a.p = c->as_number_in(0.0, 1.0);
  return a;
}

void write_dropout(const OpAttrs& attrs, OrderedJson& j) { j["p"] = std::get<DropoutAttrs>(attrs).p; }

}  // namespace

constexpr OpSpec add_spec = {
    .kind = OpKind::add,
    .name = "add",
    .summary = "element-wise sum of equal shapes",
    .arity = {2, SIZE_MAX},
    .elementwise = true,
    .attributes = {},
    .defaults = NoAttrs{},
    .read = read_nothing,
    .write = write_nothing,
    .infer_shape = infer_add,
    .cost = one_flop_per_element,
    .op_class = OpClass::elementwise,
    .classify = nullptr,
    .backward = same_steps,
    .params = nullptr,
    .forward = forward_add,
};

constexpr OpSpec mul_spec = {
    .kind = OpKind::mul,
    .name = "mul",
    .summary = "element-wise product, second input may be [C,1,1] (squeeze-excitation)",
    .arity = {2, 2},
    .elementwise = true,
    .attributes = {},
    .defaults = NoAttrs{},
    .read = read_nothing,
    .write = write_nothing,
    .infer_shape = infer_mul,
    .cost = one_flop_per_element,
    .op_class = OpClass::elementwise,
    .classify = nullptr,
    .backward = backward_mul,
    .params = nullptr,
    .forward = forward_mul,
};

constexpr OpSpec dropout_spec = unary_spec({.kind = OpKind::dropout,
                                            .name = "dropout",
                                            .summary = "identity at inference",
                                            .forward = forward_identity,
                                            .op_class = OpClass::data_movement,
                                            .attributes = kDropoutKeys,
                                            .defaults = DropoutAttrs{},
                                            .read = read_dropout,
                                            .write = write_dropout,
                                            .cost = no_cost});

constexpr OpSpec identity_spec = unary_spec({.kind = OpKind::identity,
                                             .name = "identity",
                                             .summary = "passes its input through",
                                             .forward = forward_identity,
                                             .op_class = OpClass::data_movement,
                                             .cost = no_cost});

}  // namespace edgepart::ops
