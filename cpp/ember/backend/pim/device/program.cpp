#include "program.h"

#include <cstring>
#include <memory>

#include "ember/backend/pim/microcode/fold.h"
#include "ember/backend/pim/microcode/immediate.h"
#include "kernels.h"

namespace ember::pim {

namespace {

// The bit pattern of a 0-d host value, as pim dtype t (the ops layer already cast it).
uint64_t host_bits(const Node& in) {
  uint64_t v = 0;
  std::memcpy(&v, in.data.buffer->data() + in.data.offset * itemsize(in.dtype), itemsize(in.dtype));
  if (in.dtype == ember::DType::Bool) v = v != 0;
  return v;
}

// x ** 2 with a host-scalar exponent is a square (other exponents have no microcode yet).
bool squares(const Node& n) {
  if (n.op == "square") return true;
  if (n.op != "pow" || n.inputs.size() != 2 || n.inputs[1]->device == DeviceType::PIM ||
      !n.inputs[1]->shape.empty() || !n.inputs[1]->data.buffer)
    return false;
  const Node& e = *n.inputs[1];
  double v = 0;
  dispatch_dtype(e.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_arithmetic_v<T>) v = double(*e.data.ptr<T>());
  });
  return v == 2.0;
}

// The element-wise primitives that are one macro each (x ** 2 is handled apart, as a multiply).
constexpr std::pair<std::string_view, Macro> kMacros[] = {
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
    {"isnan", Macro::IsNan}, {"isinf", Macro::IsInf}, {"isfinite", Macro::IsFinite},
    {"signbit", Macro::Signbit}, {"floor", Macro::Floor}, {"ceil", Macro::Ceil},
    {"trunc", Macro::Trunc}, {"rint", Macro::Rint}, {"round", Macro::Rint},
    {"exp", Macro::Exp}, {"exp2", Macro::Exp2}, {"expm1", Macro::Expm1}, {"log", Macro::Log},
    {"log2", Macro::Log2}, {"log10", Macro::Log10}, {"log1p", Macro::Log1p},
    {"tanh", Macro::Tanh}, {"sinh", Macro::Sinh}, {"cosh", Macro::Cosh},
    {"tan", Macro::Tan}, {"atan", Macro::Atan}, {"asin", Macro::Asin}, {"acos", Macro::Acos},
    {"atan2", Macro::Atan2}, {"pow", Macro::Pow},
    {"imag", Macro::Imag}, {"real", Macro::Cast}, {"conj", Macro::Cast}, {"fabs", Macro::Abs},
    {"fmin", Macro::FMin}, {"fmax", Macro::FMax}, {"copysign", Macro::CopySign},
    {"heaviside", Macro::Heaviside}, {"deg2rad", Macro::Deg2Rad}, {"rad2deg", Macro::Rad2Deg},
    {"reciprocal", Macro::Reciprocal}, {"fmod", Macro::FMod},
    {"asinh", Macro::Asinh}, {"acosh", Macro::Acosh}, {"atanh", Macro::Atanh},
    {"nextafter", Macro::NextAfter}, {"logaddexp", Macro::LogAddExp}, {"logaddexp2", Macro::LogAddExp2},
};

std::optional<Macro> macro_named(std::string_view op) {
  for (auto& [name, m] : kMacros)
    if (name == op) return m;
  return std::nullopt;
}

// An operand of the program: an immediate, or a tensor placed like the result (aligned by MOVEs
// from `src` when it lives elsewhere or is broadcast).
struct Operand {
  bool imm = false;
  uint64_t bits = 0;
  Tensor t;
  const Tensor* src = nullptr;
  std::vector<uint64_t> idx;
  int first_step = -1;
};

}  // namespace

std::vector<std::string_view> macro_op_names() {
  std::vector<std::string_view> names;
  for (auto& entry : kMacros) names.push_back(entry.first);
  return names;
}

std::optional<Macro> macro_of(const Node& n) {
  if (squares(n)) return Macro::Mul;
  return macro_named(n.op);
}

Tensor program_placement(const Program& p) {
  for (Node* in : p.inputs)
    if (in->device == DeviceType::PIM && in->shape == p.shape && in->size() > 1) return tensor_of(*in);
  return placement_for(uint64_t(shape_size(p.shape)), -1);
}

