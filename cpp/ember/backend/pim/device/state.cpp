#include "state.h"

#include <algorithm>
#include <bit>
#include <unordered_map>

#include "ember/errors.h"
#include "ember/shape.h"

namespace ember::pim {

DeviceState& state() {
  static DeviceState s;
  return s;
}

Machine& machine() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  if (!s.machine) s.machine = std::make_unique<Machine>(Geometry{});
  return *s.machine;
}

namespace {
// Owns a tensor's registers; frees them when the last node using it dies.
struct Handle {
  Tensor t;
  Machine* m;
  Handle(const Tensor& t_, Machine* m_) : t(t_), m(m_) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    std::lock_guard lock(state().mu);
    if (t.n > 0 && state().machine.get() == m) m->free(t);
  }
};
}  // namespace

void configure(const Geometry& g) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  g.validate();
  s.machine = std::make_unique<Machine>(g);
  s.transfer = {};
}

void reset_metrics() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  machine().reset_metrics();
  s.transfer = {};
  s.profile.clear();
}

void charge(const Transfer& t) { state().transfer += t; }

DType to_pim(ember::DType t) {
  switch (t) {
    case ember::DType::Bool: return DType::Bool;
    case ember::DType::Int8: return DType::I8;
    case ember::DType::Int16: return DType::I16;
    case ember::DType::Int32: return DType::I32;
    case ember::DType::Int64: return DType::I64;
    case ember::DType::UInt8: return DType::U8;
    case ember::DType::UInt16: return DType::U16;
    case ember::DType::UInt32: return DType::U32;
    case ember::DType::UInt64: return DType::U64;
    case ember::DType::Float32: return DType::F32;
    case ember::DType::Float64: return DType::F64;
    default: throw Unsupported("dtype " + std::string(dtype_name(t)) + " has no pim microcode");
  }
}

DType to_pim_storage(ember::DType t) {
  switch (t) {
    case ember::DType::Float16: case ember::DType::BFloat16: return DType::U16;
    case ember::DType::Complex64: return DType::U64;
    default: return to_pim(t);
  }
}

const Tensor& tensor_of(const Node& n) {
  if (!n.data.buffer || !n.data.buffer->device)
    throw std::logic_error("pim: node '" + std::string(n.op) + "' holds no pim tensor");
  return static_cast<const Handle*>(n.data.buffer->device.get())->t;
}

void set_tensor(Node& n, const Tensor& t) {
  auto b = std::make_shared<Buffer>();
  b->device = std::make_shared<Handle>(t, &machine());
  b->nbytes = 0;
  n.data.buffer = std::move(b);
  n.data.offset = 0;
  n.data.strides = contiguous_strides(n.shape);
}

namespace {
template <class F>
Tensor checked(F&& f) {
  try {
    return f();
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("out of") != std::string::npos) throw PimMemoryError(e.what());
    throw;
  }
}
}  // namespace

// Registers kept free in a crossbar range for the microcode's scratch (float macros need ~13).
constexpr int kReserve = 14;

bool out_of_registers(const std::exception& e) {
  return std::string(e.what()).find("out of registers") != std::string::npos;
}

Tensor placement_for(uint64_t n, int reserve) {
  Tensor t = alloc(n, DType::Bool, 0, reserve);
  machine().free(t);
  return t;
}

Tensor alloc(uint64_t n, DType t, uint32_t epc, int reserve) {
  if (reserve < 0) reserve = dtype_bits(t) > 32 ? 24 : kReserve;
  Machine& m = machine();
  const Geometry& g = m.geometry();
  if (epc == 0 || epc > g.rows) epc = g.rows;
  const uint64_t nxb = (n + epc - 1) / epc;
  const int nregs = int((dtype_bits(t) + g.partitions - 1) / g.partitions);
  if (n == 0 || nxb > g.crossbars)
    throw PimMemoryError("pim: out of memory: " + std::to_string(n) + " elements need " + std::to_string(nxb) +
                         " crossbars of " + std::to_string(epc) + " rows; the machine has " +
                         std::to_string(g.crossbars));
  // First range with room for the tensor and the scratch reserve, else the emptiest range.
  int64_t best = -1;
  int best_free = -1;
  for (uint64_t c0 = 0; c0 + nxb <= g.crossbars; c0 += nxb) {
    uint64_t used = 0;
    for (uint64_t x = c0; x < c0 + nxb; ++x) used |= m.used_registers(uint32_t(x));
    const int free = int(g.regs()) - std::popcount(used);
    if (free >= nregs + reserve) { best = int64_t(c0); break; }
    if (free > best_free) best_free = free, best = int64_t(c0);
  }
  Tensor ref;
  ref.n = n, ref.dtype = t, ref.xb0 = uint32_t(best), ref.nxb = uint32_t(nxb);
  ref.rows_used = uint32_t(std::min<uint64_t>(n, epc));
  return checked([&] { return m.alloc_like(ref, t); });
}
Tensor alloc_like(const Tensor& ref, DType t) {
  return checked([&] { return machine().alloc_like(ref, t); });
}

