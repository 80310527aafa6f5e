// ONNX models -> ModelGraph (docs/formats.md "ONNX models"). Three steps:
//  1. read: one streaming pass over the protobuf wire format copies the ModelProto but leaves
//     out tensor data above kMaxTensorDataBytes, so weights are never read into memory (only
//     their dims are needed, and external-data files may be absent); protobuf then parses the
//     trimmed copy. Truncated and corrupt files stop here.
//  2. order: nodes are sorted by their tensor names (ONNX requires topological order, but a
//     clear message beats "unknown input" for an unsorted file), dangling inputs, tensors
//     written twice and cycles are reported, and nodes the graph output does not depend on are
//     dropped. Every unsupported op is reported in one error.
//  3. convert: node by node into PendingLayers. Constant/Shape/Gather/Unsqueeze/Concat chains
//     that compute a Reshape target are evaluated here (folded), a Pad is folded into the
//     Conv/MaxPool/AveragePool that reads it when that is exact, and every output shape the
//     file declares (value_info, graph outputs) is compared with ours.
//
// Converting needs tensor shapes as it goes (SAME padding depends on the input size, Resize
// `sizes` on the input shape, a Reshape target on the element count), and the model module may
// not call cost:: (docs/design.md §2: lower layers never use higher ones), so the loader tracks shapes
// with the formulas of docs/formats.md that cost::analyze implements. The tests check both
// agree: every fixture and zoo export carries onnx.shape_inference's value_info, which the loader
// cross-checks, and tests/unit/onnx compares cost::analyze's shapes with hand-computed ones.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/stubs/logging.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <variant>

#include "edgepart/model/load.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/input_file.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::model {

namespace {

namespace pbio = google::protobuf::io;

// ------------------------------------------------------------------------------------------
// 1. Reading
// ------------------------------------------------------------------------------------------

// Tensor data (raw_data and the typed *_data fields) is kept only up to this many bytes per
// tensor. The loader reads values only of small tensors (Reshape targets, Pad pads, Resize
// scales and sizes, Clip bounds, Dropout ratios: at most 8 int64 = 64 bytes for a 4-D tensor);
// 4 KiB leaves room for odd encodings while a weight tensor (kilobytes to megabytes) is
// skipped unread.
constexpr size_t kMaxTensorDataBytes = 4096;
// Deeper message nesting (graph -> node -> attribute -> graph ...) is refused, as protobuf's
// own parser does at its default recursion limit of 100.
constexpr int kMaxNesting = 100;

enum class Msg { other, model, graph, node, attribute, tensor, sparse_tensor, function };

// The kind of submessage field `field` of a `m` message holds, from onnx.proto (ONNX 1.12);
// `other` fields are copied verbatim.
Msg child_kind(Msg m, uint32_t field) {
  switch (m) {
    case Msg::model: return field == 7 ? Msg::graph : field == 25 ? Msg::function : Msg::other;
    case Msg::graph:
      if (field == 1) return Msg::node;
      if (field == 5) return Msg::tensor;  // initializer
      if (field == 15) return Msg::sparse_tensor;
      return Msg::other;
    case Msg::node: return field == 5 ? Msg::attribute : Msg::other;
    case Msg::attribute:
      if (field == 5 || field == 10) return Msg::tensor;  // t, tensors
      if (field == 6 || field == 11) return Msg::graph;   // g, graphs
      if (field == 22 || field == 23) return Msg::sparse_tensor;
      return Msg::other;
    case Msg::sparse_tensor: return (field == 1 || field == 2) ? Msg::tensor : Msg::other;
    case Msg::function: return field == 7 ? Msg::node : Msg::other;
    default: return Msg::other;
  }
}

// TensorProto's data fields: float_data 4, int32_data 5, string_data 6, int64_data 7,
// raw_data 9, double_data 10, uint64_data 11.
bool is_tensor_data_field(uint32_t field) { return (field >= 4 && field <= 7) || (field >= 9 && field <= 11); }

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_fixed(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Copies a protobuf message field by field, descending into the submessages that can hold
// tensors and dropping tensor data above kMaxTensorDataBytes.
class WireFilter {
public:
  WireFilter(pbio::CodedInputStream& in, const std::string& file, int64_t file_bytes, size_t max_data_bytes)
      : in_(in), file_(file), file_bytes_(file_bytes), max_data_bytes_(max_data_bytes) {}

  // Reads fields up to the current limit (or the end of the file) and appends the kept ones.
  void message(Msg kind, std::string& out, int depth) {
    if (depth > kMaxNesting) corrupt("messages nested more than " + std::to_string(kMaxNesting) + " deep");
    std::string data;  // this tensor's data fields, appended at the end when small enough
    bool data_dropped = false;
    while (true) {
      uint32_t tag = in_.ReadTag();
      if (tag == 0) break;  // end of the message, or a bad tag (the caller checks the position)
      uint32_t field = tag >> 3, wire = tag & 7;
      if (field == 0) corrupt("field number 0");
      bool is_data = kind == Msg::tensor && is_tensor_data_field(field);
      std::string piece;
      put_varint(piece, tag);
      switch (wire) {
        case 0: {  // varint
          uint64_t v = 0;
          if (!in_.ReadVarint64(&v)) failed_read("a varint");
          put_varint(piece, v);
          break;
        }
        case 1: {  // 64-bit
          uint64_t v = 0;
          if (!in_.ReadLittleEndian64(&v)) failed_read("a 64-bit value");
          put_fixed(piece, v, 8);
          break;
        }
        case 5: {  // 32-bit
          uint32_t v = 0;
          if (!in_.ReadLittleEndian32(&v)) failed_read("a 32-bit value");
          put_fixed(piece, v, 4);
          break;
        }
        case 2: {  // length-delimited: bytes, strings, packed numbers, submessages
          int len = 0;
          if (!in_.ReadVarintSizeAsInt(&len)) failed_read("a length");
          check_length(len);
          Msg sub = is_data ? Msg::other : child_kind(kind, field);
          if (sub != Msg::other) {
            auto limit = in_.PushLimit(len);
            std::string body;
            message(sub, body, depth + 1);
            if (in_.BytesUntilLimit() != 0) corrupt("a submessage does not end where its length says");
            in_.PopLimit(limit);
            put_varint(piece, body.size());
            piece += body;
          } else if (is_data && (data_dropped || static_cast<size_t>(len) > max_data_bytes_ - data.size())) {
            data_dropped = true;
            if (!in_.Skip(len)) failed_read("tensor data");
            continue;
          } else {
            std::string bytes;
            if (!in_.ReadString(&bytes, len)) failed_read("a string");
            put_varint(piece, bytes.size());
            piece += bytes;
          }
          break;
        }
        default:
          corrupt("wire type " + std::to_string(wire) + " (groups or an invalid type)");
      }
      if (!is_data) {
        out += piece;
      } else if (!data_dropped && piece.size() <= max_data_bytes_ - data.size()) {
        data += piece;
      } else {
        data_dropped = true;
      }
    }
    // All or nothing: a tensor with part of its data would look inconsistent.
    if (!data_dropped) out += data;
  }

  [[noreturn]] void corrupt(const std::string& what) const {
    throw InputError(file_, "", "not a valid ONNX file: protobuf " + what + " at byte " +
                                    std::to_string(in_.CurrentPosition()) + " of " + std::to_string(file_bytes_));
  }

private:
  [[noreturn]] void failed_read(const std::string& what) const {
    // A read fails at the end of the file (truncated) or on a malformed varint (corrupt).
    if (file_bytes_ - in_.CurrentPosition() <= 10)
      throw InputError(file_, "", "truncated ONNX file: it ends inside " + what + " (" +
                                      std::to_string(file_bytes_) + " bytes)");
    corrupt("cannot read " + what);
  }

  void check_length(int len) const {
    int64_t end = static_cast<int64_t>(in_.CurrentPosition()) + len;
    if (end > file_bytes_)
      throw InputError(file_, "", "truncated ONNX file: a field at byte " + std::to_string(in_.CurrentPosition()) +
                                      " needs " + std::to_string(len) + " bytes, but the file ends at byte " +
                                      std::to_string(file_bytes_));
    int room = in_.BytesUntilLimit();
    if (room >= 0 && len > room) corrupt("a field longer than the message holding it");
  }

  pbio::CodedInputStream& in_;
  const std::string& file_;
  int64_t file_bytes_;
  size_t max_data_bytes_;  // per tensor; data.size() never exceeds it
};

// `max_data_bytes`: the tensor data kept per tensor (kMaxTensorDataBytes for the graph alone,
// SIZE_MAX when the weights are wanted).
onnx::ModelProto read_model_proto(const std::string& path, size_t max_data_bytes = kMaxTensorDataBytes) {
  const InputFd input = open_regular_file(path);
  const int fd = input.get();
  const int64_t bytes = input.size_bytes();
  if (bytes == 0) throw InputError(path, "", "empty file (an ONNX model is a protobuf ModelProto)");
  // Protobuf cannot address messages of 2 GiB or more (its sizes are int).
  if (bytes >= INT_MAX)
    throw InputError(path, "", "file of " + std::to_string(bytes) +
                                   " bytes is over protobuf's 2 GiB limit (store the weights as external data)");

  pbio::FileInputStream raw(fd);
  pbio::CodedInputStream in(&raw);
  in.SetTotalBytesLimit(INT_MAX);
  in.SetRecursionLimit(kMaxNesting);
  WireFilter filter(in, path, bytes, max_data_bytes);
  std::string trimmed;
  filter.message(Msg::model, trimmed, 0);
  if (in.CurrentPosition() != bytes) filter.corrupt("an invalid field tag");

  onnx::ModelProto model;
  google::protobuf::LogSilencer quiet;  // errors are ours to report, on one line
  if (!model.ParseFromString(trimmed))
    throw InputError(path, "", "not a valid ONNX file: protobuf cannot parse it as a ModelProto");
  if (model.ir_version() <= 0 || !model.has_graph())
    throw InputError(path, "", std::string("not an ONNX model: the protobuf message has no ") +
                                   (model.has_graph() ? "ir_version" : "graph") +
                                   " (is this an ONNX ModelProto file?)");
  return model;
}

// ------------------------------------------------------------------------------------------
// Values: what an ONNX tensor name stands for while converting
// ------------------------------------------------------------------------------------------

// A tensor computed from the model input: the output of one of our layers (or the input).
struct Activation {
  std::string layer;  // our layer name; "input" for the model input
  Shape shape;
};

enum class PadMode { constant, edge, reflect };

// The output of a Pad node: folded into the window op that reads it.
struct Padded {
  Activation source;
  Padding pad;
  PadMode mode = PadMode::constant;
  std::string origin;  // the Pad node
};

// A value known at load time: an initializer, a Constant node, or a folded shape computation.
struct Const {
  std::vector<int64_t> dims;
  int32_t type = 0;                           // onnx::TensorProto::DataType
  std::optional<std::vector<double>> values;  // every element, when known
  std::string origin;                         // "initializer 'w'", "node 'c' (Constant)"
  std::string missing;                        // why the values are unknown
  // A tensor whose values are read only when needed, by Converter::values_of: external data
  // (small tensors only, unless the weights are wanted) and large inline tensors.
  const onnx::TensorProto* deferred = nullptr;
};

using Value = std::variant<Activation, Padded, Const>;

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// A tensor's dims as ONNX sees them: [1,C,H,W], or [1,F] after flatten / linear.
std::vector<int64_t> onnx_dims(const Shape& s) {
  if (s.flat) return {1, s.c};
  return {1, s.c, s.h, s.w};
}

std::string type_name(int32_t type) {
  if (onnx::TensorProto_DataType_IsValid(type))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(type));
  return "type " + std::to_string(type);
}

// IEEE 754 binary16 -> double.
double half_to_double(uint32_t bits) {
  int exponent = static_cast<int>((bits >> 10) & 0x1f);
  double mantissa = static_cast<double>(bits & 0x3ff);
  double v;
  if (exponent == 0) v = std::ldexp(mantissa, -24);  // subnormal
  else if (exponent == 31) v = mantissa != 0 ? std::nan("") : INFINITY;
  else v = std::ldexp(mantissa + 1024, exponent - 25);
  return (bits & 0x8000) ? -v : v;
}

double bfloat16_to_double(uint32_t bits) { return static_cast<double>(std::bit_cast<float>((bits & 0xffff) << 16)); }

// Bytes per element of the numeric types whose values the loader can decode; 0 for others.
int element_bytes(int32_t type) {
  switch (type) {
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::BOOL: return 1;
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: return 2;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32: return 4;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::DOUBLE: return 8;
    default: return 0;
  }
}

// One little-endian element of raw_data.
double raw_element(const std::string& raw, size_t i, int32_t type) {
  static_assert(std::endian::native == std::endian::little, "raw_data is little-endian");
  const char* p = raw.data() + i * static_cast<size_t>(element_bytes(type));
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (type) {
    case onnx::TensorProto::UINT8: return load(uint8_t{});
    case onnx::TensorProto::INT8: return load(int8_t{});
    case onnx::TensorProto::BOOL: return load(uint8_t{}) != 0;
    case onnx::TensorProto::UINT16: return load(uint16_t{});
    case onnx::TensorProto::INT16: return load(int16_t{});
    case onnx::TensorProto::FLOAT16: return half_to_double(load(uint16_t{}));
    case onnx::TensorProto::BFLOAT16: return bfloat16_to_double(load(uint16_t{}));
    case onnx::TensorProto::FLOAT: return load(float{});
    case onnx::TensorProto::INT32: return load(int32_t{});
    case onnx::TensorProto::UINT32: return load(uint32_t{});
    case onnx::TensorProto::INT64: return static_cast<double>(load(int64_t{}));
    case onnx::TensorProto::UINT64: return static_cast<double>(load(uint64_t{}));
    case onnx::TensorProto::DOUBLE: return load(double{});
    default: return 0;
  }
}

// The data of a small tensor stored as external data, from the file its location names
// (relative to the model file and inside its folder, as ONNX requires). Weights are never read:
// above kMaxTensorDataBytes, and when the file is absent, this returns nullopt with the reason.
std::optional<std::string> read_external(const onnx::TensorProto& t, size_t needed, const std::string& origin,
                                         const std::string& model_file, std::string& why, size_t max_bytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    auto number = [&](const std::string& text) {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno != 0 || v < 0)
        throw InputError(model_file, origin, "external data " + kv.key() + " '" + text + "' is not a byte count");
      return static_cast<int64_t>(v);
    };
    if (kv.key() == "location") location = kv.value();
    if (kv.key() == "offset") offset = number(kv.value());
    if (kv.key() == "length") length = number(kv.value());
  }
  if (location.empty()) throw InputError(model_file, origin, "external data without a location");
  why = "its data is stored externally in '" + location + "'";
  if (needed > max_bytes) {
    why += " (edgepart reads external values of at most " + std::to_string(max_bytes) + " bytes)";
    return std::nullopt;
  }
  if (length >= 0 && static_cast<size_t>(length) != needed)
    throw InputError(model_file, origin, "external data length " + std::to_string(length) + " does not match dims " +
                                             dims_text(std::vector<int64_t>(t.dims().begin(), t.dims().end())) +
                                             " of " + type_name(t.data_type()) + " (" + std::to_string(needed) + " bytes)");
  // Confined by real path, not only lexically: a symbolic link inside the folder may point at
  // /dev/zero or /etc/passwd, which must not be read as tensor data.
  namespace fs = std::filesystem;
  fs::path rel(location);
  std::error_code ec;
  const fs::path folder = fs::canonical(fs::absolute(fs::path(model_file), ec).parent_path(), ec);
  const fs::path lexical = fs::path(model_file).parent_path() / rel;
  if (ec || rel.is_absolute()) {
    why += ", outside the model's folder (not read)";
    return std::nullopt;
  }
  const fs::path real = fs::canonical(lexical, ec);
  if (ec) {
    why += ", which is not there";
    return std::nullopt;
  }
  auto [folder_end, real_at] = std::mismatch(folder.begin(), folder.end(), real.begin(), real.end());
  if (folder_end != folder.end() || real_at == real.end()) {
    why += ", outside the model's folder (not read)";
    return std::nullopt;
  }
  std::optional<InputFd> in;
  try {
    in.emplace(open_regular_file(real.string()));
  } catch (const InputError& e) {
    throw InputError(model_file, origin, "external data '" + location + "': " + e.message());
  }
  const int64_t end = checked_add(offset, static_cast<int64_t>(needed));
  if (end > in->size_bytes()) {
    why += ", which ends before byte " + std::to_string(end);
    return std::nullopt;
  }
  std::string bytes(needed, '\0');
  size_t done = 0;
  while (done < needed) {
    const ssize_t got = ::pread(in->get(), bytes.data() + done, needed - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      why += ", which ends before byte " + std::to_string(end);
      return std::nullopt;
    }
    done += static_cast<size_t>(got);
  }
  return bytes;
}

