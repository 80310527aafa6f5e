// conv2d: 2-D convolution with groups, dilation and asymmetric padding (PyTorch's Conv2d).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

constexpr AttrKey kKeys[] = {{"out_channels", AttrKey::Default::required},
                             {"kernel", AttrKey::Default::required},
                             {"stride"},
                             {"padding"},
                             {"dilation"},
                             {"groups"},
                             {"bias"}};

OpAttrs read(const JsonCursor& l) {
  Conv2dAttrs a;
  a.out_channels = l.at("out_channels").as_positive_int();
  a.kernel = read_hw(l.at("kernel"));
  a.stride = hw_or(l, "stride", a.stride);
  a.dilation = hw_or(l, "dilation", a.dilation);
  a.padding = padding_or(l);
  if (auto g = l.find("groups")) a.groups = g->as_positive_int();
  a.bias = l.bool_or("bias", a.bias);
  return a;
}

void write(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<Conv2dAttrs>(attrs);
  j["bias"] = a.bias;
  j["dilation"] = hw_json(a.dilation);
  j["groups"] = a.groups;
  j["kernel"] = hw_json(a.kernel);
  j["out_channels"] = a.out_channels;
  j["padding"] = padding_json(a.padding);
  j["stride"] = hw_json(a.stride);
}

Shape infer_shape(const LayerRef& l, const InputShapes& in) {
  const auto& a = l.as<Conv2dAttrs>();
  const Shape& x = require_chw(l, in.front());
  if (x.c % a.groups != 0)
    l.fail("input channels " + std::to_string(x.c) + " are not divisible by groups " + std::to_string(a.groups));
  if (a.out_channels % a.groups != 0)
    l.fail("out_channels " + std::to_string(a.out_channels) + " are not divisible by groups " + std::to_string(a.groups));
  return window_shape(l, x, a.out_channels, a.kernel, a.stride, a.dilation, a.padding, false);
}

// Each output element is kernel area x per-group input channels MACs (docs/design.md §3).
LayerCost cost(const LayerRef& l, const InputShapes& in, const Shape& out) {
  const auto& a = l.as<Conv2dAttrs>();
  LayerCost c;
  int64_t per_output = checked_product(a.kernel.h, a.kernel.w, in.front().c / a.groups);
  c.macs = checked_mul(out.elements(), per_output);
  c.flops = checked_mul(2, c.macs);
  c.params = checked_add(checked_mul(a.out_channels, per_output), a.bias ? a.out_channels : 0);
  return c;
}

// A 1x1 or depthwise conv reaches a small fraction of a 3x3 conv's FLOP/s (docs/timing.md): the
// per-group input channels are params / (out_channels x kernel area) without the bias.
OpClass classify(const LayerRef& l, const LayerCost& cost) {
  const auto& a = l.as<Conv2dAttrs>();
  const int64_t kernel_area = a.kernel.h * a.kernel.w;
  const int64_t weights = cost.params - (a.bias ? a.out_channels : 0);
  EDGEPART_ASSERT(kernel_area > 0 && a.out_channels > 0 && weights % (a.out_channels * kernel_area) == 0,
                  "conv parameters are not out_channels x kernel x per-group inputs");
  const int64_t in_per_group = weights / (a.out_channels * kernel_area);
  if (a.groups > 1) return in_per_group == 1 ? OpClass::conv_depthwise : OpClass::conv_grouped;
  return kernel_area == 1 ? OpClass::conv_1x1 : OpClass::conv_kxk;
}

void backward(const LayerRef& l, const InputShapes& in, const Shape&, Halo halo, std::span<InputStep> steps) {
  const auto& a = l.as<Conv2dAttrs>();
  steps[0] = window_step(a.kernel, a.stride, a.dilation, a.padding, in.front(), halo);
}

// [C_out][C_in/groups][k_h][k_w] weights and C_out biases.
std::vector<size_t> tensor_sizes(const LayerRef& l, const InputShapes& in) {
  const auto& a = l.as<Conv2dAttrs>();
  auto weights = static_cast<size_t>(a.out_channels * (in.front().c / a.groups) * a.kernel.h * a.kernel.w);
  if (!a.bias) return {weights};
  return {weights, static_cast<size_t>(a.out_channels)};
}

// He-uniform weights, PyTorch's default bias (ops/params.hpp).
LayerParams draw(const LayerRef& l, const InputShapes& in, uint64_t seed) {
  const auto& a = l.as<Conv2dAttrs>();
  LayerParams p;
  int64_t fan_in = in.front().c / a.groups * a.kernel.h * a.kernel.w;
  p.weight_bound = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in)));
  p.weight.resize(static_cast<size_t>(a.out_channels * fan_in));
  UniformStream(seed, l.name, "weight").fill(p.weight, -p.weight_bound, p.weight_bound);
  if (a.bias) {
    auto b = static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
    p.bias.resize(static_cast<size_t>(a.out_channels));
    UniformStream(seed, l.name, "bias").fill(p.bias, -b, b);
  }
  return p;
}