namespace {
uint32_t xb_of(const Tensor& t, uint64_t i) { return t.xb0 + uint32_t(i / t.rows_used) * t.xstep; }
uint32_t row_of(const Tensor& t, uint64_t i) { return t.row0 + uint32_t(i % t.rows_used) * t.rstep; }
}  // namespace

Tensor gather(const Tensor& src, const std::vector<uint64_t>& idx, const Tensor& like) {
  Tensor out = alloc_like(like, src.dtype);
  move_elements(src, idx, out, {});
  return out;
}

void move_elements(const Tensor& src, const std::vector<uint64_t>& idx, const Tensor& out,
                   const std::vector<uint64_t>& dst_idx) {
  // Group element moves by (source row, destination row, crossbar distance); each group's
  // source crossbars are then split into arithmetic progressions, one crossbar mask each.
  struct Key {
    uint32_t srow, drow;
    int64_t d;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return (size_t(k.srow) * 1315423911u) ^ (size_t(k.drow) << 20) ^ size_t(k.d * 2654435761u);
    }
  };
  std::unordered_map<Key, std::vector<uint32_t>, KeyHash> groups;
  std::vector<Key> order;
  for (uint64_t i = 0; i < idx.size(); ++i) {
    const uint64_t di = dst_idx.empty() ? i : dst_idx[i];
    const uint32_t sx = xb_of(src, idx[i]), dx = xb_of(out, di);
    Key k{row_of(src, idx[i]), row_of(out, di), int64_t(dx) - int64_t(sx)};
    auto [it, fresh] = groups.try_emplace(k);
    if (fresh) order.push_back(k);
    it->second.push_back(sx);
  }
  std::vector<MicroOp> ops;
  uint32_t last[3] = {~0u, ~0u, ~0u};  // the crossbar mask in force: set it only when it changes
  for (const Key& k : order) {
    auto& xs = groups[k];
    std::sort(xs.begin(), xs.end());
    size_t a = 0;
    while (a < xs.size()) {
      size_t b = a + 1;
      const uint32_t step = b < xs.size() ? xs[b] - xs[a] : 1;
      while (b < xs.size() && xs[b] - xs[b - 1] == step) ++b;
      const uint32_t mask[3] = {xs[a], xs[b - 1], b - a > 1 ? step : 1};
      if (!std::equal(mask, mask + 3, last)) {
        ops.push_back(mask_crossbars(mask[0], mask[1], mask[2]));
        std::copy(mask, mask + 3, last);
      }
      for (uint32_t j = 0; j < src.regs.nregs; ++j)
        ops.push_back(move_op(k.srow, src.regs.r[j], k.drow, out.regs.r[j], int64_t(xs[a]) + k.d));
      a = b;
    }
  }
  machine().execute(ops);
}

void run(Macro m, const Tensor& out, const std::vector<Tensor>& in) {
  try {
    machine().run(m, out, in);
  } catch (const std::invalid_argument& e) {
    throw Unsupported(e.what());
  } catch (const std::runtime_error& e) {
    if (out_of_registers(e)) throw Unsupported(e.what());
    throw;
  }
}

void fill(const Tensor& t, uint64_t bits) {
  const uint32_t P = machine().geometry().partitions;
  const uint64_t wmask = P == 64 ? ~uint64_t(0) : (uint64_t(1) << P) - 1;
  std::vector<MicroOp> ops;
  ops.push_back(mask_crossbars(t.xb0, t.xb0 + t.span() - 1, t.xstep));
  ops.push_back(mask_rows(t.row0, t.row0 + (t.rows_used - 1) * t.rstep, t.rstep));
  for (uint32_t j = 0; j < t.regs.nregs; ++j) {
    uint64_t w = (bits >> (j * P)) & wmask;
    if (t.regs.width < (j + 1) * P && t.regs.width > j * P) w &= (uint64_t(1) << (t.regs.width - j * P)) - 1;
    ops.push_back(write_op(t.regs.r[j], w));
  }
  machine().execute(ops);
}

}  // namespace ember::pim