// Values are decoded now for tensors of at most kMaxTensorDataBytes; larger ones (weights), and
// external data unless `read_now`, are deferred: `deferred` points at the tensor and values_of
// reads it when a caller needs the values. `max_bytes` bounds what a deferred read may load.
Const tensor_const(const onnx::TensorProto& t, const std::string& origin, const std::string& file,
                   bool read_now = false, size_t max_bytes = kMaxTensorDataBytes) {
  Const c;
  c.origin = origin;
  c.type = t.data_type();
  int64_t count = 1;
  try {
    for (int64_t d : t.dims()) {
      if (d < 0) throw InputError(file, origin, "negative dimension in dims " + dims_text(std::vector<int64_t>(t.dims().begin(), t.dims().end())));
      c.dims.push_back(d);
      count = checked_mul(count, d);
    }
  } catch (const OverflowError&) {
    throw InputError(file, origin, "dims " + dims_text(c.dims) + " overflow 64-bit arithmetic");
  }
  int size = element_bytes(c.type);
  if (size == 0) {
    c.missing = "values of type " + type_name(c.type) + " are not read";
    return c;
  }
  // The byte count too must not wrap: [2^61] INT64 is 2^64 bytes, which would wrap to 0 and let
  // an empty raw_data pass the size check below.
  int64_t total_bytes = 0;
  try {
    total_bytes = checked_mul(count, size);
  } catch (const OverflowError&) {
    throw InputError(file, origin, "dims " + dims_text(c.dims) + " of " + type_name(c.type) +
                                       " overflow 64-bit arithmetic (bytes)");
  }
  auto n = static_cast<size_t>(count);
  auto bytes_needed = static_cast<size_t>(total_bytes);
  std::vector<double> v;
  std::optional<std::string> external;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (!read_now) {
      c.deferred = &t;
      c.missing = "its data is stored externally";
      return c;
    }
    external = read_external(t, bytes_needed, origin, file, c.missing, max_bytes);
    if (!external) return c;
  } else if (!read_now && bytes_needed > kMaxTensorDataBytes) {
    // Present only when the reader kept weights (load_onnx_params): decoded on demand.
    c.deferred = &t;
    c.missing = "its data is not in the file (or is larger than the " + std::to_string(kMaxTensorDataBytes) +
                " bytes edgepart reads)";
    return c;
  }
  if (external || t.has_raw_data()) {
    const std::string& raw = external ? *external : t.raw_data();
    if (raw.size() != bytes_needed)
      throw InputError(file, origin, "raw_data holds " + std::to_string(raw.size()) + " bytes, but dims " +
                                         dims_text(c.dims) + " of " + type_name(c.type) + " need " +
                                         std::to_string(bytes_needed));
    for (size_t i = 0; i < n; ++i) v.push_back(raw_element(raw, i, c.type));
  } else {
    // The typed fields (onnx.proto: which field holds which data_type).
    switch (c.type) {
      case onnx::TensorProto::FLOAT: v.assign(t.float_data().begin(), t.float_data().end()); break;
      case onnx::TensorProto::DOUBLE: v.assign(t.double_data().begin(), t.double_data().end()); break;
      case onnx::TensorProto::INT64:
        for (int64_t x : t.int64_data()) v.push_back(static_cast<double>(x));
        break;
      case onnx::TensorProto::UINT32:
      case onnx::TensorProto::UINT64:
        for (uint64_t x : t.uint64_data()) v.push_back(static_cast<double>(x));
        break;
      case onnx::TensorProto::FLOAT16:
        for (int32_t x : t.int32_data()) v.push_back(half_to_double(static_cast<uint32_t>(x)));
        break;
      case onnx::TensorProto::BFLOAT16:
        for (int32_t x : t.int32_data()) v.push_back(bfloat16_to_double(static_cast<uint32_t>(x)));
        break;
      default: v.assign(t.int32_data().begin(), t.int32_data().end()); break;
    }
    if (v.empty() && n > 0) {
      // Weight-free files, and data over kMaxTensorDataBytes, which the reader skipped.
      c.missing = "its data is not in the file (or is larger than the " + std::to_string(kMaxTensorDataBytes) +
                  " bytes edgepart reads)";
      return c;
    }
    if (v.size() != n)
      throw InputError(file, origin, "holds " + std::to_string(v.size()) + " values, but dims " + dims_text(c.dims) +
                                         " need " + std::to_string(n));
  }
  c.values = std::move(v);
  return c;
}

// ------------------------------------------------------------------------------------------
// Window arithmetic (the formulas of docs/formats.md; cost::window_output_size is the same)
// ------------------------------------------------------------------------------------------

// floor((in + pads - dilation(k-1) - 1) / stride) + 1, or with ceil_mode the ceiling, less one
// when the last window would start in the end padding (PyTorch's rule). 0 when nothing fits.
int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil_mode) {
  int64_t room = checked_sub(checked_add(checked_add(in, pb), pe), checked_add(checked_mul(d, k - 1), 1));
  if (room < 0) return 0;
  int64_t out = (ceil_mode ? ceil_div(room, s) : room / s) + 1;
  if (ceil_mode && checked_mul(out - 1, s) >= checked_add(in, pb)) --out;
  return out;
}

// ONNX auto_pad SAME_UPPER / SAME_LOWER: the output is ceil(in / stride); the padding needed for
// it is split evenly, the odd one at the end (UPPER) or at the beginning (LOWER). ONNX's
// convPoolShapeInference does the same.
std::pair<int64_t, int64_t> same_pads(int64_t in, int64_t k, int64_t s, int64_t d, bool upper) {
  int64_t out = ceil_div(in, s);
  // Checked: stride, dilation and kernel come from the file (an OverflowError names the node).
  int64_t span = checked_add(checked_mul(out - 1, s), checked_add(checked_mul(d, k - 1), 1));
  int64_t total = std::max<int64_t>(0, checked_sub(span, in));
  int64_t small = total / 2, big = total - small;
  return upper ? std::pair{small, big} : std::pair{big, small};
}

// One spatial axis of a window op reading a Pad node's output.
struct PadAxis {
  int64_t in = 0;                       // the Pad's input size
  int64_t pad_begin = 0, pad_end = 0;   // the Pad node's pads
  int64_t own_begin = 0, own_end = 0;   // the window op's own pads
  int64_t kernel = 1, stride = 1, dilation = 1;
  bool ceil_mode = false;
};

enum class WindowOp { conv, maxpool, avgpool };

