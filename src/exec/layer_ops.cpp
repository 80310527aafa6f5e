#include "edgepart/exec/layer_ops.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "edgepart/rf/backward.hpp"
#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::exec {

using namespace model;
using rf::Interval;
using rf::Region;

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The im2col buffer is processed in chunks of output rows of at most this many floats (16 MiB),
// so a 224x224 layer with 576-long columns does not need a 115 MB buffer at once.
constexpr int64_t kColumnBufferFloats = int64_t{4} << 20;

[[noreturn]] void read_outside_crop(const ModelGraph& g, LayerIndex l, const Region& read, const Region& crop) {
  throw InternalError(g.describe(l) + ": reads " + read.to_string() + " of its input but only " + crop.to_string() +
                      " is present (region arithmetic bug)");
}

// The pixels a window op reads along one axis for outputs `out` ([s*u - p, s*v - p + d(k-1)]),
// restricted to where the map has data; they must be present in the crop.
Interval window_reads(const Interval& out, int64_t k, int64_t s, int64_t d, int64_t p, const Interval& valid) {
  return Interval{s * out.begin - p, s * out.end - p + d * (k - 1)}.intersect(valid);
}

void check_window(const ModelGraph& g, LayerIndex l, const InputView& v, const Region& out, const Hw& k, const Hw& s,
                  const Hw& d, const Padding& p) {
  Region read{window_reads(out.rows, k.h, s.h, d.h, p.top, v.valid.rows),
              window_reads(out.cols, k.w, s.w, d.w, p.left, v.valid.cols)};
  if (!v.crop.contains(read)) read_outside_crop(g, l, read, v.crop);
}

// Checks that region `read` (clipped to `valid`) of view v is present.
void check_reads(const ModelGraph& g, LayerIndex l, const InputView& v, const Region& read) {
  Region r = read.intersect(v.valid);
  if (!v.crop.contains(r)) read_outside_crop(g, l, r, v.crop);
}

// Value of pixel (y, x) (map coordinates) of channel ch, `pad` outside `valid`.
// A pixel inside the map but missing from the crop is a bug in the region arithmetic.
inline float read(const InputView& v, int64_t ch, int64_t y, int64_t x, float pad) {
  if (!v.valid.rows.contains(y) || !v.valid.cols.contains(x)) return pad;
  if (!v.crop.rows.contains(y) || !v.crop.cols.contains(x))
    throw InternalError("executor reads pixel (" + std::to_string(y) + ", " + std::to_string(x) +
                        ") outside the crop " + v.crop.to_string() + " (region arithmetic bug)");
  return v.tensor->at(ch, y - v.crop.rows.begin, x - v.crop.cols.begin);
}

// A pointer to pixel (y, x) of channel ch, which must be in the crop.
inline const float* pixel(const InputView& v, int64_t ch, int64_t y, int64_t x) {
  return v.tensor->plane(ch) + (y - v.crop.rows.begin) * v.tensor->w + (x - v.crop.cols.begin);
}

