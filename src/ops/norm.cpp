// Normalisations: batchnorm (inference: a per-channel scale and shift), lrn and softmax (both
// across channels at each pixel, so a pixel reads only its own pixel of the input).
#include <algorithm>
#include <cmath>
#include <limits>

#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

Shape same_chw_shape(const LayerRef& l, const InputShapes& in) { return require_chw(l, in.front()); }

// --- batchnorm ---

constexpr AttrKey kBatchNormKeys[] = {{"eps"}};

OpAttrs read_batchnorm(const JsonCursor& l) {
  BatchNormAttrs a;
  if (auto c = l.find("eps")) a.eps = c->as_positive_number();
  return a;
}

void write_batchnorm(const OpAttrs& attrs, OrderedJson& j) { j["eps"] = std::get<BatchNormAttrs>(attrs).eps; }

LayerCost cost_batchnorm(const LayerRef&, const InputShapes&, const Shape& out) {
  LayerCost c;
  c.params = checked_mul(2, out.c);  // scale and shift; running statistics are buffers
  c.flops = out.elements();
  return c;
}

constexpr std::string_view kBatchNormRoles[] = {"gamma", "beta", "mean", "var"};

std::vector<size_t> batchnorm_tensor_sizes(const LayerRef&, const InputShapes& in) {
  return std::vector<size_t>(4, static_cast<size_t>(in.front().c));
}

ParamCounts batchnorm_held(const LayerRef&, const InputShapes& in) {
  auto c = static_cast<size_t>(in.front().c);
  return ParamCounts{0, c, c};  // the shift in bias, the scale in scale
}

LayerParams batchnorm_from(const LayerRef& l, const std::vector<std::vector<float>>& t) {
  LayerParams p;
  fold_batchnorm(p, t.at(0), t.at(1), t.at(2), t.at(3), l.as<BatchNormAttrs>().eps);
  return p;
}

// Random statistics near the identity (ops/params.hpp), folded into a per-channel scale and shift.
LayerParams draw_batchnorm(const LayerRef& l, const InputShapes& in, uint64_t seed) {
  auto n = static_cast<size_t>(in.front().c);
  std::vector<float> gamma(n), beta(n), mean(n), var(n);
  UniformStream(seed, l.name, "gamma").fill(gamma, 0.8f, 1.2f);
  UniformStream(seed, l.name, "beta").fill(beta, -0.1f, 0.1f);
  UniformStream(seed, l.name, "mean").fill(mean, -0.1f, 0.1f);
  UniformStream(seed, l.name, "var").fill(var, 0.8f, 1.2f);
  LayerParams p;
  fold_batchnorm(p, gamma, beta, mean, var, l.as<BatchNormAttrs>().eps);
  return p;
}

constexpr OpParams kBatchNormParams = {.roles = kBatchNormRoles,
                                       .tensor_sizes = batchnorm_tensor_sizes,
                                       .held = batchnorm_held,
                                       .from_tensors = batchnorm_from,
                                       .draw = draw_batchnorm};

Tensor forward_batchnorm(const ForwardCall& call) {
  const LayerParams& p = call.params;
  return map_pixels(call, [&p](int64_t ch, float x) {
    return x * p.scale[static_cast<size_t>(ch)] + p.bias[static_cast<size_t>(ch)];
  });
}

// --- lrn ---

constexpr AttrKey kLrnKeys[] = {{"size", AttrKey::Default::required}, {"alpha"}, {"beta"}, {"k"}};

OpAttrs read_lrn(const JsonCursor& l) {
  LrnAttrs a;
  a.size = l.at("size").as_positive_int();
  a.alpha = l.number_or("alpha", a.alpha);
  a.beta = l.number_or("beta", a.beta);
  a.k = l.number_or("k", a.k);
  return a;
}

void write_lrn(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<LrnAttrs>(attrs);
  j["alpha"] = a.alpha;
  j["beta"] = a.beta;
  j["k"] = a.k;
  j["size"] = a.size;
}