// Whether the window op gives the same result when the Pad's positions are replaced by the op's
// own padding (zeros for conv, ignored for maxpool, zeros counted for avgpool with
// count_include_pad). Checked window by window along one axis, which is exact for the 2-D op
// because a window is the product of its row and column windows:
//  - constant zeros: conv and avgpool read the same zeros; maxpool's padding is -inf, so it
//    agrees when the window holds a real element and the input is non-negative (after ReLU);
//  - edge / reflect: each padded position copies an input element; conv and avgpool agree
//    only if no window reads a padded position, maxpool if every padded position a window reads
//    copies an element the same window also reads (max ignores duplicates).
// Returns "" when exact, else the first window that differs.
std::string pad_fold_problem(WindowOp op, PadMode mode, bool non_negative_input, const PadAxis& a) {
  int64_t padded = checked_add(checked_add(a.in, a.pad_begin), a.pad_end);
  int64_t out = window_out(padded, a.kernel, a.stride, a.dilation, a.own_begin, a.own_end, a.ceil_mode);
  // The check reads every window position; no real layer comes near this bound (a 4096-wide map
  // with an 11-wide kernel is 45k), and a corrupt file must not make the loader spin.
  if (checked_mul(out, a.kernel) > (int64_t{1} << 24)) return "the map is too large to check the fold";
  std::vector<int64_t> real;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = checked_sub(checked_mul(o, a.stride), a.own_begin);
    real.clear();
    std::vector<int64_t> copied;  // input positions the padded positions of this window copy
    bool touched = false;
    for (int64_t j = 0; j < a.kernel; ++j) {
      int64_t q = checked_add(start, checked_mul(j, a.dilation));
      if (q < 0 || q >= padded) continue;  // the op's own padding
      int64_t r = q - a.pad_begin;         // input position
      if (r >= 0 && r < a.in) {
        real.push_back(r);
        continue;
      }
      touched = true;
      if (mode == PadMode::edge) copied.push_back(std::clamp<int64_t>(r, 0, a.in - 1));
      if (mode == PadMode::reflect) copied.push_back(r < 0 ? -r : checked_sub(checked_mul(2, a.in - 1), r));
    }
    if (!touched) continue;
    bool ok;
    if (mode == PadMode::constant) {
      ok = op != WindowOp::maxpool || (non_negative_input && !real.empty());
    } else if (op != WindowOp::maxpool) {
      ok = false;
    } else {
      ok = std::all_of(copied.begin(), copied.end(),
                       [&](int64_t r) { return std::find(real.begin(), real.end(), r) != real.end(); });
    }
    if (!ok) return "output position " + std::to_string(o) + " reads padded positions";
  }
  return "";
}

// ------------------------------------------------------------------------------------------
// 2. + 3. Ordering and converting
// ------------------------------------------------------------------------------------------

// Ops that become layers or are folded (the table docs/formats.md documents).
const std::set<std::string>& supported_ops() {
  static const std::set<std::string> ops = {
      "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Relu", "Clip",
      "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Mul", "Add", "Concat", "Flatten", "Reshape",
      "Gemm", "MatMul", "Dropout", "Identity", "Softmax", "LRN", "Pad", "Resize", "Upsample",
      "SpaceToDepth", "DepthToSpace", "Squeeze",
      // folded when they compute constants (shape arithmetic for Reshape)
      "Constant", "Shape", "Gather", "Unsqueeze", "Cast"};
  return ops;
}

bool default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

// Where a layer's trained parameter comes from: the ONNX tensor and how it maps onto edgepart's
// layout (model::LayerParamTensors).
struct ParamSource {
  std::string layer, role;  // our layer name; "weight", "bias", "gamma", "beta", "mean", "var"
  std::string tensor;       // the ONNX tensor (an initializer or a Constant node's output)
  bool transpose = false;   // a [in][out] matrix (MatMul, Gemm with transB=0) -> [out][in]
  double scale = 1;         // Gemm's alpha (weight) or beta (bias)
  int64_t count = 0;        // the elements the role needs: a 1-element Gemm bias broadcasts
};

class Converter {
public:
  // `max_data_bytes`: the most a deferred tensor read may load (kMaxTensorDataBytes, or SIZE_MAX
  // when the weights are wanted).
  Converter(const onnx::ModelProto& model, std::string file, size_t max_data_bytes = kMaxTensorDataBytes)
      : model_(model), graph_(model.graph()), file_(std::move(file)), max_data_bytes_(max_data_bytes) {}

  ModelGraph run();
  // The trained parameters of `graph` (the result of run()), in edgepart's layouts.
  std::map<std::string, LayerParamTensors> params(const ModelGraph& graph) const;

private:
  // --- errors and node context ---
  [[noreturn]] void fail(const std::string& message) const { throw InputError(file_, origin_, message); }
  std::string describe_node(int i) const;

  // --- attributes ---
  const onnx::AttributeProto* attr(const std::string& name, onnx::AttributeProto::AttributeType type) const;
  int64_t int_attr(const std::string& name, int64_t fallback) const;
  int64_t required_int(const std::string& name) const;
  double float_attr(const std::string& name, double fallback) const;
  std::string string_attr(const std::string& name, const std::string& fallback) const;
  std::optional<std::vector<int64_t>> ints_attr(const std::string& name, size_t expected_size) const;
  std::optional<std::vector<double>> floats_attr(const std::string& name) const;

  // --- inputs ---
  bool has_input(int i) const { return i < node_->input_size() && !node_->input(i).empty(); }
  const Value& value(int i) const;
  const Activation& activation(int i) const;
  const Const& constant(int i, const std::string& role) const;
  std::optional<std::vector<double>> values_of(const Const& c, std::string& why) const;
  std::vector<double> const_values(const Const& c, const std::string& role) const;
  std::vector<int64_t> const_ints(const Const& c, const std::string& role) const;
  double const_scalar(int i, const std::string& role) const;

  // --- outputs ---
  void set_output(int i, Value v);
  void emit(OpKind kind, OpAttrs attrs, const std::vector<const Activation*>& inputs, Shape out);
  void check_declared(const std::string& tensor, const std::vector<int64_t>& ours) const;
  void refuse_used_output(int i, const std::string& what) const;
  bool non_negative(const std::string& layer) const;

  // --- converting ---
  void setup_inputs();
  std::vector<int> order_and_prune();
  void check_supported(const std::vector<int>& order) const;
  void convert_node();
  bool try_fold();
  void window_op(WindowOp op);
  void clip();
  void binary(OpKind kind);
  void concat();
  void flatten_like(const Activation& x, int64_t axis);
  void reshape();
  void squeeze();
  void linear(bool gemm);
  void dropout();
  void softmax();
  void pad();
  void resize(bool upsample);
  void block_op(OpKind kind);
  void record_param(const std::string& layer, const std::string& role, int input, int64_t count,
                    bool transpose = false, double scale = 1);

  const onnx::ModelProto& model_;
  const onnx::GraphProto& graph_;
  std::string file_;
  size_t max_data_bytes_;
  std::vector<ParamSource> param_sources_;
  int64_t opset_ = 0;
  Shape input_shape_;
  int64_t dtype_bytes_ = 4;

  std::map<std::string, Value> values_;
  std::map<std::string, const onnx::ValueInfoProto*> declared_;
  std::map<std::string, int> consumers_;  // tensor -> number of live nodes reading it
  std::vector<PendingLayer> pending_;
  std::map<std::string, size_t> layer_pos_;  // our layer name -> index in pending_
  std::set<std::string> used_names_{"input"};

  const onnx::NodeProto* node_ = nullptr;  // the node being converted
  std::string origin_;                     // its description for errors
  std::string name_;                       // its layer name
};

// An operator name as printed in messages: an empty one would print as nothing ("unsupported ONNX
// operator:  (first: ...)").
std::string op_text(const std::string& op_type) { return op_type.empty() ? "<empty>" : op_type; }

std::string Converter::describe_node(int i) const {
  const auto& n = graph_.node(i);
  if (!n.name().empty()) return "node '" + n.name() + "' (" + op_text(n.op_type()) + ")";
  std::string out = n.output_size() > 0 ? " writing '" + n.output(0) + "'" : "";
  return "node #" + std::to_string(i) + " (" + op_text(n.op_type()) + ")" + out;
}

const onnx::AttributeProto* Converter::attr(const std::string& name, onnx::AttributeProto::AttributeType type) const {
  for (const auto& a : node_->attribute()) {
    if (a.name() != name) continue;
    // Files older than IR version 2 may leave `type` unset; then the field that is set counts.
    bool matches = a.type() == type;
    if (a.type() == onnx::AttributeProto::UNDEFINED) {
      switch (type) {
        case onnx::AttributeProto::INT: matches = a.has_i(); break;
        case onnx::AttributeProto::FLOAT: matches = a.has_f(); break;
        case onnx::AttributeProto::STRING: matches = a.has_s(); break;
        case onnx::AttributeProto::TENSOR: matches = a.has_t(); break;
        case onnx::AttributeProto::INTS: matches = a.ints_size() > 0; break;
        case onnx::AttributeProto::FLOATS: matches = a.floats_size() > 0; break;
        default: break;
      }
    }
    if (!matches)
      fail("attribute '" + name + "' must be " + onnx::AttributeProto::AttributeType_Name(type) + " (got " +
           onnx::AttributeProto::AttributeType_Name(a.type()) + ")");
    return &a;
  }
  return nullptr;
}

int64_t Converter::int_attr(const std::string& name, int64_t fallback) const {
  auto a = attr(name, onnx::AttributeProto::INT);
  return a ? a->i() : fallback;
}

int64_t Converter::required_int(const std::string& name) const {
  auto a = attr(name, onnx::AttributeProto::INT);
  if (!a) fail(node_->op_type() + " needs attribute '" + name + "'");
  return a->i();
}

double Converter::float_attr(const std::string& name, double fallback) const {
  auto a = attr(name, onnx::AttributeProto::FLOAT);
  return a ? static_cast<double>(a->f()) : fallback;
}

std::string Converter::string_attr(const std::string& name, const std::string& fallback) const {
  auto a = attr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : fallback;
}

std::optional<std::vector<int64_t>> Converter::ints_attr(const std::string& name, size_t expected_size) const {
  auto a = attr(name, onnx::AttributeProto::INTS);
  if (!a) return std::nullopt;
  std::vector<int64_t> v(a->ints().begin(), a->ints().end());
  if (expected_size != 0 && v.size() != expected_size)
    fail("attribute '" + name + "' needs " + std::to_string(expected_size) + " values for a 2-D op (got " +
         dims_text(v) + ")");
  return v;
}

std::optional<std::vector<double>> Converter::floats_attr(const std::string& name) const {
  auto a = attr(name, onnx::AttributeProto::FLOATS);
  if (!a) return std::nullopt;
  return std::vector<double>(a->floats().begin(), a->floats().end());
}

const Value& Converter::value(int i) const {
  if (!has_input(i)) fail(node_->op_type() + " needs input " + std::to_string(i));
  auto it = values_.find(node_->input(i));
  EDGEPART_ASSERT(it != values_.end(), "input '" + node_->input(i) + "' was ordered before its producer");
  return it->second;
}

const Activation& Converter::activation(int i) const {
  const Value& v = value(i);
  if (auto a = std::get_if<Activation>(&v)) return *a;
  if (auto p = std::get_if<Padded>(&v))
    fail("reads '" + node_->input(i) + "' from " + p->origin +
         "; a Pad is supported only directly before Conv, MaxPool or AveragePool");
  fail("input " + std::to_string(i) + " ('" + node_->input(i) + "') is a constant (" + std::get<Const>(v).origin +
       "); " + node_->op_type() + " is supported only on tensors computed from the model input");
}

