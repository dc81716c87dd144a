#include "machine.h"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ember::pim {

Machine::Machine(const Geometry& g) : sim_(g) {
  if (g.regs() > 64) throw std::invalid_argument("pim machine: at most 64 registers per row");
  used_.assign(g.crossbars, 0);
}

std::vector<uint16_t> Machine::free_registers(uint32_t xb0, uint32_t nxb) const {
  uint64_t u = 0;
  for (uint32_t x = xb0; x < xb0 + nxb; ++x) u |= used_[x];
  std::vector<uint16_t> f;
  for (int r = int(geometry().regs()) - 1; r >= 0; --r)
    if (!((u >> r) & 1)) f.push_back(uint16_t(r));
  return f;  // lowest register last (handed out first)
}

Tensor Machine::alloc(uint64_t n, DType t, uint32_t epc) {
  const Geometry& g = geometry();
  if (n == 0) throw std::invalid_argument("pim: cannot allocate an empty tensor");
  if (epc == 0 || epc > g.rows) epc = g.rows;
  const uint64_t nxb = (n + epc - 1) / epc;
  if (nxb > g.crossbars)
    throw std::runtime_error("pim: out of memory: " + std::to_string(n) +
                             " elements need " + std::to_string(nxb) + " crossbars, the machine has " +
                             std::to_string(g.crossbars));
  const uint32_t nregs = (dtype_bits(t) + g.partitions - 1) / g.partitions;
  for (uint64_t c0 = 0; c0 + nxb <= g.crossbars; c0 += nxb) {
    auto f = free_registers(uint32_t(c0), uint32_t(nxb));
    if (f.size() < nregs) continue;
    Tensor T;
    T.n = n, T.dtype = t, T.xb0 = uint32_t(c0), T.nxb = uint32_t(nxb);
    T.rows_used = uint32_t(std::min<uint64_t>(n, epc));
    T.regs.nregs = uint8_t(nregs);
    T.regs.width = uint16_t(dtype_bits(t));
    for (uint32_t i = 0; i < nregs; ++i) T.regs.r[i] = f[f.size() - 1 - i];
    for (uint32_t x = T.xb0; x < T.xb0 + T.nxb; ++x)
      for (uint32_t i = 0; i < nregs; ++i) used_[x] |= uint64_t(1) << T.regs.r[i];
    return T;
  }
  throw std::runtime_error("pim: out of memory: no crossbar range with " + std::to_string(nregs) +
                           " free register(s) for " + std::to_string(n) + " elements of " +
                           dtype_name(t));
}

Tensor Machine::alloc_like(const Tensor& ref, DType t) {
  const uint32_t nregs = (dtype_bits(t) + geometry().partitions - 1) / geometry().partitions;
  auto f = free_registers(ref.xb0, ref.span());
  if (f.size() < nregs)
    throw std::runtime_error("pim: out of registers: no " + std::to_string(nregs) +
                             " free register(s) left in crossbars " + std::to_string(ref.xb0) +
                             ".." + std::to_string(ref.xb0 + ref.nxb - 1));
  Tensor T = ref;
  T.dtype = t;
  T.regs = Val{};
  T.regs.nregs = uint8_t(nregs);
  T.regs.width = uint16_t(dtype_bits(t));
  for (uint32_t i = 0; i < nregs; ++i) T.regs.r[i] = f[f.size() - 1 - i];
  for (uint32_t x = T.xb0; x < T.xb0 + T.span(); ++x)
    for (uint32_t i = 0; i < nregs; ++i) used_[x] |= uint64_t(1) << T.regs.r[i];
  return T;
}

Tensor Machine::view(const Tensor& t, uint64_t start, uint64_t stop, uint64_t step) const {
  if (step == 0) throw std::invalid_argument("pim: slice step must be positive");
  if (!t.dense()) throw std::invalid_argument("pim: views of views are not supported");
  stop = std::min(stop, t.n);
  if (start >= stop) throw std::invalid_argument("pim: empty slice");
  const uint64_t count = (stop - start + step - 1) / step, last = start + (count - 1) * step;
  const uint64_t R = t.rows_used;
  Tensor v = t;
  v.n = count;
  if (count == 1 || start / R == last / R) {  // one crossbar: a row progression
    v.xb0 = t.xb0 + uint32_t(start / R), v.nxb = 1, v.xstep = 1;
    v.row0 = uint32_t(start % R), v.rstep = count == 1 ? 1 : uint32_t(step);
    v.rows_used = uint32_t(count);
    return v;
  }
  if (step % R == 0) {  // one row per crossbar
    v.xb0 = t.xb0 + uint32_t(start / R), v.nxb = uint32_t(count), v.xstep = uint32_t(step / R);
    v.row0 = uint32_t(start % R), v.rstep = 1, v.rows_used = 1;
    return v;
  }
  if (R % step == 0 && start % R < step && last % R >= R - step) {  // same rows everywhere
    v.xb0 = t.xb0 + uint32_t(start / R), v.nxb = uint32_t(last / R - start / R + 1), v.xstep = 1;
    v.row0 = uint32_t(start % R), v.rstep = uint32_t(step), v.rows_used = uint32_t(R / step);
    return v;
  }
  throw std::invalid_argument("pim: slice [" + std::to_string(start) + ":" + std::to_string(stop) +
                              ":" + std::to_string(step) +
                              "] would need different row masks in different crossbars");
}

