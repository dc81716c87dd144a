// Element-wise nodes -> one macro each, on operands placed alike (pim_device.md "Lowering").
#include <algorithm>
#include <cstring>
#include <optional>

#include "ember/backend/device.h"
#include "ember/backend/pim/collectives.h"
#include "ember/errors.h"
#include "kernels.h"
#include "program.h"

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

// The program of one node: its inputs (each once) and one step.
Program single(const Node& n) {
  Program p;
  p.shape = n.shape;
  Step s{const_cast<Node*>(&n), {}};
  for (auto& in : n.inputs) {
    auto it = std::find(p.inputs.begin(), p.inputs.end(), in.get());
    s.args.push_back(int(it - p.inputs.begin()));
    if (it == p.inputs.end()) p.inputs.push_back(in.get());
  }
  p.steps.push_back(std::move(s));
  p.stored = {int(p.inputs.size())};
  return p;
}

// Runs p where its operands are; if their crossbars are too full for the microcode's scratch,
// redoes it in an emptier range (the operands are moved there).
std::vector<Tensor> run_placed(const Program& p, bool record_steps) {
  try {
    return run_program(p, program_placement(p), record_steps);
  } catch (const Unsupported& e) {
    if (!out_of_registers(e)) throw;
  }
  // A range that keeps 28 registers free, then an empty one (64-bit power, float32 power).
  try {
    return run_program(p, placement_for(uint64_t(shape_size(p.shape)), 28), record_steps);
  } catch (const Unsupported& e) {
    if (!out_of_registers(e)) throw;
    return run_program(p, placement_for(uint64_t(shape_size(p.shape)), 31), record_steps);
  }
}

bool has_microcode(ember::DType t) {
  switch (t) {
    case ember::DType::Bool: case ember::DType::Int8: case ember::DType::Int16: case ember::DType::Int32:
    case ember::DType::Int64: case ember::DType::UInt8: case ember::DType::UInt16: case ember::DType::UInt32:
    case ember::DType::UInt64: case ember::DType::Float32: case ember::DType::Float64:
      return true;
    default:
      return false;
  }
}

// Integer x ** y with a negative y raises ValueError (NumPy). The smallest exponent is found in
// memory (the machine's min tree, one read) or read from the host scalar.
void refuse_negative_powers(const Node& n) {
  const Node& e = *n.inputs[1];
  const DType t = to_pim(e.dtype);
  if (!is_signed_int(t) || e.size() == 0) return;
  uint64_t bits = 0;
  if (e.device != DeviceType::PIM) {
    std::memcpy(&bits, e.data.buffer->data() + e.data.offset * itemsize(e.dtype), itemsize(e.dtype));
  } else {
    const Tensor& src = tensor_of(e);
    try {
      bits = reduce(machine(), Reduce::Min, src).value;
    } catch (const std::runtime_error& err) {
      if (!out_of_registers(err)) throw;
      std::vector<uint64_t> idx(src.n);
      for (uint64_t i = 0; i < src.n; ++i) idx[i] = i;
      Temps tmp;
      bits = reduce(machine(), Reduce::Min, tmp.keep(gather(src, idx, placement_for(src.n, 28)))).value;
    }
  }
  if ((bits >> (dtype_bits(t) - 1)) & 1) throw ValueError("Integers to negative integer powers are not allowed.");
}

bool int_power(const Node& n, Macro m) { return m == Macro::Pow && !is_float(to_pim(n.dtype)); }

void elementwise_kernel(Node& n) {
  const auto m = macro_of(n);
  if (!m) throw Unsupported("no macro");
  // copy and where move bits: they also take the dtypes stored without microcode
  auto dtype_of = bit_moving(*m) ? to_pim_storage : to_pim;
  const DType out_t = dtype_of(n.dtype);
  for (auto& in : n.inputs) dtype_of(in->dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(out_t));
  if (int_power(n, *m)) refuse_negative_powers(n);
  set_tensor(n, run_placed(single(n), false).at(0));
}

// Which pim nodes may join a fused Kernel: element-wise nodes with a macro on dtypes with microcode.
bool can_fuse(const Node& n) {
  if (n.kind != Kind::Elementwise || n.inputs.empty() || !has_microcode(n.dtype) || !macro_of(n)) return false;
  if (int_power(n, *macro_of(n))) return false;  // its exponent is checked first (ValueError)
  for (auto& in : n.inputs)
    if (!has_microcode(in->dtype)) return false;
  return true;
}

// A fused Kernel: one stream for the whole chain. If some step cannot run here (no microcode for
// its dtypes, no room for its scratch), the nodes run one by one (each may fall back).
void fused_kernel(const KernelDesc& k) {
  std::lock_guard lock(state().mu);
  Program p;
  p.shape = k.shape;
  p.inputs = k.inputs;
  for (const Instr& ins : k.code) p.steps.push_back(Step{ins.node, ins.args});
  p.stored = k.outputs;
  if (shape_size(k.shape) == 0) {
    for (int r : k.outputs) set_tensor(*k.reg_node(r), empty_tensor(to_pim(k.reg_node(r)->dtype)));
    return;
  }
  try {
    std::vector<Tensor> ts = run_placed(p, true);
    for (size_t i = 0; i < ts.size(); ++i) set_tensor(*k.reg_node(k.outputs[i]), ts[i]);
    return;
  } catch (const Unsupported&) {
  }
  for (const Instr& ins : k.code) {
    Node& n = *ins.node;
    // An input merged with an equal one (common subexpressions) reads that one's value.
    for (size_t j = 0; j < n.inputs.size(); ++j)
      if (Node* v = k.reg_node(ins.args[j]); v != n.inputs[j].get() && !n.inputs[j]->data.buffer)
        n.inputs[j]->data = v->data;
    profiled<elementwise_kernel>(n);
  }
}

void full_kernel(Node& n) {
  const DType t = to_pim_storage(n.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  uint64_t bits = 0;
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (sizeof(T) <= sizeof(bits)) {
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
  for (std::string_view op : macro_op_names())
    register_kernel(DeviceType::PIM, op, profiled<elementwise_kernel>);
  register_kernel(DeviceType::PIM, "square", profiled<elementwise_kernel>);
  register_kernel(DeviceType::PIM, "full", profiled<full_kernel>);
  register_fused(DeviceType::PIM, can_fuse, fused_kernel);
}

}  // namespace ember::pim
