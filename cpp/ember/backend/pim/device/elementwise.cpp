// Element-wise nodes -> one macro each, on operands placed alike (pim_device.md "Lowering").
#include <cstring>
#include <optional>

#include "ember/backend/device.h"
#include "ember/errors.h"
#include "kernels.h"

namespace ember::pim {

std::vector<uint64_t> strided_index(const Shape& shape, const Strides& strides, int64_t offset) {
  const int64_t n = shape_size(shape);
  std::vector<uint64_t> idx(size_t(std::max<int64_t>(n, 0)));
  const int nd = int(shape.size());
  std::vector<int64_t> ix(nd, 0);
  int64_t off = offset;
  for (int64_t i = 0; i < n; ++i) {
    idx[i] = uint64_t(off);
    for (int k = nd - 1; k >= 0; --k) {
      if (++ix[k] < shape[k]) { off += strides[k]; break; }
      off -= strides[k] * (shape[k] - 1);
      ix[k] = 0;
    }
  }
  return idx;
}

namespace {

// Temporaries freed at scope exit.
struct Temps {
  std::vector<Tensor> ts;
  Tensor keep(Tensor t) { ts.push_back(t); return t; }
  ~Temps() {
    for (auto& t : ts)
      if (t.n) machine().free(t);
  }
};

// The bit pattern of a 0-d host value, as pim dtype t (the ops layer already cast it).
uint64_t host_bits(const Node& in) {
  uint64_t v = 0;
  std::memcpy(&v, in.data.buffer->data() + in.data.offset * itemsize(in.dtype), itemsize(in.dtype));
  if (in.dtype == ember::DType::Bool) v = v != 0;
  return v;
}

// Broadcast strides of `in` (contiguous) read as `out`.
Strides broadcast_strides(const Shape& in, const Shape& out) {
  Strides c = contiguous_strides(in), s(out.size(), 0);
  const size_t lead = out.size() - in.size();
  for (size_t k = 0; k < in.size(); ++k) s[lead + k] = in[k] == 1 ? 0 : c[k];
  return s;
}

// Every input of n as a machine tensor placed like `place` (n elements, n's shape).
std::vector<Tensor> operands(const Node& n, Tensor& place, Temps& tmp) {
  std::vector<Tensor> ts;
  for (auto& in : n.inputs) {
    const DType t = to_pim(in->dtype);
    const bool host = in->device != DeviceType::PIM;
    if (host || in->size() == 1) {  // a scalar: one WRITE fills every element (no moves)
      uint64_t bits;
      if (host) {
        bits = host_bits(*in);
      } else {
        machine().read(tensor_of(*in), &bits);
        charge({1, 1, tensor_of(*in).regs.nregs});
        if (t == DType::Bool) bits &= 1;
      }
      Tensor c = tmp.keep(alloc_like(place, t));
      fill(c, bits);
      ts.push_back(c);
      continue;
    }
    const Tensor& src = tensor_of(*in);
    if (in->shape == n.shape && src.same_place(place)) {
      ts.push_back(src);
    } else if (in->shape == n.shape) {
      ts.push_back(tmp.keep(gather(src, strided_index(n.shape, contiguous_strides(n.shape), 0), place)));
    } else {
      ts.push_back(tmp.keep(gather(src, strided_index(n.shape, broadcast_strides(in->shape, n.shape), 0), place)));
    }
  }
  return ts;
}

// A placement for n's result: the first full-size pim input's, else a fresh one.
Tensor placement(const Node& n) {
  for (auto& in : n.inputs)
    if (in->device == DeviceType::PIM && in->shape == n.shape && in->size() > 1) return tensor_of(*in);
  return placement_for(uint64_t(n.size()), -1);
}

std::optional<Macro> macro_of(std::string_view op) {
  static const std::pair<std::string_view, Macro> table[] = {
      {"add", Macro::Add}, {"subtract", Macro::Sub}, {"multiply", Macro::Mul},
      {"divide", Macro::TrueDiv}, {"floor_divide", Macro::FloorDiv}, {"remainder", Macro::Mod},
      {"negative", Macro::Neg}, {"abs", Macro::Abs}, {"sign", Macro::Sign},
      {"less", Macro::Lt}, {"less_equal", Macro::Le}, {"greater", Macro::Gt},
      {"greater_equal", Macro::Ge}, {"equal", Macro::Eq}, {"not_equal", Macro::Ne},
      {"minimum", Macro::Min}, {"maximum", Macro::Max},
      {"bitwise_and", Macro::And}, {"bitwise_or", Macro::Or}, {"bitwise_xor", Macro::Xor},
      {"logical_and", Macro::And}, {"logical_or", Macro::Or}, {"logical_xor", Macro::Xor},
      {"bitwise_invert", Macro::Not}, {"logical_not", Macro::Not},
      {"bitwise_left_shift", Macro::Shl}, {"bitwise_right_shift", Macro::Shr},
      {"where", Macro::Where}, {"astype", Macro::Cast}, {"copy", Macro::Copy},
      {"positive", Macro::Copy}, {"sqrt", Macro::Sqrt}, {"sin", Macro::Sin}, {"cos", Macro::Cos},
  };
  for (auto& [name, m] : table)
    if (name == op) return m;
  return std::nullopt;
}

// Lowers n with its operands placed like `place`; returns the result tensor.
Tensor lower(const Node& n, Macro m, Tensor place, bool square) {
  Temps tmp;
  std::vector<Tensor> in = operands(n, place, tmp);
  if (square) in.resize(1);
  Tensor out = alloc_like(place, to_pim(n.dtype));
  try {
    if (square) {  // distinct registers for the two factors
      Tensor copy = tmp.keep(alloc_like(place, in[0].dtype));
      run(Macro::Copy, copy, {in[0]});
      in.push_back(copy);
    }
    run(m, out, in);
  } catch (...) {
    machine().free(out);
    throw;
  }
  return out;
}

// x ** 2 with a host-scalar exponent is a square (other exponents have no microcode yet).
bool squares(const Node& n) {
  if (n.op == "square") return true;
  if (n.op != "pow" || n.inputs[1]->device == DeviceType::PIM || !n.inputs[1]->shape.empty()) return false;
  const Node& e = *n.inputs[1];
  double v = 0;
  dispatch_dtype(e.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_arithmetic_v<T>) v = double(*e.data.ptr<T>());
  });
  return v == 2.0;
}