void Machine::free(const Tensor& t) {
  for (uint32_t x = t.xb0; x < t.xb0 + t.span(); ++x)
    for (uint32_t i = 0; i < t.regs.nregs; ++i) used_[x] &= ~(uint64_t(1) << t.regs.r[i]);
}

void Machine::write(const Tensor& t, const void* host) {
  const Geometry& g = geometry();
  const uint32_t bytes = t.dtype == DType::Bool ? 1 : dtype_bits(t.dtype) / 8;
  const auto* p = static_cast<const uint8_t*>(host);
  const uint64_t wmask = g.partitions == 64 ? ~uint64_t(0) : (uint64_t(1) << g.partitions) - 1;
  for (uint64_t i = 0; i < t.n; ++i) {
    uint64_t v = 0;
    std::memcpy(&v, p + i * bytes, bytes);
    if (t.dtype == DType::Bool) v = v != 0;
    const uint32_t xb = t.xb0 + uint32_t(i / t.rows_used) * t.xstep,
                   row = t.row0 + uint32_t(i % t.rows_used) * t.rstep;
    for (uint32_t j = 0; j < t.regs.nregs; ++j) {
      uint64_t w = (v >> (j * g.partitions)) & wmask;
      const uint32_t lo = j * g.partitions;
      const uint32_t nb = std::min<uint32_t>(g.partitions, t.regs.width - lo);
      if (nb < g.partitions) {  // keep the unused partitions
        const uint64_t keep = ~((uint64_t(1) << nb) - 1) & wmask;
        w = (sim_.peek(xb, row, t.regs.r[j]) & keep) | (w & ~keep);
      }
      sim_.poke(xb, row, t.regs.r[j], w);
    }
  }
}

void Machine::read(const Tensor& t, void* host) {
  const Geometry& g = geometry();
  const uint32_t bytes = t.dtype == DType::Bool ? 1 : dtype_bits(t.dtype) / 8;
  auto* p = static_cast<uint8_t*>(host);
  for (uint64_t i = 0; i < t.n; ++i) {
    const uint32_t xb = t.xb0 + uint32_t(i / t.rows_used) * t.xstep,
                   row = t.row0 + uint32_t(i % t.rows_used) * t.rstep;
    uint64_t v = 0;
    for (uint32_t j = 0; j < t.regs.nregs; ++j)
      v |= sim_.peek(xb, row, t.regs.r[j]) << (j * g.partitions);
    if (t.regs.width < 64) v &= (uint64_t(1) << t.regs.width) - 1;
    std::memcpy(p + i * bytes, &v, bytes);
  }
}

std::vector<MicroOp> Machine::compile(Macro m, const Tensor& out, const std::vector<Tensor>& in) {
  std::vector<Val> vals;
  for (const auto& t : in) {
    if (!t.same_place(out))
      throw std::invalid_argument(std::string("pim: ") + macro_name(m) +
                                  ": operands must be placed like the output (use alloc_like)");
    vals.push_back(t.regs);
  }
  if (in.empty()) throw std::invalid_argument("pim: macro without operands");
  DType in_t = in[0].dtype;
  if (m == Macro::Where) {
    in_t = in[1].dtype;
    if (in[0].dtype != DType::Bool)
      throw std::invalid_argument("pim: where needs a bool condition, not " +
                                  std::string(dtype_name(in[0].dtype)));
  }
  for (size_t i = (m == Macro::Where ? 1 : 0); i < in.size(); ++i)
    if (in[i].dtype != in_t)
      throw std::invalid_argument(std::string("pim: ") + macro_name(m) + ": operand dtypes differ (" +
                                  dtype_name(in_t) + " and " + dtype_name(in[i].dtype) +
                                  "); cast first");
  const DType out_t = out.dtype;
  if (m != Macro::Cast && result_dtype(m, in_t) != out_t)
    throw std::invalid_argument(std::string("pim: ") + macro_name(m) + " on " + dtype_name(in_t) +
                                " gives " + dtype_name(result_dtype(m, in_t)) + ", not " +
                                dtype_name(out_t));
  Builder b(geometry().partitions, free_registers(out.xb0, out.span()));
  b.fast_float = float_mode == FloatMode::Fast;
  b.ops().push_back(mask_crossbars(out.xb0, out.xb0 + out.span() - 1, out.xstep));
  b.ops().push_back(mask_rows(out.row0, out.row0 + (out.rows_used - 1) * out.rstep, out.rstep));
  emit_macro(b, m, in_t, out_t, out.regs, vals);
  last_scratch_ = b.max_scratch();
  return std::move(b.ops());
}

Metrics Machine::execute(const std::vector<MicroOp>& ops) {
  const Metrics before = sim_.metrics();
  for (const auto& op : ops) sim_.execute(op);
  sim_.flush();
  if (keep_stream) last_ = ops;
  return sim_.metrics() - before;
}

Metrics Machine::run(Macro m, const Tensor& out, const std::vector<Tensor>& in) {
  return execute(compile(m, out, in));
}

}  // namespace ember::pim