// PyTorch's LocalResponseNorm: b_c = a_c / (k + alpha/size * sum_{c'} a_{c'}^2)^beta over
// c' in [c - size/2, c + (size-1)/2] (zero-padded across channels).
Tensor forward_lrn(const ForwardCall& call) {
  const auto& a = call.layer.as<LrnAttrs>();
  const InputView& v = call.inputs.front();
  const Region& out = call.out;
  const int64_t channels = call.in.front().c;
  check_reads(call.layer, v, out);
  Tensor result(channels, out.rows.length(), out.cols.length());
  std::vector<double> sq(static_cast<size_t>(channels));
  for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
    for (int64_t x = out.cols.begin; x <= out.cols.end; ++x) {
      for (int64_t ch = 0; ch < channels; ++ch) {
        double value = read(v, ch, y, x, 0.0f);
        sq[static_cast<size_t>(ch)] = value * value;
      }
      for (int64_t ch = 0; ch < channels; ++ch) {
        double sum = 0;
        for (int64_t c2 = std::max<int64_t>(0, ch - a.size / 2); c2 <= std::min(channels - 1, ch + (a.size - 1) / 2); ++c2)
          sum += sq[static_cast<size_t>(c2)];
        double denom = std::pow(a.k + a.alpha / static_cast<double>(a.size) * sum, a.beta);
        result.at(ch, y - out.rows.begin, x - out.cols.begin) = static_cast<float>(read(v, ch, y, x, 0.0f) / denom);
      }
    }
  return result;
}

// --- softmax ---

// Softmax across channels at every pixel (a flat tensor is one pixel of F channels).
Tensor forward_softmax(const ForwardCall& call) {
  const InputView& v = call.inputs.front();
  const Region& out = call.out;
  const int64_t channels = call.in.front().c;
  check_reads(call.layer, v, out);
  Tensor result(channels, out.rows.length(), out.cols.length());
  for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
    for (int64_t x = out.cols.begin; x <= out.cols.end; ++x) {
      float top = -std::numeric_limits<float>::infinity();
      for (int64_t ch = 0; ch < channels; ++ch) top = std::max(top, read(v, ch, y, x, 0.0f));
      double sum = 0;
      for (int64_t ch = 0; ch < channels; ++ch) sum += std::exp(static_cast<double>(read(v, ch, y, x, 0.0f) - top));
      for (int64_t ch = 0; ch < channels; ++ch)
        result.at(ch, y - out.rows.begin, x - out.cols.begin) =
            static_cast<float>(std::exp(static_cast<double>(read(v, ch, y, x, 0.0f) - top)) / sum);
    }
  return result;
}

}  // namespace

void fold_batchnorm(LayerParams& p, const std::vector<float>& gamma, const std::vector<float>& beta,
                    const std::vector<float>& mean, const std::vector<float>& var, double eps) {
  size_t n = gamma.size();
  p.scale.resize(n);
  p.bias.resize(n);
  for (size_t c = 0; c < n; ++c) {
    double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    p.scale[c] = static_cast<float>(s);
    p.bias[c] = static_cast<float>(beta[c] - mean[c] * s);
  }
}

constexpr OpSpec batchnorm_spec = {
    .kind = OpKind::batchnorm,
    .name = "batchnorm",
    .summary = "batch normalisation (inference: per-channel scale and shift)",
    .arity = {1, 1},
    .elementwise = true,
    .attributes = kBatchNormKeys,
    .defaults = BatchNormAttrs{},
    .read = read_batchnorm,
    .write = write_batchnorm,
    .infer_shape = same_chw_shape,
    .cost = cost_batchnorm,
    .op_class = OpClass::normalization,
    .classify = nullptr,
    .backward = same_steps,
    .params = &kBatchNormParams,
    .forward = forward_batchnorm,
};

constexpr OpSpec lrn_spec = {
    .kind = OpKind::lrn,
    .name = "lrn",
    .summary = "local response normalisation across channels",
    .arity = {1, 1},
    .elementwise = true,
    .attributes = kLrnKeys,
    .defaults = LrnAttrs{},
    .read = read_lrn,
    .write = write_lrn,
    .infer_shape = same_chw_shape,
    .cost = one_flop_per_element,
    .op_class = OpClass::normalization,
    .classify = nullptr,
    .backward = same_steps,
    .params = nullptr,
    .forward = forward_lrn,
};

// Not `elementwise` (every output element reads every channel), but a pixel reads only its own
// pixel, so its backward step is the same region.
constexpr OpSpec softmax_spec = {
    .kind = OpKind::softmax,
    .name = "softmax",
    .summary = "softmax over channels",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = {},
    .defaults = NoAttrs{},
    .read = read_nothing,
    .write = write_nothing,
    .infer_shape = same_shape,
    .cost = one_flop_per_element,
    .op_class = OpClass::other,
    .classify = nullptr,
    .backward = same_steps,
    .params = nullptr,
    .forward = forward_softmax,
};

}  // namespace edgepart::ops