Tensor conv2d(const ModelGraph& g, LayerIndex l, const Shape& in_shape, const LayerParams& p, const InputView& v,
              const Region& out) {
  const auto& a = g.layer(l).as<Conv2dAttrs>();
  check_window(g, l, v, out, a.kernel, a.stride, a.dilation, a.padding);
  const int64_t groups = a.groups, cin_g = in_shape.c / groups, cout_g = a.out_channels / groups;
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

Tensor pool2d(const ModelGraph& g, LayerIndex l, const Shape& in_shape, const InputView& v, const Region& out) {
  const Layer& layer = g.layer(l);
  const auto& a = layer.as<Pool2dAttrs>();
  check_window(g, l, v, out, a.kernel, a.stride, a.dilation, a.padding);
  const bool is_max = layer.kind == OpKind::maxpool2d;
  Tensor result(in_shape.c, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < in_shape.c; ++ch)
    for (int64_t oy = out.rows.begin; oy <= out.rows.end; ++oy)
      for (int64_t ox = out.cols.begin; ox <= out.cols.end; ++ox) {
        const int64_t y0 = oy * a.stride.h - a.padding.top, x0 = ox * a.stride.w - a.padding.left;
        float best = -std::numeric_limits<float>::infinity();
        double sum = 0;
        int64_t present = 0, padded_taps = 0;
        for (int64_t ky = 0; ky < a.kernel.h; ++ky) {
          int64_t y = y0 + ky * a.dilation.h;
          for (int64_t kx = 0; kx < a.kernel.w; ++kx) {
            int64_t x = x0 + kx * a.dilation.w;
            // PyTorch's avg_pool2d divisor with count_include_pad: taps up to the end padding
            // (hend = min(hstart + k, H + pad)), so ceil_mode's overhang is not counted.
            if (y >= v.valid.rows.begin - a.padding.top && y <= v.valid.rows.end + a.padding.bottom &&
                x >= v.valid.cols.begin - a.padding.left && x <= v.valid.cols.end + a.padding.right)
              ++padded_taps;
            if (!v.valid.rows.contains(y) || !v.valid.cols.contains(x)) continue;
            float value = *pixel(v, ch, y, x);
            best = std::max(best, value);
            sum += value;
            ++present;
          }
        }
        float r = 0;
        if (present == 0) {
          r = 0;  // a window entirely in padding (only possible at FDSP tile borders)
        } else if (is_max) {
          r = best;
        } else {
          int64_t divisor = a.count_include_pad ? padded_taps : present;
          r = static_cast<float>(sum / static_cast<double>(divisor));
        }
        result.at(ch, oy - out.rows.begin, ox - out.cols.begin) = r;
      }
  return result;
}

Tensor adaptive_avgpool(const ModelGraph& g, LayerIndex l, const Shape& in_shape, const Shape& out_shape,
                        const InputView& v, const Region& out) {
  Region need{rf::adaptive_input(out.rows, in_shape.h, out_shape.h), rf::adaptive_input(out.cols, in_shape.w, out_shape.w)};
  check_reads(g, l, v, need);
  Tensor result(in_shape.c, out.rows.length(), out.cols.length());
  for (int64_t oy = out.rows.begin; oy <= out.rows.end; ++oy) {
    Interval ys = rf::adaptive_input(Interval{oy, oy}, in_shape.h, out_shape.h).intersect(v.valid.rows);
    for (int64_t ox = out.cols.begin; ox <= out.cols.end; ++ox) {
      Interval xs = rf::adaptive_input(Interval{ox, ox}, in_shape.w, out_shape.w).intersect(v.valid.cols);
      for (int64_t ch = 0; ch < in_shape.c; ++ch) {
        double sum = 0;
        for (int64_t y = ys.begin; y <= ys.end; ++y)
          for (int64_t x = xs.begin; x <= xs.end; ++x) sum += *pixel(v, ch, y, x);
        int64_t n = ys.length() * xs.length();
        result.at(ch, oy - out.rows.begin, ox - out.cols.begin) = n > 0 ? static_cast<float>(sum / static_cast<double>(n)) : 0.0f;
      }
    }
  }
  return result;
}

// out(c, y, x) = f(c, in(c, y, x)) over the region.
template <typename F>
Tensor map_pixels(const ModelGraph& g, LayerIndex l, const InputView& v, int64_t channels, const Region& out, F f) {
  check_reads(g, l, v, out);
  Tensor result(channels, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t y = out.rows.begin; y <= out.rows.end; ++y) {
      float* dst = result.plane(ch) + (y - out.rows.begin) * result.w;
      for (int64_t x = out.cols.begin; x <= out.cols.end; ++x) dst[x - out.cols.begin] = f(ch, read(v, ch, y, x, 0.0f));
    }
  return result;
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float relu6(float x) { return std::min(std::max(x, 0.0f), 6.0f); }

Tensor elementwise(const ModelGraph& g, LayerIndex l, const LayerParams& p, const InputView& v, int64_t channels,
                   const Region& out) {
  const Layer& layer = g.layer(l);
  switch (layer.kind) {
    case OpKind::relu: return map_pixels(g, l, v, channels, out, [](int64_t, float x) { return std::max(x, 0.0f); });
    case OpKind::relu6: return map_pixels(g, l, v, channels, out, [](int64_t, float x) { return relu6(x); });
    case OpKind::clip: {
      auto lo = static_cast<float>(layer.as<ClipAttrs>().min), hi = static_cast<float>(layer.as<ClipAttrs>().max);
      return map_pixels(g, l, v, channels, out, [lo, hi](int64_t, float x) { return std::min(std::max(x, lo), hi); });
    }
    case OpKind::leaky_relu: {
      auto slope = static_cast<float>(layer.as<LeakyReluAttrs>().negative_slope);
      return map_pixels(g, l, v, channels, out, [slope](int64_t, float x) { return x > 0 ? x : slope * x; });
    }
    case OpKind::sigmoid: return map_pixels(g, l, v, channels, out, [](int64_t, float x) { return sigmoid(x); });
    case OpKind::hardsigmoid: {
      auto alpha = static_cast<float>(layer.as<HardSigmoidAttrs>().alpha);
      auto beta = static_cast<float>(layer.as<HardSigmoidAttrs>().beta);
      return map_pixels(g, l, v, channels, out,
                        [alpha, beta](int64_t, float x) { return std::max(0.0f, std::min(1.0f, alpha * x + beta)); });
    }
    case OpKind::silu: return map_pixels(g, l, v, channels, out, [](int64_t, float x) { return x * sigmoid(x); });
    case OpKind::hardswish:
      return map_pixels(g, l, v, channels, out, [](int64_t, float x) { return x * relu6(x + 3.0f) / 6.0f; });
    case OpKind::batchnorm:
      return map_pixels(g, l, v, channels, out, [&p](int64_t ch, float x) {
        return x * p.scale[static_cast<size_t>(ch)] + p.bias[static_cast<size_t>(ch)];
      });
    default:  // identity, dropout (inference)
      return map_pixels(g, l, v, channels, out, [](int64_t, float x) { return x; });
  }
}

// PyTorch's LocalResponseNorm: b_c = a_c / (k + alpha/size * sum_{c'} a_{c'}^2)^beta over
// c' in [c - size/2, c + (size-1)/2] (zero-padded across channels).
Tensor lrn(const ModelGraph& g, LayerIndex l, const InputView& v, int64_t channels, const Region& out) {
  const auto& a = g.layer(l).as<LrnAttrs>();
  check_reads(g, l, v, out);
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

// Softmax across channels at every pixel (a flat tensor is one pixel of F channels).
Tensor softmax(const ModelGraph& g, LayerIndex l, const InputView& v, int64_t channels, const Region& out) {
  check_reads(g, l, v, out);
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

Tensor compute_layer(const ModelGraph& g, const cost::ModelAnalysis& analysis, LayerIndex l, const LayerParams& p,
                     const std::vector<InputView>& inputs, const Region& requested) {
  const Layer& layer = g.layer(l);
  const Shape& out_shape = analysis.shapes.at(static_cast<size_t>(l));
  const Region out = requested.clip(out_shape);
  EDGEPART_ASSERT(!out.empty(), g.describe(l) + ": empty output region");
  EDGEPART_ASSERT(inputs.size() == layer.inputs.size(), g.describe(l) + ": wrong number of inputs");
  const Shape& in_shape = analysis.shape_of(layer.inputs.front());
  const InputView& v = inputs.front();
  switch (layer.kind) {
    case OpKind::conv2d: return conv2d(g, l, in_shape, p, v, out);
    case OpKind::maxpool2d:
    case OpKind::avgpool2d: return pool2d(g, l, in_shape, v, out);
    case OpKind::adaptive_avgpool2d: return adaptive_avgpool(g, l, in_shape, out_shape, v, out);
    case OpKind::lrn: return lrn(g, l, v, in_shape.c, out);
    case OpKind::softmax: return softmax(g, l, v, in_shape.c, out);
    case OpKind::flatten: {
      // PyTorch's flatten of NCHW: feature index (c*H + y)*W + x.
      check_reads(g, l, v, Region::whole(in_shape));
      Tensor result(out_shape.c, 1, 1);
      for (int64_t ch = 0; ch < in_shape.c; ++ch)
        for (int64_t y = 0; y < in_shape.h; ++y)
          for (int64_t x = 0; x < in_shape.w; ++x)
            result.data[static_cast<size_t>((ch * in_shape.h + y) * in_shape.w + x)] = read(v, ch, y, x, 0.0f);
      return result;
    }
    case OpKind::linear: {
      check_reads(g, l, v, Region::whole(in_shape));
      const int64_t n_in = in_shape.c, n_out = out_shape.c;
      std::vector<float> x(static_cast<size_t>(n_in));
      for (int64_t i = 0; i < n_in; ++i) x[static_cast<size_t>(i)] = read(v, i, 0, 0, 0.0f);
      Tensor result(n_out, 1, 1);
      // y = W x + b, W row-major [out][in].
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> w(p.weight.data(), n_out, n_in);
      Eigen::Map<Eigen::VectorXf> y(result.data.data(), n_out);
      y.noalias() = w * Eigen::Map<const Eigen::VectorXf>(x.data(), n_in);
      if (!p.bias.empty()) y += Eigen::Map<const Eigen::VectorXf>(p.bias.data(), n_out);
      return result;
    }
    case OpKind::add: {
      Tensor result(out_shape.c, out.rows.length(), out.cols.length());
      for (const InputView& in : inputs) {
        check_reads(g, l, in, out);
        for (int64_t ch = 0; ch < out_shape.c; ++ch)
          for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
            for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
              result.at(ch, y - out.rows.begin, x - out.cols.begin) += read(in, ch, y, x, 0.0f);
      }
      return result;
    }
    case OpKind::mul: {
      const Shape& s2 = analysis.shape_of(layer.inputs[1]);
      const bool broadcast = s2.h == 1 && s2.w == 1 && !(in_shape.h == 1 && in_shape.w == 1);
      check_reads(g, l, inputs[0], out);
      check_reads(g, l, inputs[1], broadcast ? Region::whole(s2) : out);
      Tensor result(out_shape.c, out.rows.length(), out.cols.length());
      for (int64_t ch = 0; ch < out_shape.c; ++ch)
        for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
          for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
            result.at(ch, y - out.rows.begin, x - out.cols.begin) =
                read(inputs[0], ch, y, x, 0.0f) * (broadcast ? read(inputs[1], ch, 0, 0, 0.0f) : read(inputs[1], ch, y, x, 0.0f));
      return result;
    }
    case OpKind::concat: {
      Tensor result(out_shape.c, out.rows.length(), out.cols.length());
      int64_t base = 0;
      for (size_t k = 0; k < inputs.size(); ++k) {
        check_reads(g, l, inputs[k], out);
        int64_t channels = analysis.shape_of(layer.inputs[k]).c;
        for (int64_t ch = 0; ch < channels; ++ch)
          for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
            for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
              result.at(base + ch, y - out.rows.begin, x - out.cols.begin) = read(inputs[k], ch, y, x, 0.0f);
        base += channels;
      }
      return result;
    }
    case OpKind::upsample: {
      const auto& a = layer.as<UpsampleAttrs>();
      // read() checks every pixel against the crop.
      Tensor result(out_shape.c, out.rows.length(), out.cols.length());
      for (int64_t ch = 0; ch < out_shape.c; ++ch)
        for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
          for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
            result.at(ch, y - out.rows.begin, x - out.cols.begin) = read(v, ch, y / a.scale.h, x / a.scale.w, 0.0f);
      return result;
    }
    case OpKind::space_to_depth: {
      // ONNX SpaceToDepth: output channel (by*b + bx)*C + c holds input (c, y*b + by, x*b + bx).
      // (Darknet's reorg orders channels differently; only whole-vs-segmented consistency matters.)
      const int64_t b = layer.as<BlockAttrs>().block_size;
      check_reads(g, l, v, Region{Interval{out.rows.begin * b, out.rows.end * b + b - 1},
                                  Interval{out.cols.begin * b, out.cols.end * b + b - 1}});
      Tensor result(out_shape.c, out.rows.length(), out.cols.length());
      for (int64_t by = 0; by < b; ++by)
        for (int64_t bx = 0; bx < b; ++bx)
          for (int64_t ch = 0; ch < in_shape.c; ++ch)
            for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
              for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
                result.at((by * b + bx) * in_shape.c + ch, y - out.rows.begin, x - out.cols.begin) =
                    read(v, ch, y * b + by, x * b + bx, 0.0f);
      return result;
    }
    case OpKind::depth_to_space: {
      // ONNX DepthToSpace, DCR mode (the inverse of SpaceToDepth above): output (c, y, x) holds
      // input channel ((y mod b)*b + (x mod b))*C' + c at (y/b, x/b).
      const int64_t b = layer.as<BlockAttrs>().block_size;
      // read() checks every pixel against the crop.
      Tensor result(out_shape.c, out.rows.length(), out.cols.length());
      for (int64_t ch = 0; ch < out_shape.c; ++ch)
        for (int64_t y = out.rows.begin; y <= out.rows.end; ++y)
          for (int64_t x = out.cols.begin; x <= out.cols.end; ++x)
            result.at(ch, y - out.rows.begin, x - out.cols.begin) =
                read(v, ((y % b) * b + (x % b)) * out_shape.c + ch, y / b, x / b, 0.0f);
      return result;
    }
    default:
      EDGEPART_ASSERT(op_info(layer.kind).elementwise, g.describe(l) + ": no executor kernel");
      return elementwise(g, l, p, v, in_shape.c, out);
  }
}

}  // namespace edgepart::exec