const Const& Converter::constant(int i, const std::string& role) const {
  const Value& v = value(i);
  if (auto c = std::get_if<Const>(&v)) return *c;
  fail("the " + role + " (input " + std::to_string(i) + ", '" + node_->input(i) +
       "') must be a constant (an initializer or a Constant node), but it is computed from the model input");
}

std::optional<std::vector<double>> Converter::values_of(const Const& c, std::string& why) const {
  if (c.values) return c.values;
  why = c.missing;
  if (!c.deferred) return std::nullopt;
  Const read = tensor_const(*c.deferred, c.origin, file_, true, max_data_bytes_);
  why = read.missing;
  return read.values;
}

std::vector<double> Converter::const_values(const Const& c, const std::string& role) const {
  std::string why;
  auto v = values_of(c, why);
  if (!v) fail("needs the values of its " + role + " (" + c.origin + "), but " + why);
  return *v;
}

std::vector<int64_t> Converter::const_ints(const Const& c, const std::string& role) const {
  std::vector<int64_t> out;
  for (double v : const_values(c, role)) {
    if (v != std::floor(v) || std::fabs(v) > 9.0e15)  // beyond 2^53 doubles skip integers
      fail("the " + role + " must hold integers (got " + format_number(v) + " in " + c.origin + ")");
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}

double Converter::const_scalar(int i, const std::string& role) const {
  const Const& c = constant(i, role);
  auto v = const_values(c, role);
  if (v.size() != 1) fail("the " + role + " must be a scalar (got dims " + dims_text(c.dims) + ")");
  return v[0];
}

void Converter::check_declared(const std::string& tensor, const std::vector<int64_t>& ours) const {
  auto it = declared_.find(tensor);
  if (it == declared_.end()) return;
  const auto& type = it->second->type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return;
  const auto& shape = type.tensor_type().shape();
  bool agree = shape.dim_size() == static_cast<int>(ours.size());
  std::string theirs = "[";
  for (int k = 0; k < shape.dim_size(); ++k) {
    const auto& d = shape.dim(k);
    theirs += (k ? "," : "");
    if (d.has_dim_value()) {
      theirs += std::to_string(d.dim_value());
      if (agree && d.dim_value() != ours[static_cast<size_t>(k)]) agree = false;
    } else {
      theirs += d.has_dim_param() ? d.dim_param() : "?";  // symbolic: nothing to compare
    }
  }
  theirs += "]";
  if (!agree)
    fail("output '" + tensor + "' has shape " + theirs + " in the file (value_info), but edgepart computes " +
         dims_text(ours));
}

void Converter::set_output(int i, Value v) {
  if (i >= node_->output_size() || node_->output(i).empty()) return;
  const std::string& t = node_->output(i);
  if (auto a = std::get_if<Activation>(&v)) check_declared(t, onnx_dims(a->shape));
  if (auto p = std::get_if<Padded>(&v)) {
    const Shape& s = p->source.shape;
    check_declared(t, {1, s.c, checked_add(s.h, checked_add(p->pad.top, p->pad.bottom)),
                       checked_add(s.w, checked_add(p->pad.left, p->pad.right))});
  }
  if (auto c = std::get_if<Const>(&v)) check_declared(t, c->dims);
  values_.insert_or_assign(t, std::move(v));
}

void Converter::refuse_used_output(int i, const std::string& what) const {
  if (i < node_->output_size() && !node_->output(i).empty() && consumers_.count(node_->output(i)))
    fail("its " + what + " output '" + node_->output(i) + "' is used, which edgepart does not model");
}

void Converter::emit(OpKind kind, OpAttrs attrs, const std::vector<const Activation*>& inputs, Shape out) {
  PendingLayer p;
  p.layer.name = name_;
  p.layer.kind = kind;
  p.layer.attrs = std::move(attrs);
  p.layer.origin = origin_;
  for (const Activation* a : inputs) p.input_names.push_back(a->layer);
  layer_pos_[name_] = pending_.size();
  pending_.push_back(std::move(p));
  set_output(0, Activation{name_, out});
}

// Whether a layer's output is never negative (so zero padding before a max pool is exact).
bool Converter::non_negative(const std::string& layer) const {
  auto it = layer_pos_.find(layer);
  if (it == layer_pos_.end()) return false;  // the model input
  const Layer& l = pending_[it->second].layer;
  switch (l.kind) {
    case OpKind::relu:
    case OpKind::relu6:
    case OpKind::sigmoid:
    case OpKind::hardsigmoid:
    case OpKind::softmax: return true;
    case OpKind::clip: return l.as<ClipAttrs>().min >= 0;
    default: return false;
  }
}

void Converter::setup_inputs() {
  int64_t opset = -1;
  for (const auto& o : model_.opset_import()) {
    if (!default_domain(o.domain())) continue;
    if (opset != -1)
      throw InputError(file_, "", "two opset_import entries for the default ONNX domain (versions " +
                                      std::to_string(opset) + " and " + std::to_string(o.version()) + ")");
    opset = o.version();
  }
  if (opset < 1) throw InputError(file_, "", "no opset_import for the default ONNX domain (ai.onnx)");
  // ONNX numbers opsets from 1 and adds about two a year (23 in 2025); anything far beyond is a
  // corrupt field, not a model from the future.
  constexpr int64_t kMaxOpset = 1000;
  if (opset > kMaxOpset)
    throw InputError(file_, "", "opset_import version " + std::to_string(opset) + " of the default ONNX domain is not a real opset (at most " +
                                    std::to_string(kMaxOpset) + ")");
  opset_ = opset;

  for (const auto& t : graph_.initializer()) {
    std::string origin = "initializer '" + t.name() + "'";
    if (t.name().empty()) throw InputError(file_, origin, "an initializer without a name");
    values_.insert_or_assign(t.name(), tensor_const(t, origin, file_));
  }
  // Before IR version 4 initializers were also listed as graph inputs; those are not inputs.
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& in : graph_.input())
    if (!values_.count(in.name())) inputs.push_back(&in);
  if (inputs.size() != 1) {
    std::vector<std::string> names;
    for (auto* in : inputs) names.push_back("'" + in->name() + "'");
    throw InputError(file_, "", "edgepart models have one input tensor; the graph has " + std::to_string(inputs.size()) +
                                    (names.empty() ? "" : " (" + join(names, ", ") + ")"));
  }
  const auto& in = *inputs[0];
  std::string where = "graph input '" + in.name() + "'";
  if (!in.type().has_tensor_type()) throw InputError(file_, where, "is not a tensor");
  const auto& tt = in.type().tensor_type();
  switch (tt.elem_type()) {
    case onnx::TensorProto::FLOAT: dtype_bytes_ = 4; break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: dtype_bytes_ = 2; break;
    case onnx::TensorProto::DOUBLE: dtype_bytes_ = 8; break;
    default:
      throw InputError(file_, where, "element type " + type_name(tt.elem_type()) +
                                         " is not supported (FLOAT, FLOAT16, BFLOAT16 or DOUBLE)");
  }
  const auto& shape = tt.shape();
  auto dim = [&](int k) -> int64_t { return shape.dim(k).has_dim_value() ? shape.dim(k).dim_value() : -1; };
  bool ok = tt.has_shape() && shape.dim_size() == 4 && dim(1) > 0 && dim(2) > 0 && dim(3) > 0 &&
            (dim(0) == 1 || !shape.dim(0).has_dim_value());
  if (!ok) {
    std::string got = "[";
    for (int k = 0; k < shape.dim_size(); ++k)
      got += (k ? "," : "") + (shape.dim(k).has_dim_value() ? std::to_string(shape.dim(k).dim_value())
                                                              : shape.dim(k).dim_param().empty() ? "?" : shape.dim(k).dim_param());
    throw InputError(file_, where, "must be [N,C,H,W] with batch 1 (or symbolic) and fixed C, H, W (got " +
                                       (tt.has_shape() ? got + "]" : "no shape") + ")");
  }
  input_shape_ = Shape::chw(dim(1), dim(2), dim(3));
  values_.insert_or_assign(in.name(), Activation{"input", input_shape_});

  for (const auto& v : graph_.value_info()) declared_[v.name()] = &v;
  for (const auto& v : graph_.output()) declared_[v.name()] = &v;
}

std::vector<int> Converter::order_and_prune() {
  const int n = graph_.node_size();
  if (n == 0) throw InputError(file_, "", "the graph has no nodes");
  if (graph_.output_size() != 1) {
    std::vector<std::string> names;
    for (const auto& o : graph_.output()) names.push_back("'" + o.name() + "'");
    throw InputError(file_, "", "edgepart models have one output tensor; the graph has " +
                                    std::to_string(graph_.output_size()) +
                                    (names.empty() ? "" : " (" + join(names, ", ") + ")"));
  }
  std::map<std::string, int> producer;
  for (int i = 0; i < n; ++i)
    for (const auto& out : graph_.node(i).output()) {
      if (out.empty()) continue;
      if (values_.count(out))
        throw InputError(file_, describe_node(i), "writes '" + out + "', which is already a graph input or initializer");
      auto [it, inserted] = producer.emplace(out, i);
      if (!inserted)
        throw InputError(file_, describe_node(i), "writes '" + out + "', which " + describe_node(it->second) +
                                                      " also writes (ONNX tensors are written once)");
    }
  // Kahn's algorithm, always taking the ready node that comes first in the file.
  std::vector<std::vector<int>> readers(static_cast<size_t>(n));
  std::vector<int> missing(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    std::set<int> from;
    for (const auto& in : graph_.node(i).input()) {
      if (in.empty() || values_.count(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end())
        throw InputError(file_, describe_node(i), "reads '" + in +
                                                      "', which is not a graph input, an initializer or any node's output");
      from.insert(it->second);
    }
    for (int p : from) readers[static_cast<size_t>(p)].push_back(i);
    missing[static_cast<size_t>(i)] = static_cast<int>(from.size());
  }
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (int i = 0; i < n; ++i)
    if (missing[static_cast<size_t>(i)] == 0) ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int r : readers[static_cast<size_t>(i)])
      if (--missing[static_cast<size_t>(r)] == 0) ready.push(r);
  }
  if (static_cast<int>(order.size()) != n) {
    // Walk back along unplaced producers from an unplaced node until a node repeats.
    int cur = 0;
    while (missing[static_cast<size_t>(cur)] == 0) ++cur;
    std::vector<int> path;
    std::map<int, size_t> seen;
    while (!seen.count(cur)) {
      seen[cur] = path.size();
      path.push_back(cur);
      for (const auto& in : graph_.node(cur).input()) {
        auto it = producer.find(in);
        if (it != producer.end() && missing[static_cast<size_t>(it->second)] != 0) {
          cur = it->second;
          break;
        }
      }
    }
    // path[k + 1] produces an input of path[k]: data flows from the end of the path back to
    // `cur`, and on to the end again.
    std::string cycle;
    for (size_t k = path.size(); k-- > seen[cur];) cycle += describe_node(path[k]) + " -> ";
    throw InputError(file_, describe_node(cur), "the nodes form a cycle: " + cycle + describe_node(path.back()));
  }
  // Keep only the nodes the output depends on.
  const std::string& output = graph_.output(0).name();
  auto out_it = producer.find(output);
  if (out_it == producer.end())
    throw InputError(file_, "graph output '" + output + "'", "is not written by any node");
  std::vector<bool> live(static_cast<size_t>(n), false);
  std::vector<int> stack{out_it->second};
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    if (live[static_cast<size_t>(i)]) continue;
    live[static_cast<size_t>(i)] = true;
    for (const auto& in : graph_.node(i).input()) {
      auto it = producer.find(in);
      if (it != producer.end()) stack.push_back(it->second);
    }
  }
  std::vector<int> kept;
  for (int i : order)
    if (live[static_cast<size_t>(i)]) {
      kept.push_back(i);
      for (const auto& in : graph_.node(i).input())
        if (!in.empty()) ++consumers_[in];
    }
  return kept;
}

