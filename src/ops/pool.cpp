// Pooling: maxpool2d, avgpool2d (PyTorch's MaxPool2d / AvgPool2d) and adaptive_avgpool2d.
#include <algorithm>
#include <limits>

#include "family.hpp"

namespace edgepart::ops {

namespace {

using namespace family;

// --- maxpool2d and avgpool2d ---

constexpr AttrKey kMaxKeys[] = {{"kernel", AttrKey::Default::required},
                                {"stride", AttrKey::Default::kernel},
                                {"padding"},
                                {"dilation"},
                                {"ceil_mode"}};
constexpr AttrKey kAvgKeys[] = {{"kernel", AttrKey::Default::required},
                                {"stride", AttrKey::Default::kernel},
                                {"padding"},
                                {"ceil_mode"},
                                {"count_include_pad"}};

OpAttrs read_pool(const JsonCursor& l) {
  Pool2dAttrs a;
  a.kernel = read_hw(l.at("kernel"));
  a.stride = hw_or(l, "stride", a.kernel);  // PyTorch: stride defaults to the kernel
  a.dilation = hw_or(l, "dilation", a.dilation);
  a.padding = padding_or(l);
  a.ceil_mode = l.bool_or("ceil_mode", a.ceil_mode);
  a.count_include_pad = l.bool_or("count_include_pad", a.count_include_pad);
  return a;
}

void write_common(const Pool2dAttrs& a, OrderedJson& j) {
  j["kernel"] = hw_json(a.kernel);
  j["padding"] = padding_json(a.padding);
  j["stride"] = hw_json(a.stride);
}

void write_max(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<Pool2dAttrs>(attrs);
  j["ceil_mode"] = a.ceil_mode;
  j["dilation"] = hw_json(a.dilation);
  write_common(a, j);
}

void write_avg(const OpAttrs& attrs, OrderedJson& j) {
  const auto& a = std::get<Pool2dAttrs>(attrs);
  j["ceil_mode"] = a.ceil_mode;
  j["count_include_pad"] = a.count_include_pad;
  write_common(a, j);
}

Shape infer_pool(const LayerRef& l, const InputShapes& in) {
  const auto& a = l.as<Pool2dAttrs>();
  const Shape& x = require_chw(l, in.front());
  return window_shape(l, x, x.c, a.kernel, a.stride, a.dilation, a.padding, a.ceil_mode);
}

void backward_pool(const LayerRef& l, const InputShapes& in, const Shape&, Halo halo, std::span<InputStep> steps) {
  const auto& a = l.as<Pool2dAttrs>();
  steps[0] = window_step(a.kernel, a.stride, a.dilation, a.padding, in.front(), halo);
}

template <bool is_max>
Tensor forward_pool(const ForwardCall& call) {
  const auto& a = call.layer.as<Pool2dAttrs>();
  const InputView& v = call.inputs.front();
  const Region& out = call.out;
  check_window(call.layer, v, out, a.kernel, a.stride, a.dilation, a.padding);
  const int64_t channels = call.in.front().c;
  Tensor result(channels, out.rows.length(), out.cols.length());
  for (int64_t ch = 0; ch < channels; ++ch)
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

// --- adaptive_avgpool2d ---

constexpr AttrKey kAdaptiveKeys[] = {{"output_size", AttrKey::Default::required}};

OpAttrs read_adaptive(const JsonCursor& l) { return AdaptivePoolAttrs{read_hw(l.at("output_size"))}; }

void write_adaptive(const OpAttrs& attrs, OrderedJson& j) {
  j["output_size"] = hw_json(std::get<AdaptivePoolAttrs>(attrs).output_size);
}

Shape infer_adaptive(const LayerRef& l, const InputShapes& in) {
  const auto& a = l.as<AdaptivePoolAttrs>();
  const Shape& x = require_chw(l, in.front());
  return Shape::chw(x.c, a.output_size.h, a.output_size.w);
}

void backward_adaptive(const LayerRef&, const InputShapes& in, const Shape& out, Halo, std::span<InputStep> steps) {
  const Shape& x = in.front();
  steps[0] = InputStep{axis(AxisStep::Kind::adaptive, x.h, out.h), axis(AxisStep::Kind::adaptive, x.w, out.w)};
}

Tensor forward_adaptive(const ForwardCall& call) {
  const Shape& in_shape = call.in.front();
  const Shape& out_shape = call.out_shape;
  const InputView& v = call.inputs.front();
  const Region& out = call.out;
  Region need{adaptive_input(out.rows, in_shape.h, out_shape.h), adaptive_input(out.cols, in_shape.w, out_shape.w)};
  check_reads(call.layer, v, need);
  Tensor result(in_shape.c, out.rows.length(), out.cols.length());
  for (int64_t oy = out.rows.begin; oy <= out.rows.end; ++oy) {
    Interval ys = adaptive_input(Interval{oy, oy}, in_shape.h, out_shape.h).intersect(v.valid.rows);
    for (int64_t ox = out.cols.begin; ox <= out.cols.end; ++ox) {
      Interval xs = adaptive_input(Interval{ox, ox}, in_shape.w, out_shape.w).intersect(v.valid.cols);
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

}  // namespace

constexpr OpSpec maxpool2d_spec = {
    .kind = OpKind::maxpool2d,
    .name = "maxpool2d",
    .summary = "max pooling (padding, dilation, ceil_mode)",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kMaxKeys,
    .defaults = Pool2dAttrs{},
    .read = read_pool,
    .write = write_max,
    .infer_shape = infer_pool,
    .cost = one_flop_per_element,
    .op_class = OpClass::pooling,
    .classify = nullptr,
    .backward = backward_pool,
    .params = nullptr,
    .forward = forward_pool<true>,
};

constexpr OpSpec avgpool2d_spec = {
    .kind = OpKind::avgpool2d,
    .name = "avgpool2d",
    .summary = "average pooling (padding, ceil_mode, count_include_pad)",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kAvgKeys,
    .defaults = Pool2dAttrs{},
    .read = read_pool,
    .write = write_avg,
    .infer_shape = infer_pool,
    .cost = one_flop_per_element,
    .op_class = OpClass::pooling,
    .classify = nullptr,
    .backward = backward_pool,
    .params = nullptr,
    .forward = forward_pool<false>,
};

constexpr OpSpec adaptive_avgpool2d_spec = {
    .kind = OpKind::adaptive_avgpool2d,
    .name = "adaptive_avgpool2d",
    .summary = "adaptive average pooling to output_size (1 = global)",
    .arity = {1, 1},
    .elementwise = false,
    .attributes = kAdaptiveKeys,
    .defaults = AdaptivePoolAttrs{},
    .read = read_adaptive,
    .write = write_adaptive,
    .infer_shape = infer_adaptive,
    .cost = one_flop_per_element,
    .op_class = OpClass::global_pooling,
    .classify = nullptr,
    .backward = backward_adaptive,
    .params = nullptr,
    .forward = forward_adaptive,
};

}  // namespace edgepart::ops