void elementwise_kernel(Node& n) {
  const bool square = squares(n);
  auto m = square ? std::optional<Macro>(Macro::Mul) : macro_of(n.op);
  if (!m) throw Unsupported("no macro");
  const DType out_t = to_pim(n.dtype);
  for (auto& in : n.inputs) to_pim(in->dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(out_t));
  try {
    set_tensor(n, lower(n, *m, placement(n), square));
  } catch (const std::exception& e) {
    // The operands' crossbars are too full for this macro's scratch: redo it in an emptier range
    // (the operands are moved there).
    if (!out_of_registers(e)) throw;
    set_tensor(n, lower(n, *m, placement_for(uint64_t(n.size()), 28), square));
  }
}

void full_kernel(Node& n) {
  const DType t = to_pim(n.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  uint64_t bits = 0;
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_arithmetic_v<T>) {
      T v = n.params.scalars.at(0).as<T>();
      std::memcpy(&bits, &v, sizeof(T));
    }
  });
  if (t == DType::Bool) bits = bits != 0;
  Tensor out = alloc(uint64_t(n.size()), t);
  fill(out, bits);
  set_tensor(n, out);
}

}  // namespace

void register_elementwise() {
  for (const char* op : {"add", "subtract", "multiply", "divide", "floor_divide", "remainder", "negative",
                         "abs", "sign", "less", "less_equal", "greater", "greater_equal", "equal",
                         "not_equal", "minimum", "maximum", "bitwise_and", "bitwise_or", "bitwise_xor",
                         "logical_and", "logical_or", "logical_xor", "bitwise_invert", "logical_not",
                         "bitwise_left_shift", "bitwise_right_shift", "where", "astype", "copy",
                         "positive", "sqrt", "sin", "cos"})
    register_kernel(DeviceType::PIM, op, profiled<elementwise_kernel>);
  register_kernel(DeviceType::PIM, "square", profiled<elementwise_kernel>);
  register_kernel(DeviceType::PIM, "pow", profiled<elementwise_kernel>);
  register_kernel(DeviceType::PIM, "full", profiled<full_kernel>);
}

}  // namespace ember::pim