void Converter::check_supported(const std::vector<int>& order) const {
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (int i : order) {
    const auto& node = graph_.node(i);
    if (default_domain(node.domain()) && supported_ops().count(node.op_type())) continue;
    const std::string op = default_domain(node.domain()) ? op_text(node.op_type()) : node.domain() + "." + op_text(node.op_type());
    if (seen.insert(op).second) problems.push_back(op + " (first: " + describe_node(i) + ")");
  }
  if (!problems.empty())
    throw InputError(file_, "", "unsupported ONNX operator" + std::string(problems.size() > 1 ? "s" : "") + ": " +
                                    join(problems, ", ") + " (docs/formats.md lists what edgepart maps)");
}

ModelGraph Converter::run() {
  setup_inputs();
  std::vector<int> order = order_and_prune();
  check_supported(order);
  for (int i : order) {
    node_ = &graph_.node(i);
    origin_ = describe_node(i);
    // Layer name: the node name, else (unnamed or clashing) its output tensor name, which ONNX
    // makes unique.
    std::string stem = node_->output_size() > 0 && !node_->output(0).empty() ? node_->output(0) : "node" + std::to_string(i);
    name_ = node_->name();
    if (name_.empty() || used_names_.count(name_)) name_ = stem;
    for (int k = 2; used_names_.count(name_); ++k) name_ = stem + "_" + std::to_string(k);
    try {
      convert_node();
    } catch (const OverflowError&) {
      fail("sizes overflow 64-bit arithmetic");
    }
    // Outputs a converter does not produce (training statistics, masks, indices) must be unused.
    for (int k = 0; k < node_->output_size(); ++k) {
      const std::string& out = node_->output(k);
      if (!out.empty() && !values_.count(out) && consumers_.count(out))
        fail("its output " + std::to_string(k) + " ('" + out + "') is used, but edgepart models only the first output of " +
             node_->op_type());
    }
    used_names_.insert(name_);
  }
  node_ = nullptr;
  origin_.clear();

  // The model output must be a layer; layers it does not depend on (a convolution only a Shape
  // node reads, say) are dropped so that the output is the last layer.
  const std::string& output = graph_.output(0).name();
  auto out_it = values_.find(output);
  if (out_it == values_.end())  // a second output (MaxPool's Indices, Dropout's mask, ...)
    throw InputError(file_, "graph output '" + output + "'", "is an output of its node that edgepart does not model");
  const Activation* out_act = std::get_if<Activation>(&out_it->second);
  if (!out_act || out_act->layer == "input")
    throw InputError(file_, "graph output '" + output + "'",
                     "is not computed by any layer edgepart models (a constant, a Pad or the input itself)");
  std::set<std::string> needed;
  std::vector<std::string> stack{out_act->layer};
  while (!stack.empty()) {
    std::string l = stack.back();
    stack.pop_back();
    if (l == "input" || !needed.insert(l).second) continue;
    for (const auto& in : pending_[layer_pos_.at(l)].input_names) stack.push_back(in);
  }
  std::vector<PendingLayer> kept;
  for (auto& p : pending_)
    if (needed.count(p.layer.name)) kept.push_back(std::move(p));

  ModelGraph g;
  g.file = file_;
  g.name = std::filesystem::path(file_).stem().string();
  std::string producer = model_.producer_name().empty() ? "an unknown producer" : model_.producer_name();
  if (!model_.producer_version().empty()) producer += " " + model_.producer_version();
  g.source = "ONNX file " + std::filesystem::path(file_).filename().string() + " (" + producer + ", opset " +
             std::to_string(opset_) + "), imported by edgepart";
  g.input = input_shape_;
  g.dtype_bytes = dtype_bytes_;
  std::vector<InputError> errors;
  g.layers = assemble_layers(std::move(kept), file_, errors);
  if (errors.empty()) validate_structure(g, errors);
  if (!errors.empty()) throw errors.front();
  return g;
}

// --- folding constants (shape arithmetic) ---

bool Converter::try_fold() {
  const std::string& op = node_->op_type();
  if (op == "Constant") {
    Const c;
    c.origin = origin_;
    if (auto t = attr("value", onnx::AttributeProto::TENSOR)) {
      c = tensor_const(t->t(), origin_, file_);
    } else if (auto f = attr("value_float", onnx::AttributeProto::FLOAT)) {
      c.type = onnx::TensorProto::FLOAT;
      c.values = std::vector<double>{static_cast<double>(f->f())};
    } else if (auto fs = attr("value_floats", onnx::AttributeProto::FLOATS)) {
      c.type = onnx::TensorProto::FLOAT;
      c.values = std::vector<double>(fs->floats().begin(), fs->floats().end());
      c.dims = {static_cast<int64_t>(c.values->size())};
    } else if (auto i = attr("value_int", onnx::AttributeProto::INT)) {
      c.type = onnx::TensorProto::INT64;
      c.values = std::vector<double>{static_cast<double>(i->i())};
    } else if (auto is = attr("value_ints", onnx::AttributeProto::INTS)) {
      c.type = onnx::TensorProto::INT64;
      c.values = std::vector<double>();
      for (int64_t v : is->ints()) c.values->push_back(static_cast<double>(v));
      c.dims = {static_cast<int64_t>(c.values->size())};
    } else {
      c.missing = "this Constant form (sparse or string) is not read";
    }
    set_output(0, std::move(c));
    return true;
  }
  if (op == "Shape") {
    const Activation& x = activation(0);
    std::vector<int64_t> dims = onnx_dims(x.shape);
    auto rank = static_cast<int64_t>(dims.size());
    // Opset 15: optional start / end (negative counts from the end, clamped).
    auto clampi = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
    int64_t start = clampi(int_attr("start", 0)), end = clampi(int_attr("end", rank));
    Const c;
    c.origin = origin_;
    c.type = onnx::TensorProto::INT64;
    c.values = std::vector<double>();
    for (int64_t k = start; k < end; ++k) c.values->push_back(static_cast<double>(dims[static_cast<size_t>(k)]));
    c.dims = {static_cast<int64_t>(c.values->size())};
    set_output(0, std::move(c));
    return true;
  }
  // The others fold only when every input is a constant.
  static const std::set<std::string> foldable = {"Gather", "Unsqueeze", "Squeeze", "Concat", "Identity", "Cast"};
  if (!foldable.count(op)) return false;
  for (int i = 0; i < node_->input_size(); ++i)
    if (has_input(i) && !std::holds_alternative<Const>(value(i))) {
      if (op == "Squeeze" || op == "Concat" || op == "Identity") return false;  // also layers
      fail(op + " is supported only in shape computations (on constants), but input " + std::to_string(i) + " ('" +
           node_->input(i) + "') is computed from the model input");
    }
  const Const& x = constant(0, "input");
  Const c;
  c.origin = origin_;
  c.type = x.type;
  c.dims = x.dims;
  if (op == "Identity") {
    c = x;
  } else if (op == "Cast") {
    c.type = static_cast<int32_t>(required_int("to"));
    if (auto xv = values_of(x, c.missing)) {
      std::vector<double> v = *xv;
      bool integral = c.type != onnx::TensorProto::FLOAT && c.type != onnx::TensorProto::DOUBLE &&
                      c.type != onnx::TensorProto::FLOAT16 && c.type != onnx::TensorProto::BFLOAT16;
      if (integral)
        for (double& e : v) e = std::trunc(e);
      c.values = v;
    }
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<int64_t> axes;
    if (opset_ >= 13) {
      if (has_input(1)) axes = const_ints(constant(1, "axes"), "axes");
    } else if (auto a = ints_attr("axes", 0)) {
      axes = *a;
    }
    auto rank = static_cast<int64_t>(x.dims.size());
    // ONNX: Unsqueeze's axes index the output ([-r', r'-1], r' = rank + |axes|), Squeeze's the
    // input ([-r, r-1]); both must be unique.
    const int64_t axis_rank = op == "Unsqueeze" ? rank + static_cast<int64_t>(axes.size()) : rank;
    std::set<int64_t> unique_axes;
    for (int64_t a : axes) {
      const int64_t k = a < 0 ? a + axis_rank : a;
      if (k < 0 || k >= axis_rank)
        fail(op + " axis " + std::to_string(a) + " is out of range for " + (op == "Unsqueeze" ? "output " : "") +
             "rank " + std::to_string(axis_rank));
      if (!unique_axes.insert(k).second) fail(op + " axis " + std::to_string(a) + " is repeated");
    }
    if (op == "Unsqueeze") {
      int64_t out_rank = rank + static_cast<int64_t>(axes.size());
      std::set<int64_t> at;
      for (int64_t a : axes) at.insert(a < 0 ? a + out_rank : a);
      c.dims.clear();
      size_t from = 0;
      for (int64_t k = 0; k < out_rank; ++k) c.dims.push_back(at.count(k) ? 1 : x.dims.at(from++));
    } else {
      std::set<int64_t> at;
      for (int64_t a : axes) at.insert(a < 0 ? a + rank : a);
      c.dims.clear();
      for (int64_t k = 0; k < rank; ++k) {
        bool drop = axes.empty() ? x.dims[static_cast<size_t>(k)] == 1 : at.count(k) > 0;
        if (drop && x.dims[static_cast<size_t>(k)] != 1) fail("Squeeze of a dimension that is not 1");
        if (!drop) c.dims.push_back(x.dims[static_cast<size_t>(k)]);
      }
    }
    c.values = values_of(x, c.missing);
  } else if (op == "Gather") {
    auto data = const_values(x, "data");
    const Const& idx_c = constant(1, "indices");
    auto idx = const_ints(idx_c, "indices");
    if (x.dims.size() != 1) fail("Gather is folded only on 1-D constants (got dims " + dims_text(x.dims) + ")");
    int64_t axis = int_attr("axis", 0);
    if (axis != 0 && axis != -1) fail("Gather on a 1-D constant needs axis 0 (got " + std::to_string(axis) + ")");
    auto n = static_cast<int64_t>(data.size());
    std::vector<double> v;
    for (int64_t k : idx) {
      int64_t j = k < 0 ? k + n : k;
      if (j < 0 || j >= n) fail("index " + std::to_string(k) + " is out of range for " + std::to_string(n) + " values");
      v.push_back(data[static_cast<size_t>(j)]);
    }
    c.dims = idx_c.dims;
    c.values = v;
  } else if (op == "Concat") {
    int64_t axis = required_int("axis");
    std::vector<double> v;
    for (int i = 0; i < node_->input_size(); ++i) {
      const Const& part = constant(i, "input");
      if (part.dims.size() != 1 || (axis != 0 && axis != -1))
        fail("Concat is folded only for 1-D constants along axis 0 (got dims " + dims_text(part.dims) + ", axis " +
             std::to_string(axis) + ")");
      auto pv = const_values(part, "input");
      v.insert(v.end(), pv.begin(), pv.end());
    }
    c.dims = {static_cast<int64_t>(v.size())};
    c.values = v;
  }
  set_output(0, std::move(c));
  return true;
}

// --- layers ---