std::vector<Tensor> run_program(const Program& p, const Tensor& place, bool record_steps) {
  Machine& M = machine();
  const size_t ni = p.inputs.size(), nv = ni + p.steps.size();
  std::vector<DType> vt(nv);
  std::vector<int> last(nv, -1);
  for (size_t i = 0; i < ni; ++i) vt[i] = to_pim_storage(p.inputs[i]->dtype);
  for (size_t j = 0; j < p.steps.size(); ++j) {
    const Node& n = *p.steps[j].node;
    vt[ni + j] = to_pim_storage(n.dtype);
    const auto m = macro_of(n);
    if (!m || !bit_moving(*m)) {  // computing steps need microcode for every dtype involved
      to_pim(n.dtype);
      for (auto& in : n.inputs) to_pim(in->dtype);
    }
    for (int a : p.steps[j].args) last[a] = int(j);
  }
  // Operands: scalars become immediates, full-size values are aligned with the result.
  Temps temps;
  std::vector<Operand> ops(ni);
  std::vector<Transfer> reads(p.steps.size());
  for (size_t j = 0; j < p.steps.size(); ++j)
    for (int a : p.steps[j].args)
      if (size_t(a) < ni && ops[a].first_step < 0) ops[a].first_step = int(j);
  for (size_t i = 0; i < ni; ++i) {
    const Node& in = *p.inputs[i];
    Operand& o = ops[i];
    if (in.device != DeviceType::PIM) {
      o.imm = true, o.bits = host_bits(in);
    } else if (in.size() == 1) {
      o.imm = true;
      M.read(tensor_of(in), &o.bits);  // one host read, charged
      if (o.first_step >= 0) reads[o.first_step] += Transfer{1, 1, tensor_of(in).regs.nregs};
      if (vt[i] == DType::Bool) o.bits &= 1;
    } else if (in.shape == p.shape && tensor_of(in).same_place(place)) {
      o.t = tensor_of(in);
    } else if (o.first_step >= 0) {
      o.src = &tensor_of(in);
      o.idx = strided_index(p.shape, in.shape == p.shape ? contiguous_strides(p.shape)
                                                         : broadcast_strides(in.shape, contiguous_strides(in.shape), p.shape), 0);
      o.t = temps.keep(alloc_like(place, vt[i]));
    }
  }
  Temps results;
  std::vector<int> out_of(nv, -1);
  for (size_t k = 0; k < p.stored.size(); ++k) {
    out_of[p.stored[k]] = int(k);
    results.keep(alloc_like(place, vt[p.stored[k]]));
  }

  // One stream: the masks, then every step's macro.
  auto free_regs = M.free_registers(place.xb0, place.span());
  uint64_t scratch = 0;
  for (uint16_t r : free_regs) scratch |= uint64_t(1) << r;
  Builder b(M.geometry().partitions, std::move(free_regs));
  b.fast_float = M.float_mode == FloatMode::Fast;
  b.ops().push_back(mask_crossbars(place.xb0, place.xb0 + place.span() - 1, place.xstep));
  b.ops().push_back(mask_rows(place.row0, place.row0 + (place.rows_used - 1) * place.rstep, place.rstep));
  std::vector<uint32_t> bounds;  // the end of each step's micro-ops
  try {
    std::vector<Val> val(nv);
    std::vector<std::unique_ptr<mc::Scratch>> held(nv);
    auto value = [&](int a) -> const Val& {
      if (size_t(a) < ni && ops[a].imm && !held[a])
        held[a] = std::make_unique<mc::Scratch>(mc::immediate(b, vt[a], ops[a].bits));
      if (held[a]) return held[a]->val;
      return size_t(a) < ni ? ops[a].t.regs : val[a];
    };
    for (size_t j = 0; j < p.steps.size(); ++j) {
      const Step& s = p.steps[j];
      const int v = int(ni + j);
      const auto m = macro_of(*s.node);
      if (!m) throw Unsupported("no macro");
      const bool square = squares(*s.node);
      std::vector<Val> in;
      std::vector<DType> it;
      std::vector<std::optional<uint64_t>> imm;
      for (size_t k = 0; k < (square ? 1 : s.args.size()); ++k) {
        const int a = s.args[k];
        in.push_back(value(a)), it.push_back(vt[a]);
        imm.push_back(size_t(a) < ni && ops[a].imm ? std::optional<uint64_t>(ops[a].bits) : std::nullopt);
      }
      std::unique_ptr<mc::Scratch> second;
      if (square) {  // distinct registers for the two factors
        second = std::make_unique<mc::Scratch>(mc::scratch_value(b, it[0]));
        b.copy(all(second->val), all(in[0]));
        in.push_back(second->val), it.push_back(it[0]), imm.push_back(imm[0]);
      }
      const DType in_t = *m == Macro::Where ? it.at(1) : it.at(0);
      for (size_t k = *m == Macro::Where ? 1 : 0; k < it.size(); ++k)
        if (it[k] != in_t) throw Unsupported("operand dtypes differ");
      if (*m == Macro::Where && it[0] != DType::Bool) throw Unsupported("where needs a bool condition");
      if (*m != Macro::Cast && result_dtype(*m, in_t) != vt[v]) throw Unsupported("result dtype");
      if (out_of[v] >= 0) {
        val[v] = results.ts[out_of[v]].regs;
      } else {
        held[v] = std::make_unique<mc::Scratch>(mc::scratch_value(b, vt[v]));
        val[v] = held[v]->val;
      }
      mc::emit_macro_imm(b, *m, in_t, vt[v], val[v], in, imm);
      bounds.push_back(uint32_t(b.size()));
      second.reset();
      for (int a : s.args)
        if (last[a] == int(j)) held[a].reset();
      if (last[v] < 0) held[v].reset();  // stored, or (never) dead
    }
  } catch (const std::invalid_argument& e) {
    throw Unsupported(e.what());
  } catch (const std::runtime_error& e) {
    if (out_of_registers(e)) throw Unsupported(e.what());
    throw;
  }
  std::vector<uint32_t> kept;
  const std::vector<MicroOp> stream = mc::fold_known(b.ops(), M.geometry().partitions, scratch, &kept);

  // Execute: the operand moves, then each step's share of the stream (costed per step).
  std::vector<Metrics> cost(p.steps.size());
  for (size_t i = 0; i < ni; ++i)
    if (ops[i].src) {
      const Metrics before = M.metrics();
      move_elements(*ops[i].src, ops[i].idx, ops[i].t, {});
      cost[ops[i].first_step] += M.metrics() - before;
    }
  size_t at = 0;
  for (size_t j = 0; j < p.steps.size(); ++j) {
    const size_t from = at;
    while (at < stream.size() && kept[at] < bounds[j]) ++at;
    cost[j] += M.execute(std::vector<MicroOp>(stream.begin() + long(from), stream.begin() + long(at)));
    charge(reads[j]);
  }
  if (record_steps)
    for (size_t j = 0; j < p.steps.size(); ++j) record(*p.steps[j].node, cost[j], reads[j], false);
  std::vector<Tensor> out = std::move(results.ts);
  results.ts.clear();
  return out;
}

}  // namespace ember::pim