constexpr OpParams kParams = {.roles = kWeightAndBias,
                              .tensor_sizes = tensor_sizes,
                              .held = weight_and_bias_held<tensor_sizes>,
                              .from_tensors = weight_and_bias_from,
                              .draw = draw};

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The im2col buffer is processed in chunks of output rows of at most this many floats (16 MiB),
// so a 224x224 layer with 576-long columns does not need a 115 MB buffer at once.
constexpr int64_t kColumnBufferFloats = int64_t{4} << 20;

// im2col + one GEMM per group and chunk of output rows.
Tensor forward(const ForwardCall& call) {
  const auto& a = call.layer.as<Conv2dAttrs>();
  const InputView& v = call.inputs.front();
  const Region& out = call.out;
  const LayerParams& p = call.params;
  check_window(call.layer, v, out, a.kernel, a.stride, a.dilation, a.padding);
  const int64_t groups = a.groups, cin_g = call.in.front().c / groups, cout_g = a.out_channels / groups;
  const int64_t kh = a.kernel.h, kw = a.kernel.w, K = cin_g * kh * kw;
  const int64_t oh = out.rows.length(), ow = out.cols.length();
  Tensor result(a.out_channels, oh, ow);
  const int64_t chunk_rows = std::clamp<int64_t>(kColumnBufferFloats / std::max<int64_t>(1, K * ow), 1, oh);
  std::vector<float> col(static_cast<size_t>(K * chunk_rows * ow));
  // Pixels present and inside the map: im2col reads these and zero-pads the rest.
  const Region avail = v.valid.intersect(v.crop);
  for (int64_t grp = 0; grp < groups; ++grp) {
    Eigen::Map<const RowMatrix> weights(p.weight.data() + grp * cout_g * K, cout_g, K);
    for (int64_t r0 = 0; r0 < oh; r0 += chunk_rows) {
      const int64_t rows = std::min(chunk_rows, oh - r0), np = rows * ow;
      for (int64_t ci = 0; ci < cin_g; ++ci)
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            float* dst = col.data() + ((ci * kh + ky) * kw + kx) * np;
            // Output columns whose tap x = ox*s - p + kx*d falls inside `avail`.
            const int64_t shift = kx * a.dilation.w - a.padding.left;
            int64_t lo = avail.empty() ? 1 : ceil_div(avail.cols.begin - shift, a.stride.w);
            int64_t hi = avail.empty() ? 0 : floor_div(avail.cols.end - shift, a.stride.w);
            lo = std::max(lo, out.cols.begin);
            hi = std::min(hi, out.cols.end);
            for (int64_t r = 0; r < rows; ++r, dst += ow) {
              int64_t y = (out.rows.begin + r0 + r) * a.stride.h - a.padding.top + ky * a.dilation.h;
              if (avail.empty() || !avail.rows.contains(y) || lo > hi) {
                std::fill(dst, dst + ow, 0.0f);
                continue;
              }
              const float* src = v.tensor->plane(grp * cin_g + ci) + (y - v.crop.rows.begin) * v.tensor->w;
              const int64_t offset = shift - v.crop.cols.begin;  // tap x is src[x - crop begin]
              for (int64_t ox = out.cols.begin; ox < lo; ++ox) dst[ox - out.cols.begin] = 0.0f;
              for (int64_t ox = lo; ox <= hi; ++ox) dst[ox - out.cols.begin] = src[ox * a.stride.w + offset];
              for (int64_t ox = hi + 1; ox <= out.cols.end; ++ox) dst[ox - out.cols.begin] = 0.0f;
            }
          }
      Eigen::Map<const RowMatrix> columns(col.data(), K, np);
      Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>> dst(result.plane(grp * cout_g) + r0 * ow, cout_g, np,
                                                         Eigen::OuterStride<>(oh * ow));
      dst.noalias() = weights * columns;
    }
  }
  if (!p.bias.empty())
    for (int64_t co = 0; co < a.out_channels; ++co) {
      float* dst = result.plane(co);
      for (int64_t i = 0; i < oh * ow; ++i) dst[i] += p.bias[static_cast<size_t>(co)];
    }
  return result;
}

}  // namespace

constexpr OpSpec conv2d_spec = {
    .kind = OpKind::conv2d,
    .name = "conv2d",
    .summary = "2-D convolution (groups, dilation, asymmetric padding)",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kKeys,
    .defaults = Conv2dAttrs{},
    .read = read,
    .write = write,
    .infer_shape = infer_shape,
    .cost = cost,
    .op_class = OpClass::conv_kxk,  // unused: classify decides
    .classify = classify,
    .backward = backward,
    .params = &kParams,
    .forward = forward,
};

}  // namespace edgepart::ops