void Converter::convert_node() {
  if (try_fold()) return;
  const std::string& op = node_->op_type();
  if (op == "Conv") return window_op(WindowOp::conv);
  if (op == "MaxPool") return window_op(WindowOp::maxpool);
  if (op == "AveragePool") return window_op(WindowOp::avgpool);
  if (op == "GlobalAveragePool") {
    const Activation& x = activation(0);
    if (x.shape.flat) fail("needs a [N,C,H,W] input (got " + dims_text(onnx_dims(x.shape)) + ")");
    return emit(OpKind::adaptive_avgpool2d, AdaptivePoolAttrs{{1, 1}}, {&x}, Shape::chw(x.shape.c, 1, 1));
  }
  if (op == "BatchNormalization") {
    const Activation& x = activation(0);
    if (x.shape.flat) fail("needs a [N,C,H,W] input (got " + dims_text(onnx_dims(x.shape)) + ")");
    for (int i = 1; i <= 4; ++i) {
      const Const& p = constant(i, "scale, bias, mean and variance");
      if (p.dims != std::vector<int64_t>{x.shape.c})
        fail("input " + std::to_string(i) + " ('" + node_->input(i) + "') has dims " + dims_text(p.dims) + ", expected [" +
             std::to_string(x.shape.c) + "] for " + std::to_string(x.shape.c) + " channels");
    }
    refuse_used_output(1, "training (running mean)");
    refuse_used_output(2, "training (running variance)");
    const char* roles[] = {"gamma", "beta", "mean", "var"};  // ONNX's input order: scale, B, mean, var
    for (int i = 1; i <= 4; ++i) record_param(name_, roles[i - 1], i, x.shape.c);
    return emit(OpKind::batchnorm, BatchNormAttrs{float_attr("epsilon", 1e-5)}, {&x}, x.shape);
  }
  if (op == "Relu") return emit(OpKind::relu, NoAttrs{}, {&activation(0)}, activation(0).shape);
  if (op == "Sigmoid") return emit(OpKind::sigmoid, NoAttrs{}, {&activation(0)}, activation(0).shape);
  if (op == "HardSwish") return emit(OpKind::hardswish, NoAttrs{}, {&activation(0)}, activation(0).shape);
  if (op == "LeakyRelu")
    return emit(OpKind::leaky_relu, LeakyReluAttrs{float_attr("alpha", 0.01)}, {&activation(0)}, activation(0).shape);
  if (op == "HardSigmoid")  // ONNX's defaults (0.2, 0.5) differ from PyTorch's (1/6, 0.5)
    return emit(OpKind::hardsigmoid, HardSigmoidAttrs{float_attr("alpha", 0.2), float_attr("beta", 0.5)},
                {&activation(0)}, activation(0).shape);
  if (op == "Clip") return clip();
  if (op == "Mul") return binary(OpKind::mul);
  if (op == "Add") return binary(OpKind::add);
  if (op == "Concat") return concat();
  if (op == "Flatten") return flatten_like(activation(0), int_attr("axis", 1));
  if (op == "Reshape") return reshape();
  if (op == "Squeeze") return squeeze();
  if (op == "Gemm") return linear(true);
  if (op == "MatMul") return linear(false);
  if (op == "Dropout") return dropout();
  if (op == "Identity") return emit(OpKind::identity, NoAttrs{}, {&activation(0)}, activation(0).shape);
  if (op == "Softmax") return softmax();
  if (op == "LRN") {
    const Activation& x = activation(0);
    if (x.shape.flat) fail("needs a [N,C,H,W] input (got " + dims_text(onnx_dims(x.shape)) + ")");
    LrnAttrs a;
    a.size = required_int("size");
    a.alpha = float_attr("alpha", 1e-4);  // ONNX's defaults, which are PyTorch's
    a.beta = float_attr("beta", 0.75);
    a.k = float_attr("bias", 1.0);
    return emit(OpKind::lrn, a, {&x}, x.shape);
  }
  if (op == "Pad") return pad();
  if (op == "Resize") return resize(false);
  if (op == "Upsample") return resize(true);
  if (op == "SpaceToDepth") return block_op(OpKind::space_to_depth);
  if (op == "DepthToSpace") return block_op(OpKind::depth_to_space);
  EDGEPART_ASSERT(false, "op " + op + " passed check_supported but has no converter");
}

void Converter::window_op(WindowOp op) {
  const Value& v = value(0);
  const Padded* padded = std::get_if<Padded>(&v);
  const Activation& x = padded ? padded->source : activation(0);
  if (x.shape.flat) fail("needs a [N,C,H,W] input (got " + dims_text(onnx_dims(x.shape)) + ")");
  Padding node_pad = padded ? padded->pad : Padding{};
  int64_t in_h = checked_add(x.shape.h, checked_add(node_pad.top, node_pad.bottom));
  int64_t in_w = checked_add(x.shape.w, checked_add(node_pad.left, node_pad.right));

  Hw kernel;
  int64_t out_channels = x.shape.c, groups = 1;
  bool bias = false;
  if (op == WindowOp::conv) {
    const Const& w = constant(1, "weight");
    if (w.dims.size() != 4)
      fail("only 2-D convolutions are supported: the weight must have 4 dims (got " + dims_text(w.dims) + ")");
    groups = int_attr("group", 1);
    if (groups < 1) fail("attribute 'group' must be >= 1 (got " + std::to_string(groups) + ")");
    if (checked_mul(w.dims[1], groups) != x.shape.c)
      fail("inconsistent dims: the input has " + std::to_string(x.shape.c) + " channels, but the weight " +
           dims_text(w.dims) + " with group " + std::to_string(groups) + " expects " +
           std::to_string(checked_mul(w.dims[1], groups)));
    out_channels = w.dims[0];
    kernel = Hw{w.dims[2], w.dims[3]};
    if (auto ks = ints_attr("kernel_shape", 2); ks && ((*ks)[0] != kernel.h || (*ks)[1] != kernel.w))
      fail("attribute 'kernel_shape' " + dims_text(*ks) + " disagrees with the weight dims " + dims_text(w.dims));
    record_param(name_, "weight", 1, checked_product(w.dims[0], w.dims[1], checked_mul(w.dims[2], w.dims[3])));
    if (has_input(2)) {
      const Const& b = constant(2, "bias");
      if (b.dims != std::vector<int64_t>{out_channels})
        fail("inconsistent dims: the bias has dims " + dims_text(b.dims) + ", expected [" + std::to_string(out_channels) + "]");
      bias = true;
      record_param(name_, "bias", 2, out_channels);
    }
  } else {
    auto ks = ints_attr("kernel_shape", 2);
    if (!ks) fail(node_->op_type() + " needs attribute 'kernel_shape'");
    kernel = Hw{(*ks)[0], (*ks)[1]};
    refuse_used_output(1, "Indices");
  }
  auto strides = ints_attr("strides", 2).value_or(std::vector<int64_t>{1, 1});  // ONNX: stride 1, not the kernel
  auto dilations = ints_attr("dilations", 2).value_or(std::vector<int64_t>{1, 1});
  if (op == WindowOp::avgpool && (dilations[0] != 1 || dilations[1] != 1))
    fail("AveragePool with dilations " + dims_text(dilations) + " is not supported (avgpool2d has no dilation)");
  for (int64_t s : strides)
    if (s < 1) fail("attribute 'strides' must be >= 1 (got " + dims_text(strides) + ")");
  for (int64_t d : dilations)
    if (d < 1) fail("attribute 'dilations' must be >= 1 (got " + dims_text(dilations) + ")");
  if (kernel.h < 1 || kernel.w < 1) fail("the kernel must be at least 1x1 (got " + std::to_string(kernel.h) + "x" + std::to_string(kernel.w) + ")");
  auto pads_attr = ints_attr("pads", 4);
  std::string auto_pad = string_attr("auto_pad", "NOTSET");
  Padding own;
  if (auto_pad == "NOTSET") {
    if (pads_attr) own = Padding{(*pads_attr)[0], (*pads_attr)[1], (*pads_attr)[2], (*pads_attr)[3]};
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (pads_attr && std::any_of(pads_attr->begin(), pads_attr->end(), [](int64_t p) { return p != 0; }))
      fail("attributes 'pads' and auto_pad " + auto_pad + " cannot be used together");
    bool upper = auto_pad == "SAME_UPPER";
    auto [t, b] = same_pads(in_h, kernel.h, strides[0], dilations[0], upper);
    auto [l, r] = same_pads(in_w, kernel.w, strides[1], dilations[1], upper);
    own = Padding{t, l, b, r};
  } else if (auto_pad != "VALID") {
    fail("attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID (got '" + auto_pad + "')");
  }
  if (std::min({own.top, own.left, own.bottom, own.right}) < 0)
    fail("negative pads are not supported (got " + dims_text({own.top, own.left, own.bottom, own.right}) + ")");
  bool ceil_mode = op != WindowOp::conv && int_attr("ceil_mode", 0) != 0;
  // ONNX AveragePool excludes pads by default; for maxpool2d the flag keeps the format's default.
  bool count_include_pad = op != WindowOp::avgpool || int_attr("count_include_pad", 0) != 0;

  // Fold the Pad node when that is exact (pad_fold_problem).
  if (padded) {
    PadAxis h{x.shape.h, node_pad.top, node_pad.bottom, own.top, own.bottom, kernel.h, strides[0], dilations[0], ceil_mode};
    PadAxis w{x.shape.w, node_pad.left, node_pad.right, own.left, own.right, kernel.w, strides[1], dilations[1], ceil_mode};
    bool nonneg = non_negative(x.layer);
    std::string problem = pad_fold_problem(op, padded->mode, nonneg, h);
    if (problem.empty()) problem = pad_fold_problem(op, padded->mode, nonneg, w);
    static const char* mode_names[] = {"constant", "edge", "reflect"};
    std::string what = "the " + std::string(mode_names[static_cast<int>(padded->mode)]) + " padding of " + padded->origin;
    if (!problem.empty())
      fail("cannot fold " + what + " into " + node_->op_type() + " exactly (" + problem +
           (padded->mode == PadMode::constant ? " without a real element, or the input may be negative"
                                              : " whose values differ from " + node_->op_type() + "'s own padding") +
           ")");
    bool node_pads = node_pad.top || node_pad.left || node_pad.bottom || node_pad.right;
    if (op == WindowOp::avgpool && padded->mode == PadMode::constant && node_pads) {
      // The Pad's zeros are real elements, so they count in every average.
      bool own_pads = own.top || own.left || own.bottom || own.right;
      if (own_pads && !count_include_pad)
        fail("cannot fold " + what + ": its zeros count in the average but AveragePool's own pads do not "
             "(count_include_pad=0)");
      count_include_pad = true;
    }
    own = Padding{checked_add(own.top, node_pad.top), checked_add(own.left, node_pad.left),
                  checked_add(own.bottom, node_pad.bottom), checked_add(own.right, node_pad.right)};
  }
  int64_t oh = window_out(x.shape.h, kernel.h, strides[0], dilations[0], own.top, own.bottom, ceil_mode);
  int64_t ow = window_out(x.shape.w, kernel.w, strides[1], dilations[1], own.left, own.right, ceil_mode);
  if (oh < 1 || ow < 1)
    fail("inconsistent dims: the kernel " + std::to_string(kernel.h) + "x" + std::to_string(kernel.w) +
         " does not fit the padded input " + std::to_string(checked_add(x.shape.h, checked_add(own.top, own.bottom))) + "x" +
         std::to_string(checked_add(x.shape.w, checked_add(own.left, own.right))));
  Shape out = Shape::chw(out_channels, oh, ow);
  Hw stride{strides[0], strides[1]}, dilation{dilations[0], dilations[1]};
  if (op == WindowOp::conv) {
    Conv2dAttrs a;
    a.out_channels = out_channels;
    a.kernel = kernel;
    a.stride = stride;
    a.dilation = dilation;
    a.padding = own;
    a.groups = groups;
    a.bias = bias;
    return emit(OpKind::conv2d, a, {&x}, out);
  }
  Pool2dAttrs a;
  a.kernel = kernel;
  a.stride = stride;
  a.dilation = dilation;
  a.padding = own;
  a.ceil_mode = ceil_mode;
  a.count_include_pad = count_include_pad;
  emit(op == WindowOp::maxpool ? OpKind::maxpool2d : OpKind::avgpool2d, a, {&x}, out);
}

