// The rows of A are cut into blocks of a fixed size (from the row length, never from the thread
// count). Per block: the products A x of its rows, the kernel's instructions over the block, and
// the block's A^T r and reduction partials, while the block is in L1. The partials of the blocks
// are added in block order, so results do not depend on how many threads ran the blocks.
#include "ember/backend/cpu/matvec_fused.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ember/backend/cpu/fused_ops.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/matvec_rows.h"
#include "ember/backend/cpu/simd_math.h"
#include "ember/runtime/hot_team.h"
#include "ember/runtime/thread_pool.h"

namespace ember::cpu {
namespace {

// Rows per block: the block of A (at most this many bytes) stays in L1 between the products and
// the accumulation; at most kMaxRows so the instructions' scratch stays small.
constexpr int64_t kBlockBytes = 24 * 1024;
constexpr int64_t kMaxRows = 256;
constexpr int64_t kMinRows = 16;
// From this many multiply-adds (m * k) a run splits its blocks over oneTBB's threads. Smaller runs
// with at least kHotMin units of work, counting a row's elementwise chain as kRowWork multiply-adds
// (about the logistic chain's cost), split over the hot team (runtime/hot_team.h), whose helpers are
// awake when a replayed program calls the kernel every few microseconds. Below that (about 3 us on
// one thread, measured on the 2-core machine), handing half to another thread gains nothing.
constexpr int64_t kParallelMin = int64_t{1} << 17;
constexpr int64_t kHotMin = int64_t{1} << 15;
constexpr int64_t kRowWork = 40;

int64_t block_rows(int64_t k, int item) {
  int64_t r = kBlockBytes / std::max<int64_t>(1, k * item);
  return std::clamp<int64_t>(r / kMinRows * kMinRows, kMinRows, kMaxRows);
}

// Where a register comes from: A @ x of the block, an input with a value per row (read in place at
// unit stride, else copied), one value for all rows, an instruction, or nothing (A and x).
enum class Src : uint8_t { Product, Row, Uniform, Compute, None };

// What does not change between runs of one KernelDesc (kept in KernelDesc::prepared): the
// instructions' functions and arguments, and which registers need a scratch slot.
struct Reg {
  Src src = Src::Compute;
  InstrFn fn = nullptr;
  std::vector<int> args;
  const Node* node = nullptr;
  int item = 8;
  int slot = -1;
};

struct Static {
  std::vector<Reg> regs;
  int slots = 0;
  FoldFn fold = nullptr;
};

// Per run: where the data is.
struct Bound {
  const std::byte* base = nullptr;  // Row / Uniform inputs: the first element
  int64_t stride = 0;               // Row: the element stride
  std::byte* out = nullptr;         // stored instructions: the node's buffer
};

struct Plan {
  std::vector<std::byte>& x;  // x, contiguous and zero-padded
  std::vector<Bound>& bound;
  const Static* st = nullptr;
  const KernelDesc* k = nullptr;
  DType t = DType::Float64;
  int item = 8;
  int64_t m = 0, kc = 0, kp = 0, rows = 0;
  const std::byte* a = nullptr;  // A's first element
  int64_t rs = 0, cs = 0;        // its strides
};

// Per thread: the scratch registers (uniform inputs filled once), the block of A when it is
// copied, and the register pointers.
struct Scratch {
  std::vector<std::byte> slots, block;
  std::vector<const void*> args;
  std::vector<const std::byte*> ptr;
};

std::shared_ptr<Static> make_static(const KernelDesc& k) {
  auto st = std::make_shared<Static>();
  const MatvecEnds& mv = k.matvec;
  const int first_code = static_cast<int>(k.inputs.size());
  st->regs.resize(k.reg_count());
  for (int r = 0; r < first_code; ++r) {
    Reg& g = st->regs[r];
    const Node& in = *k.inputs[r];
    g.node = &in;
    g.item = itemsize(in.dtype);
    g.src = r == mv.matrix || r == mv.vector ? Src::None  // read by the row loops only
            : r == mv.product                ? Src::Product
            : in.size() == 1                 ? Src::Uniform
                                             : Src::Row;
    g.slot = g.src == Src::None ? -1 : st->slots++;
  }
  for (int r = first_code; r < k.reg_count(); ++r) {
    Reg& g = st->regs[r];
    const Instr& ins = k.code[r - first_code];
    g.node = ins.node;
    g.item = itemsize(ins.node->dtype);
    g.args = ins.args;
    g.fn = find_instr(*ins.node);
    if (!g.fn) throw std::runtime_error("fused matvec kernel: no cpu instruction for " + std::string(ins.node->op));
    g.slot = st->slots++;
  }
  if (k.reduction) st->fold = simd_fold(k.reduction->op, k.reduction->dtype);
  return st;
}

template <class T>
void copy_strided(const std::byte* src, int64_t stride, int64_t n, std::byte* dst) {
  const T* s = reinterpret_cast<const T*>(src);
  T* d = reinterpret_cast<T*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = s[i * stride];
}

// dst[i] = src[i * stride] for i < n, elements of `item` bytes.
void copy_elements(int item, const std::byte* src, int64_t stride, int64_t n, std::byte* dst) {
  switch (item) {
    case 1: copy_strided<uint8_t>(src, stride, n, dst); break;
    case 2: copy_strided<uint16_t>(src, stride, n, dst); break;
    case 4: copy_strided<uint32_t>(src, stride, n, dst); break;
    default: copy_strided<uint64_t>(src, stride, n, dst); break;
  }
}

// The calling thread's buffers of a run (kept between runs: a replayed program calls this kernel
// once per iteration, and allocating them each time showed in profiles).
struct RunBuffers {
  std::vector<std::byte> x, partial, reds, folded;
  std::vector<Bound> bound;
};

[[gnu::noinline]] RunBuffers& run_buffers() {
  thread_local RunBuffers b;
  return b;
}

Plan bind_run(const KernelDesc& k, RunBuffers& rb) {
  if (!k.prepared) k.prepared = make_static(k);
  const MatvecEnds& mv = k.matvec;
  const Node& a = *k.inputs[mv.matrix];
  const Node& x = *k.inputs[mv.vector];
  Plan p{rb.x, rb.bound};
  p.st = static_cast<const Static*>(k.prepared.get());
  p.k = &k;
  p.t = a.dtype;
  p.item = itemsize(p.t);
  p.m = a.shape[0];
  p.kc = a.shape[1];
  p.kp = padded_cols(p.t, p.kc);
  p.rows = block_rows(p.kc, p.item);
  p.a = a.data.byte_ptr(p.item);
  p.rs = a.data.strides[0];
  p.cs = a.data.strides[1];
  p.x.assign(static_cast<size_t>((p.kp + row_slack(p.t)) * p.item), std::byte{0});
  copy_elements(p.item, x.data.byte_ptr(p.item), x.data.strides[0], p.kc, p.x.data());
  p.bound.assign(p.st->regs.size(), Bound{});
  for (size_t r = 0; r < p.bound.size(); ++r) {
    const Reg& g = p.st->regs[r];
    Bound& b = p.bound[r];
    if (g.src == Src::Row || g.src == Src::Uniform) {
      const Node& in = *k.inputs[r];
      b.base = in.data.byte_ptr(g.item);
      b.stride = g.src == Src::Row ? in.data.strides[0] : 0;
    }
  }
  for (int r : k.outputs) {
    Node& n = *k.reg_node(r);
    alloc_output(n);
    p.bound[r].out = n.data.byte_ptr(p.st->regs[r].item);
  }
  return p;
}

[[gnu::noinline]] Scratch& thread_scratch() {
  thread_local Scratch s;
  return s;
}

void init_scratch(const Plan& p, Scratch& s) {
  const int64_t slot_bytes = p.rows * 8;
  s.slots.resize(static_cast<size_t>(std::max(1, p.st->slots) * slot_bytes));
  s.ptr.assign(p.st->regs.size(), nullptr);
  for (size_t r = 0; r < p.st->regs.size(); ++r) {
    const Reg& g = p.st->regs[r];
    if (g.src != Src::Uniform) continue;
    std::byte* d = s.slots.data() + g.slot * slot_bytes;
    copy_elements(g.item, p.bound[r].base, 0, p.rows, d);
    s.ptr[r] = d;
  }
}

// Calls f(a, rs, rows) over the block's rows of A in order, each part contiguous by rows and
// readable row_slack elements past each row: in place where it can be, else copied.
template <class F>
void each_row_part(const Plan& p, Scratch& s, int64_t r0, int64_t n, F&& f) {
  const int64_t slack = row_slack(p.t);
  if (p.cs == 1 && p.rs >= p.kc) {
    // Rows before the matrix's last are followed by the next row; the last row is copied when
    // its own stride leaves too little room.
    const bool pad_last = r0 + n == p.m && p.rs - p.kc < slack;
    const int64_t inplace = pad_last ? n - 1 : n;
    if (inplace > 0) f(p.a + r0 * p.rs * p.item, p.rs, inplace);
    if (!pad_last) return;
    s.block.assign(static_cast<size_t>((p.kc + slack) * p.item), std::byte{0});
    std::memcpy(s.block.data(), p.a + (p.m - 1) * p.rs * p.item, static_cast<size_t>(p.kc * p.item));
    f(s.block.data(), p.kc, 1);
    return;
  }
  s.block.assign(static_cast<size_t>((n * p.kc + slack) * p.item), std::byte{0});
  for (int64_t i = 0; i < n; ++i)
    copy_elements(p.item, p.a + (r0 + i) * p.rs * p.item, p.cs, p.kc, s.block.data() + i * p.kc * p.item);
  f(s.block.data(), p.kc, n);
}

// Block b: rows [r0, r0 + n). Writes the block's A^T r (kp values) into g and its reduction into red.
void run_block(const Plan& p, Scratch& s, int64_t b, std::byte* g, std::byte* red) {
  const int64_t r0 = b * p.rows, n = std::min(p.rows, p.m - r0);
  const int64_t slot_bytes = p.rows * 8;
  auto slot = [&](int i) { return s.slots.data() + i * slot_bytes; };
  const std::vector<Reg>& regs = p.st->regs;
  for (size_t r = 0; r < regs.size(); ++r) {
    const Reg& reg = regs[r];
    const Bound& bd = p.bound[r];
    switch (reg.src) {
      case Src::Product: {
        std::byte* out = slot(reg.slot);
        each_row_part(p, s, r0, n, [&](const std::byte* a, int64_t rs, int64_t rows) {
          row_dots(p.t, a, rs, rows, p.kc, p.x.data(), out);
          out += rows * p.item;
        });
        s.ptr[r] = slot(reg.slot);
        break;
      }
      case Src::Row:
        if (bd.stride == 1) {
          s.ptr[r] = bd.base + r0 * reg.item;
        } else {
          copy_elements(reg.item, bd.base + r0 * bd.stride * reg.item, bd.stride, n, slot(reg.slot));
          s.ptr[r] = slot(reg.slot);
        }
        break;
      case Src::Compute: {
        s.args.clear();
        for (int arg : reg.args) s.args.push_back(s.ptr[arg]);
        std::byte* out = bd.out ? bd.out + r0 * reg.item : slot(reg.slot);
        reg.fn(s.args.data(), out, n, *reg.node);
        s.ptr[r] = out;
        break;
      }
      default: break;  // uniform (filled once), A and x
    }
  }
  std::memset(g, 0, static_cast<size_t>(p.kp * p.item));
  const std::byte* e = s.ptr[p.k->matvec.residual];
  each_row_part(p, s, r0, n, [&](const std::byte* a, int64_t rs, int64_t rows) {
    row_accumulate(p.t, a, rs, rows, p.kc, e, g);
    e += rows * p.item;
  });
  if (p.st->fold) p.st->fold(s.ptr[p.k->result], n, red);
}

}  // namespace

void run_matvec_fused(const KernelDesc& k, Node*& failed) {
  failed = nullptr;
  RunBuffers& rb = run_buffers();
  const Plan p = bind_run(k, rb);
  Node& out = *k.matvec.transposed;
  alloc_output(out);
  const int64_t nblocks = (p.m + p.rows - 1) / p.rows;  // >= 1: the pass asks m >= 1
  std::vector<std::byte>& partial = rb.partial;
  std::vector<std::byte>& reds = rb.reds;
  partial.resize(static_cast<size_t>(nblocks * p.kp * p.item));
  reds.resize(static_cast<size_t>(nblocks * 8));
  auto body = [&](int64_t b0, int64_t b1) {
    Scratch& s = thread_scratch();  // (one TLS lookup: in a shared library each costs a call)
    init_scratch(p, s);
    for (int64_t b = b0; b < b1; ++b) run_block(p, s, b, partial.data() + b * p.kp * p.item, reds.data() + b * 8);
  };
  const int64_t macs = p.m * p.kc;
  if (nblocks < 2 || p.m * (p.kc + kRowWork) < kHotMin) body(0, nblocks);
  else if (macs < kParallelMin) runtime::hot_for(nblocks, body);
  else if (runtime::num_threads() > 1) runtime::parallel_for(nblocks, 1, body);
  else body(0, nblocks);
  // The blocks' partials, added in block order.
  auto combine = [&](auto tag) {
    using T = decltype(tag);
    const T* part = reinterpret_cast<const T*>(partial.data());
    T* g = out.data.ptr<T>();
    for (int64_t j = 0; j < p.kc; ++j) {
      T acc = part[j];
      for (int64_t b = 1; b < nblocks; ++b) acc += part[b * p.kp + j];
      g[j * out.data.strides[0]] = acc;
    }
  };
  if (p.t == DType::Float64) combine(0.0);
  else combine(0.0f);
  if (k.reduction) {  // the blocks' partials folded in block order
    Node& r = *k.reduction;
    alloc_output(r);
    std::vector<std::byte>& v = rb.folded;
    v.resize(static_cast<size_t>(nblocks * p.item));
    for (int64_t b = 0; b < nblocks; ++b) std::memcpy(v.data() + b * p.item, reds.data() + b * 8, p.item);
    p.st->fold(v.data(), nblocks, r.data.byte_ptr(p.item));
  }
}

}  // namespace ember::cpu