void Converter::clip() {
  const Activation& x = activation(0);
  // Without a bound ONNX clips at the float range (its opset-6 attribute defaults).
  double lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
  if (opset_ < 11) {
    lo = float_attr("min", lo);
    hi = float_attr("max", hi);
  } else {
    if (has_input(1)) lo = const_scalar(1, "min");
    if (has_input(2)) hi = const_scalar(2, "max");
  }
  if (lo > hi) fail("min " + format_number(lo) + " is greater than max " + format_number(hi));
  // Clip(0, 6) is relu6, the same op in the model format, and what PyTorch's ReLU6 exports as.
  if (lo == 0 && hi == 6) return emit(OpKind::relu6, ClipAttrs{0, 6}, {&x}, x.shape);
  emit(OpKind::clip, ClipAttrs{lo, hi}, {&x}, x.shape);
}

void Converter::binary(OpKind kind) {
  bool c0 = std::holds_alternative<Const>(value(0)), c1 = std::holds_alternative<Const>(value(1));
  if (kind == OpKind::add && c0 != c1) {
    // A bias after MatMul (how Linear exports when it is not a Gemm) folds into that layer.
    const Activation& x = activation(c0 ? 1 : 0);
    const Const& b = constant(c0 ? 0 : 1, "bias");
    auto it = layer_pos_.find(x.layer);
    if (it != layer_pos_.end()) {
      Layer& l = pending_[it->second].layer;
      if (l.kind == OpKind::linear && !l.as<LinearAttrs>().bias && consumers_[node_->input(c0 ? 1 : 0)] == 1) {
        int64_t count = 1;
        for (int64_t d : b.dims) count = checked_mul(count, d);
        if (count != x.shape.c)
          fail("inconsistent dims: the bias " + dims_text(b.dims) + " does not match " + std::to_string(x.shape.c) +
               " features");
        std::get<LinearAttrs>(l.attrs).bias = true;
        record_param(x.layer, "bias", c0 ? 0 : 1, x.shape.c);
        set_output(0, x);
        return;
      }
    }
    fail("Add with a constant operand is supported only as the bias right after a MatMul");
  }
  if (c0 || c1) fail(node_->op_type() + " with a constant operand is not supported (edgepart's " +
                     std::string(op_name(kind)) + " combines two tensors)");
  const Activation* a = &activation(0);
  const Activation* b = &activation(1);
  auto is_channel_vector = [](const Shape& s) { return !s.flat && s.h == 1 && s.w == 1; };
  // mul broadcasts its second input over H and W (squeeze-excitation); x*s and s*x are alike.
  if (kind == OpKind::mul && is_channel_vector(a->shape) && !is_channel_vector(b->shape)) std::swap(a, b);
  bool ok = a->shape == b->shape ||
            (kind == OpKind::mul && !a->shape.flat && is_channel_vector(b->shape) && b->shape.c == a->shape.c);
  if (!ok)
    fail("inconsistent dims: inputs " + dims_text(onnx_dims(a->shape)) + " and " + dims_text(onnx_dims(b->shape)) +
         (kind == OpKind::mul ? " (Mul needs equal shapes or [1,C,1,1] as one operand)" : " (Add needs equal shapes)"));
  emit(kind, NoAttrs{}, {a, b}, a->shape);
}

void Converter::concat() {
  std::vector<const Activation*> ins;
  for (int i = 0; i < node_->input_size(); ++i) ins.push_back(&activation(i));
  const Shape& first = ins.front()->shape;
  int64_t rank = first.flat ? 2 : 4;
  int64_t axis = required_int("axis");
  if (axis < 0) axis += rank;
  if (first.flat || axis != 1)
    fail("Concat is supported along the channels of [N,C,H,W] tensors (axis 1); got axis " +
         std::to_string(int_attr("axis", 0)) + " on " + dims_text(onnx_dims(first)));
  int64_t channels = 0;
  for (const Activation* a : ins) {
    if (a->shape.flat || a->shape.h != first.h || a->shape.w != first.w)
      fail("inconsistent dims: Concat inputs " + dims_text(onnx_dims(first)) + " and " + dims_text(onnx_dims(a->shape)) +
           " differ in height or width");
    channels = checked_add(channels, a->shape.c);
  }
  if (ins.size() == 1) return emit(OpKind::identity, NoAttrs{}, ins, first);  // a one-input Concat copies
  emit(OpKind::concat, NoAttrs{}, ins, Shape::chw(channels, first.h, first.w));
}

// Flatten(axis) and 2-D reshapes: [N,C,H,W] -> [N, C*H*W] is flatten; axis 0 gives [1, N*C*H*W],
// the same at batch 1.
void Converter::flatten_like(const Activation& x, int64_t axis) {
  int64_t rank = x.shape.flat ? 2 : 4;
  if (axis < 0) axis += rank;
  if (axis != 0 && axis != 1)
    fail("Flatten with axis " + std::to_string(axis) + " on " + dims_text(onnx_dims(x.shape)) +
         " is not supported (only axis 1: [N, C*H*W])");
  emit(OpKind::flatten, NoAttrs{}, {&x}, Shape::features(x.shape.elements()));
}

void Converter::reshape() {
  const Activation& x = activation(0);
  std::vector<int64_t> target;
  if (opset_ < 5) {
    auto a = ints_attr("shape", 0);
    if (!a) fail("Reshape needs attribute 'shape' (opset < 5)");
    target = *a;
  } else {
    target = const_ints(constant(1, "target shape"), "target shape");
  }
  bool allowzero = int_attr("allowzero", 0) != 0;
  std::vector<int64_t> in = onnx_dims(x.shape);
  // Resolve 0 (copy the input's dim) and -1 (whatever is left), as ONNX does.
  std::vector<int64_t> out;
  int64_t known = 1, infer_at = -1;
  for (size_t k = 0; k < target.size(); ++k) {
    int64_t t = target[k];
    if (t == 0 && !allowzero) {
      if (k >= in.size()) fail("target shape " + dims_text(target) + " copies a dimension the input does not have");
      t = in[k];
    }
    if (t == -1) {
      if (infer_at >= 0) fail("target shape " + dims_text(target) + " has more than one -1");
      infer_at = static_cast<int64_t>(k);
    } else if (t < 0) {
      fail("target shape " + dims_text(target) + " has a negative dimension");
    } else {
      known = checked_mul(known, t);
    }
    out.push_back(t);
  }
  int64_t elements = x.shape.elements();
  if (infer_at >= 0) {
    if (known == 0 || elements % known != 0)
      fail("inconsistent dims: cannot reshape " + dims_text(in) + " to " + dims_text(target));
    out[static_cast<size_t>(infer_at)] = elements / known;
  } else if (known != elements) {
    fail("inconsistent dims: cannot reshape " + dims_text(in) + " (" + std::to_string(elements) + " elements) to " +
         dims_text(target));
  }
  if (out.size() == 2 && out[0] == 1) return flatten_like(x, 1);
  if (out == in) return emit(OpKind::identity, NoAttrs{}, {&x}, x.shape);
  fail("Reshape from " + dims_text(in) + " to " + dims_text(out) + " is not supported (only flattening to [1, N])");
}

void Converter::squeeze() {
  const Activation& x = activation(0);
  std::vector<int64_t> axes;
  if (opset_ >= 13) {
    if (has_input(1)) axes = const_ints(constant(1, "axes"), "axes");
  } else if (auto a = ints_attr("axes", 0)) {
    axes = *a;
  }
  std::set<int64_t> at;
  for (int64_t a : axes) at.insert(a < 0 ? a + 4 : a);
  // [1,C,1,1] squeezed at the spatial axes is [1,C]: a flatten (older exports of x.squeeze(-1)).
  if (!x.shape.flat && x.shape.h == 1 && x.shape.w == 1 && at == std::set<int64_t>{2, 3})
    return flatten_like(x, 1);
  fail("Squeeze of " + dims_text(onnx_dims(x.shape)) + " at axes " + dims_text(axes) +
       " is not supported (only [1,C,1,1] at axes 2 and 3, a flatten)");
}

void Converter::linear(bool gemm) {
  const Activation& x = activation(0);
  const Const& w = constant(1, "weight");
  if (!x.shape.flat)
    fail(node_->op_type() + " needs a flat input [1,F] (got " + dims_text(onnx_dims(x.shape)) +
         "; edgepart maps it to linear after a Flatten)");
  if (w.dims.size() != 2) fail("the weight must have 2 dims (got " + dims_text(w.dims) + ")");
  bool trans_b = false, bias = false;
  if (gemm) {
    if (int_attr("transA", 0) != 0) fail("Gemm with transA=1 is not supported (the input is [1,F])");
    trans_b = int_attr("transB", 0) != 0;
    // alpha scales the product (no effect on shapes); beta = 0 drops C.
    bias = has_input(2) && float_attr("beta", 1.0) != 0;
  }
  int64_t in_features = trans_b ? w.dims[1] : w.dims[0];
  int64_t out_features = trans_b ? w.dims[0] : w.dims[1];
  if (in_features != x.shape.c)
    fail("inconsistent dims: the input has " + std::to_string(x.shape.c) + " features, but the weight " +
         dims_text(w.dims) + (gemm ? std::string(" with transB=") + (trans_b ? "1" : "0") : std::string()) + " expects " +
         std::to_string(in_features));
  // Y = alpha * X * B' + beta * C (Gemm); MatMul is alpha = 1 without C.
  record_param(name_, "weight", 1, checked_mul(in_features, out_features), !trans_b, gemm ? float_attr("alpha", 1.0) : 1.0);
  if (bias) {
    const Const& c = constant(2, "bias");
    int64_t count = 1;
    for (int64_t d : c.dims) count = checked_mul(count, d);
    if (count != out_features && count != 1)
      fail("inconsistent dims: the bias has dims " + dims_text(c.dims) + ", expected [" + std::to_string(out_features) + "]");
    record_param(name_, "bias", 2, out_features, false, float_attr("beta", 1.0));
  }
  emit(OpKind::linear, LinearAttrs{out_features, bias}, {&x}, Shape::features(out_features));
}

void Converter::dropout() {
  const Activation& x = activation(0);
  double p = 0.5;  // ONNX's default ratio
  if (opset_ < 12) {
    p = float_attr("ratio", p);
  } else {
    if (has_input(1)) p = const_scalar(1, "ratio");
    if (has_input(2) && const_scalar(2, "training_mode") != 0)
      fail("Dropout in training mode is not supported (inference only)");
  }
  if (p < 0 || p >= 1) fail("ratio must be in [0, 1) (got " + format_number(p) + ")");
  refuse_used_output(1, "mask");
  emit(OpKind::dropout, DropoutAttrs{p}, {&x}, x.shape);
}

void Converter::softmax() {
  const Activation& x = activation(0);
  int64_t rank = x.shape.flat ? 2 : 4;
  // Opset 13 made the default axis -1 and the softmax one-axis; before, it ran over the
  // input coerced to 2-D at `axis` (all of C*H*W for axis 1).
  int64_t axis = int_attr("axis", opset_ >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  bool ok = x.shape.flat ? axis == 1 : (opset_ >= 13 && axis == 1);
  if (!ok)
    fail("Softmax over axis " + std::to_string(int_attr("axis", opset_ >= 13 ? -1 : 1)) + " of " +
         dims_text(onnx_dims(x.shape)) + " at opset " + std::to_string(opset_) +
         " is not supported (the features of [1,F], or the channels of [1,C,H,W] from opset 13)");
  emit(OpKind::softmax, NoAttrs{}, {&x}, x.shape);
}

void Converter::pad() {
  if (std::holds_alternative<Padded>(value(0)))
    fail("a Pad after a Pad is not supported (reads '" + node_->input(0) + "')");
  const Activation& x = activation(0);
  std::string mode = string_attr("mode", "constant");
  std::vector<int64_t> pads;
  double fill = 0;
  if (opset_ < 11) {
    auto a = ints_attr("pads", 0);
    if (!a) fail("Pad needs attribute 'pads' (opset < 11)");
    pads = *a;
    fill = float_attr("value", 0.0);
  } else {
    pads = const_ints(constant(1, "pads"), "pads");
    if (has_input(2)) fill = const_scalar(2, "constant value");
    if (has_input(3)) fail("Pad with an 'axes' input is not supported");
  }
  if (x.shape.flat) fail("Pad is supported on [N,C,H,W] tensors (got " + dims_text(onnx_dims(x.shape)) + ")");
  if (pads.size() != 8) fail("pads must have 8 values for a 4-D tensor (got " + dims_text(pads) + ")");
  // [N_begin, C_begin, H_begin, W_begin, N_end, C_end, H_end, W_end]
  if (pads[0] || pads[1] || pads[4] || pads[5]) fail("Pad of the batch or channel axis is not supported (pads " + dims_text(pads) + ")");
  for (int64_t p : pads)
    if (p < 0) fail("negative pads (cropping) are not supported (pads " + dims_text(pads) + ")");
  PadMode m;
  if (mode == "constant") {
    m = PadMode::constant;
    if (fill != 0) fail("constant padding with " + format_number(fill) + " is not supported (only zeros)");
  } else if (mode == "edge") {
    m = PadMode::edge;
  } else if (mode == "reflect") {
    m = PadMode::reflect;
    if (std::max(pads[2], pads[6]) >= x.shape.h || std::max(pads[3], pads[7]) >= x.shape.w)
      fail("reflect pads " + dims_text(pads) + " must be smaller than the input " + dims_text(onnx_dims(x.shape)));
  } else {
    fail("Pad mode '" + mode + "' is not supported (constant, edge or reflect)");
  }
  Padding p{pads[2], pads[3], pads[6], pads[7]};
  if (p == Padding{}) return set_output(0, x);  // pads nothing: the same tensor
  set_output(0, Padded{x, p, m, origin_});
}

void Converter::resize(bool upsample) {
  const Activation& x = activation(0);
  if (x.shape.flat) fail("needs a [N,C,H,W] input (got " + dims_text(onnx_dims(x.shape)) + ")");
  std::string mode = string_attr("mode", "nearest");
  if (mode != "nearest") fail("mode '" + mode + "' is not supported (only nearest, with an integer scale)");
  std::vector<double> scales;
  std::string ctm = "asymmetric", nearest_mode = "floor";  // Upsample and Resize-10 replicate: floor(x / scale)
  if (upsample) {
    if (opset_ >= 9) scales = const_values(constant(1, "scales"), "scales");
    else if (auto a = floats_attr("scales")) scales = *a;
    else fail("Upsample needs attribute 'scales' (opset < 9)");
  } else {
    if (opset_ >= 11) {
      ctm = string_attr("coordinate_transformation_mode", "half_pixel");
      nearest_mode = string_attr("nearest_mode", "round_prefer_floor");
      if (attr("axes", onnx::AttributeProto::INTS)) fail("Resize with 'axes' is not supported");
    }
    int scales_at = opset_ >= 11 ? 2 : 1;
    if (has_input(scales_at)) {
      const Const& s = constant(scales_at, "scales");
      if (!s.dims.empty() && !(s.dims.size() == 1 && s.dims[0] == 0)) scales = const_values(s, "scales");
    }
    if (scales.empty() && opset_ >= 11 && has_input(3)) {
      auto sizes = const_ints(constant(3, "sizes"), "sizes");
      if (sizes.size() != 4) fail("sizes must have 4 values (got " + dims_text(sizes) + ")");
      std::vector<int64_t> in = onnx_dims(x.shape);
      for (size_t k = 0; k < 4; ++k) {
        if (sizes[k] < in[k] || sizes[k] % in[k] != 0)
          fail("sizes " + dims_text(sizes) + " are not an integer upscale of " + dims_text(in));
        scales.push_back(static_cast<double>(sizes[k] / in[k]));
      }
    }
    if (scales.empty()) fail("Resize needs scales or sizes");
  }
  if (scales.size() != 4) fail("scales must have 4 values (got " + std::to_string(scales.size()) + ")");
  auto integer = [](double v) { return v >= 1 && v == std::floor(v) && v < 1e6; };
  if (scales[0] != 1 || scales[1] != 1 || !integer(scales[2]) || !integer(scales[3]))
    fail("scales [" + format_number(scales[0]) + "," + format_number(scales[1]) + "," + format_number(scales[2]) + "," +
         format_number(scales[3]) + "] are not supported (1, 1 and integer upscales of H and W)");
  Hw scale{static_cast<int64_t>(scales[2]), static_cast<int64_t>(scales[3])};
  // edgepart's upsample copies input x / scale to output x (nearest, PyTorch's). Check the
  // node's coordinate mapping gives exactly that at every output position (the ONNX Resize
  // formulas; with an integer scale half_pixel + round_prefer_floor does, for example).
  static const std::set<std::string> ctms = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                             "tf_half_pixel_for_nn"};
  static const std::set<std::string> nearest_modes = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (!ctms.count(ctm)) fail("coordinate_transformation_mode '" + ctm + "' is not supported");
  if (!nearest_modes.count(nearest_mode)) fail("nearest_mode '" + nearest_mode + "' is not supported");
  for (auto [in, s] : {std::pair{x.shape.h, scale.h}, std::pair{x.shape.w, scale.w}}) {
    int64_t out = checked_mul(in, s);
    // Every output position is checked; the bound keeps a corrupt file from making this spin.
    if (out > (int64_t{1} << 24)) fail("the upscaled size " + std::to_string(out) + " is too large");
    for (int64_t o = 0; o < out; ++o) {
      double xo = static_cast<double>(o), sd = static_cast<double>(s), src;
      if (ctm == "half_pixel" || (ctm == "pytorch_half_pixel" && out > 1)) src = (xo + 0.5) / sd - 0.5;
      else if (ctm == "pytorch_half_pixel") src = 0;
      else if (ctm == "align_corners") src = out == 1 ? 0 : xo * static_cast<double>(in - 1) / static_cast<double>(out - 1);
      else if (ctm == "asymmetric") src = xo / sd;
      else src = (xo + 0.5) / sd;  // tf_half_pixel_for_nn
      double r;
      if (nearest_mode == "floor") r = std::floor(src);
      else if (nearest_mode == "ceil") r = std::ceil(src);
      else if (src - std::floor(src) == 0.5) r = nearest_mode == "round_prefer_floor" ? std::floor(src) : std::ceil(src);
      else r = std::round(src);
      auto idx = std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
      if (idx != o / s)
        fail("nearest resize with coordinate_transformation_mode '" + ctm + "' and nearest_mode '" + nearest_mode +
             "' reads input " + std::to_string(idx) + " for output " + std::to_string(o) +
             ", not the replication edgepart's upsample computes (" + std::to_string(o / s) + ")");
    }
  }
  emit(OpKind::upsample, UpsampleAttrs{scale}, {&x},
       Shape::chw(x.shape.c, checked_mul(x.shape.h, scale.h), checked_mul(x.shape.w, scale.w)));
}

void Converter::block_op(OpKind kind) {
  const Activation& x = activation(0);
  if (x.shape.flat) fail("needs a [N,C,H,W] input (got " + dims_text(onnx_dims(x.shape)) + ")");
  int64_t b = required_int("blocksize");
  if (b < 1) fail("blocksize must be >= 1 (got " + std::to_string(b) + ")");
  // DepthToSpace's DCR and CRD modes order channels differently but give the same shape.
  Shape out;
  if (kind == OpKind::space_to_depth) {
    if (x.shape.h % b || x.shape.w % b)
      fail("inconsistent dims: height and width of " + dims_text(onnx_dims(x.shape)) + " are not divisible by blocksize " +
           std::to_string(b));
    out = Shape::chw(checked_product(x.shape.c, b, b), x.shape.h / b, x.shape.w / b);
  } else {
    if (x.shape.c % checked_mul(b, b))
      fail("inconsistent dims: channels of " + dims_text(onnx_dims(x.shape)) + " are not divisible by blocksize^2 " +
           std::to_string(b * b));
    out = Shape::chw(x.shape.c / (b * b), checked_mul(x.shape.h, b), checked_mul(x.shape.w, b));
  }
  emit(kind, BlockAttrs{b}, {&x}, out);
}

void Converter::record_param(const std::string& layer, const std::string& role, int input, int64_t count,
                             bool transpose, double scale) {
  param_sources_.push_back(ParamSource{layer, role, node_->input(input), transpose, scale, count});
}

std::map<std::string, LayerParamTensors> Converter::params(const ModelGraph& graph) const {
  std::map<std::string, LayerParamTensors> out;
  for (const ParamSource& p : param_sources_) {
    if (!graph.find(p.layer)) continue;  // pruned: the output does not depend on it
    const Const& c = std::get<Const>(values_.at(p.tensor));
    std::string why;
    auto values = values_of(c, why);
    if (!values)
      throw InputError(file_, c.origin, "the " + p.role + " of layer '" + p.layer + "' cannot be read: " + why);
    auto n = static_cast<size_t>(p.count);
    const bool broadcast = values->size() == 1 && n > 1 && p.role == "bias";
    if (values->size() != n && !broadcast)
      throw InputError(file_, c.origin, "holds " + std::to_string(values->size()) + " values; the " + p.role +
                                            " of layer '" + p.layer + "' needs " + std::to_string(n));
    std::vector<float> v(n);
    if (p.transpose) {
      // [in][out] -> [out][in]; count = in * out and dims [in, out] were checked when converting.
      auto cols = static_cast<size_t>(c.dims.at(1)), rows = n / cols;
      for (size_t r = 0; r < rows; ++r)
        for (size_t k = 0; k < cols; ++k) v[k * rows + r] = static_cast<float>(p.scale * (*values)[r * cols + k]);
    } else {
      for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(p.scale * (*values)[broadcast ? 0 : i]);
    }
    out[p.layer][p.role] = std::move(v);
  }
  return out;
}

}  // namespace

ModelGraph load_onnx_model(const std::string& path) {
  onnx::ModelProto model = read_model_proto(path);
  return Converter(model, path).run();
}

OnnxModelWithParams load_onnx_params(const std::string& path) {
  // Every tensor's data is kept (the file is at most 2 GiB, see read_model_proto); each
  // weight is decoded to floats on its own, so the peak is about the file plus its weights.
  onnx::ModelProto model = read_model_proto(path, SIZE_MAX);
  Converter converter(model, path, SIZE_MAX);
  OnnxModelWithParams result;
  result.graph = converter.run();
  result.params = converter.params(result.graph);
  return result;
}

std::vector<std::string> onnx_data_files(const std::string& path) {
  const onnx::ModelProto model = read_model_proto(path);
  std::set<std::string> files;
  for (const auto& t : model.graph().initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    for (const auto& kv : t.external_data())
      if (kv.key() == "location" && !kv.value().empty())
        files.insert((std::filesystem::path(path).parent_path() / kv.value()).lexically_normal().string());
  }
  return {files.begin(), files.end()};
}

}  // namespace edgepart::model
