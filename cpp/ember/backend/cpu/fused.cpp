// Fused kernels on the cpu. The iteration space is simplified first (size-1 dimensions dropped,
// dimensions merged where every operand allows), then cut into blocks of kBlock elements in
// row-major order. Per block, every input is either read in place (contiguous), gathered (strided or
// broadcast) or was filled once (uniform: stride 0 everywhere), and every instruction runs over the
// block into a scratch register or straight into its output. Reductions fold each block into a
// partial; partials combine in block order, so results do not depend on the thread count.
#include "ember/backend/cpu/fused.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

#include "ember/backend/cpu/fused_fold.h"
#include "ember/backend/cpu/fused_gather.h"
#include "ember/backend/cpu/fused_ops.h"
#include "ember/backend/cpu/fused_scalar.h"
#include "ember/backend/cpu/simd_math.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/runtime/thread_pool.h"

namespace ember::cpu {
namespace {

bool is_fold(std::string_view op) { return op == "sum" || op == "prod" || op == "max" || op == "min"; }

// Reduced axes come after every kept axis of extent > 1, so each output is one contiguous range
// of the row-major iteration.
bool trailing_axes(const Shape& shape, const std::vector<int64_t>& axes) {
  bool seen_reduced = false;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (shape[d] == 1) continue;
    if (reduced) seen_reduced = true;
    else if (seen_reduced) return false;
  }
  return true;
}

// Reduced axes come before every kept axis of extent > 1 (sum(axis=0) of C-ordered data), and the
// kept part is wide enough for blocks of a useful length: each block of a kept row is accumulated
// over the reduced rows in order (NumPy's order for these sums).
bool leading_axes(const Shape& shape, const std::vector<int64_t>& axes) {
  bool seen_kept = false;
  int64_t kept = 1;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced) kept *= shape[d];
    if (shape[d] == 1) continue;
    if (!reduced) seen_kept = true;
    else if (seen_kept) return false;
  }
  return kept >= 512;
}

// ---- gathering a strided operand ----

// dst[0..len) = the operand's elements at row-major positions [start, start + len) of `dims`.
template <class T>
void gather_typed(const T* base, const Shape& dims, const Strides& st, int64_t start, int64_t len, T* dst) {
  int nd = static_cast<int>(dims.size());
  int64_t idx[64];
  int64_t off = 0, rem = start;
  for (int d = nd - 1; d > 0; --d) {  // (a division per dim: none for one dim)
    idx[d] = rem % dims[d];
    rem /= dims[d];
    off += idx[d] * st[d];
  }
  idx[0] = rem;
  off += rem * st[0];
  int64_t inner = dims[nd - 1], s = st[nd - 1];
  while (len > 0) {
    int64_t run = std::min(len, inner - idx[nd - 1]);
    const T* p = base + off;
    if (s == 1) std::memcpy(dst, p, static_cast<size_t>(run) * sizeof(T));
    else if (strided_copy(sizeof(T), p, s, run, dst)) {
    } else if (s == 0) std::fill(dst, dst + run, *p);
    else for (int64_t i = 0; i < run; ++i) dst[i] = p[i * s];
    dst += run;
    len -= run;
    off += run * s;
    idx[nd - 1] += run;
    for (int d = nd - 1; d > 0 && idx[d] == dims[d]; --d) {
      off -= idx[d] * st[d];
      idx[d] = 0;
      ++idx[d - 1];
      off += st[d - 1];
    }
  }
}

void gather(int item, const std::byte* base, const Shape& dims, const Strides& st, int64_t start, int64_t len, void* dst) {
  switch (item) {
    case 1: gather_typed(reinterpret_cast<const uint8_t*>(base), dims, st, start, len, static_cast<uint8_t*>(dst)); break;
    case 2: gather_typed(reinterpret_cast<const uint16_t*>(base), dims, st, start, len, static_cast<uint16_t*>(dst)); break;
    case 4: gather_typed(reinterpret_cast<const uint32_t*>(base), dims, st, start, len, static_cast<uint32_t*>(dst)); break;
    default: gather_typed(reinterpret_cast<const uint64_t*>(base), dims, st, start, len, static_cast<uint64_t*>(dst)); break;
  }
}

void fill(int item, const void* value, void* dst, int64_t n) {
  switch (item) {
    case 1: std::fill_n(static_cast<uint8_t*>(dst), n, *static_cast<const uint8_t*>(value)); break;
    case 2: std::fill_n(static_cast<uint16_t*>(dst), n, *static_cast<const uint16_t*>(value)); break;
    case 4: std::fill_n(static_cast<uint32_t*>(dst), n, *static_cast<const uint32_t*>(value)); break;
    default: std::fill_n(static_cast<uint64_t*>(dst), n, *static_cast<const uint64_t*>(value)); break;
  }
}

// ---- the prepared program ----

enum class Src : uint8_t { Direct, Gather, Uniform, Compute };

constexpr int64_t kSlotBytes = kBlock * 8;  // the widest fused dtype is 8 bytes
// Elements per step of a streaming (out-of-cache) elementwise kernel. Run a block at a time, a
// program's phases (instructions reading memory, then the one storing the output) each wait on one
// kind of traffic; steps this short fit the out-of-order window, which overlaps them.
// (Measured on this 2-core AMD EPYC, 2e7 doubles, same process: 2*a + 3*b 34 -> 24 ms at 256 and
// 20 ms at 128; 512 gains little; 64 loses again; transcendental programs do not change.)
constexpr int64_t kStreamStep = 128;
// The widest chunk of kept outputs a thread accumulates over the reduced rows of a leading-axes
// reduction (its accumulators, 128 KiB of doubles, stay in L2).
constexpr int64_t kLeadChunk = 16384;

// One register. Kept small and free of owning members (strides and load lists live in the
// Program): prepare() builds one per instruction on every evaluation of a new kernel, and a
// 128-byte Reg with two vectors cost a `rep stos` each, 40% of prepare on a 200-instruction chain.
struct Reg {
  const std::byte* base = nullptr;  // inputs
  std::byte* out = nullptr;         // stored registers: their output buffer (bound per run)
  InstrFn fn = nullptr;
  InstrFn general_fn = nullptr;  // fn before a per-run specialisation (pow by a constant 2)
  const Instr* instr = nullptr;
  int item = 8;
  int slot = -1;       // scratch slot (gathered, uniform and unstored computed values)
  int last_read = -1;  // the last instruction reading it (-1: none; the register count: after)
  int loads_begin = 0, loads_end = 0;  // computed: Program::loads[begin, end) are gathered inputs
                                       // first read here, loaded just before
  int step = -1;        // a scalar-operand instruction: its ScalarStep code
  int scalar_arg = -1;  // and which argument is the scalar
  int chain = -1;       // the last instruction of a chain: the chain's first register
  Src src = Src::Compute;
  bool uniform = false;
  bool stored = false;   // materialized into its node (an output of the kernel)
  bool chained = false;  // computed by a later instruction's chain, never on its own
};

struct Program {
  Shape dims;
  int kept = 0;          // how many simplified dims the reduction keeps
  bool leading = false;  // reduced dims come first (else last)
  std::vector<Reg> regs;
  std::vector<Strides> strides;  // inputs' strides over the simplified dims
  std::vector<int> loads;        // see Reg::loads_begin
  int first_code = 0;
  int slots = 0;
  bool stream = false;  // outputs too large for the caches: non-temporal stores
  bool streamed = false;  // an input is read from memory in full (no axis broadcast)
  ChainFn chain_fn = nullptr;
  std::vector<int> tail_loads;  // gathered inputs only the reduction reads
};

// The kernel's loops walk the merged space (shape.h merge_dims).
void simplify(const Shape& shape, const std::vector<bool>& reduced, std::vector<Strides>& st, Program& p) {
  MergedSpace m = merge_dims(shape, reduced, st);
  p.kept = m.kept();
  p.leading = !m.reduced.empty() && m.reduced.front() && p.kept > 0;
  p.dims = std::move(m.dims);
  st = std::move(m.strides);
}

// Gives scratch slots to the registers that need one, reusing a slot once its value is dead, so a
// long chain works in a few cache-resident blocks. Gathered inputs load just before first use.
void assign_slots(Program& p, int result) {
  int nreg = static_cast<int>(p.regs.size());
  std::vector<int> last(nreg, -1);
  for (int r = p.first_code; r < nreg; ++r)
    for (int a : p.regs[r].instr->args) last[a] = r;
  if (result >= 0) last[result] = nreg;  // read after the program
  for (int r = 0; r < nreg; ++r) p.regs[r].last_read = last[r];
  std::vector<int> free_slots;
  auto take = [&] {
    if (free_slots.empty()) return p.slots++;
    int s = free_slots.back();
    free_slots.pop_back();
    return s;
  };
  for (int r = 0; r < nreg; ++r)
    if (p.regs[r].uniform) p.regs[r].slot = take();  // live for the whole chunk
  for (int r = p.first_code; r < nreg; ++r) {
    Reg& g = p.regs[r];
    g.loads_begin = static_cast<int>(p.loads.size());
    for (int a : g.instr->args) {
      Reg& in = p.regs[a];
      if (in.src == Src::Gather && in.slot < 0) {
        in.slot = take();
        p.loads.push_back(a);
      }
    }
    g.loads_end = static_cast<int>(p.loads.size());
    if (!g.uniform && !g.stored) g.slot = take();
    for (int a : g.instr->args) {
      if (last[a] != r || p.regs[a].uniform || p.regs[a].slot < 0) continue;
      if (std::count(free_slots.begin(), free_slots.end(), p.regs[a].slot) == 0) free_slots.push_back(p.regs[a].slot);
    }
    if (last[r] < 0 && g.slot >= 0) free_slots.push_back(g.slot);  // an unread, unstored value
  }
  if (result >= 0 && p.regs[result].src == Src::Gather && p.regs[result].slot < 0) {
    p.regs[result].slot = take();
    p.tail_loads.push_back(result);
  }
}

// Runs of scalar-operand instructions where each reads the one before, which nothing else reads
// and nobody stores, become one chain, computed by its last instruction (fused_scalar.h).
void link_chains(Program& p) {
  int nreg = static_cast<int>(p.regs.size());
  for (int r = p.first_code + 1; r < nreg; ++r) {
    Reg& g = p.regs[r];
    Reg& prev = p.regs[r - 1];
    if (g.step < 0 || prev.step < 0 || prev.stored || prev.last_read != r || g.item != prev.item) continue;
    if (g.instr->args[1 - g.scalar_arg] != r - 1) continue;
    int first = prev.chain >= 0 ? prev.chain : r - 1;
    if (r - first + 1 > kMaxChain) continue;
    if (!p.chain_fn) p.chain_fn = scalar_chain(g.instr->node->dtype);
    if (!p.chain_fn) continue;
    prev.chained = true;
    prev.chain = -1;
    g.chain = first;
  }
}

struct Scratch {
  std::vector<std::byte> bytes;
  std::byte* get(size_t n) {
    if (bytes.size() < n + 64) bytes.resize(n + 64);
    auto addr = reinterpret_cast<uintptr_t>(bytes.data());
    return bytes.data() + ((64 - addr % 64) % 64);
  }
};
thread_local Scratch t_scratch;

void load(const Program& p, int r, std::byte* scratch, int64_t start, int64_t len, std::vector<const void*>& ptrs) {
  const Reg& g = p.regs[r];
  const Strides& st = p.strides[r];
  const int nd = static_cast<int>(p.dims.size());
  if (st[nd - 1] == 1) {  // contiguous rows (b[None, :]): read in place when [start, +len) is in one
    int64_t off = 0, rem = start, col = 0;
    for (int d = nd - 1; d >= 0; --d) {
      int64_t i = rem % p.dims[d];
      rem /= p.dims[d];
      off += i * st[d];
      if (d == nd - 1) col = i;
    }
    if (col + len <= p.dims[nd - 1]) {
      ptrs[r] = g.base + off * g.item;
      return;
    }
  }
  std::byte* slot = scratch + g.slot * kSlotBytes;
  gather(g.item, g.base, p.dims, p.strides[r], start, len, slot);
  ptrs[r] = slot;
}

// Sets g_stream_stores for one call, and clears it however the call ends.
struct StreamStores {
  StreamStores() { g_stream_stores = true; }
  ~StreamStores() { g_stream_stores = false; }
};

// Computes register r into dst: its instruction, or the chain it ends. The chain's members are
// never computed on their own, and the chain's input is read through the first member's args.
void run_instr(const Program& p, int r, const void* const* args, void* dst, int64_t len,
               const std::vector<const void*>& ptrs) {
  const Reg& g = p.regs[r];
  if (g.chain < 0) return g.fn(args, dst, len, *g.instr->node);
  ScalarStep steps[kMaxChain];
  const bool f64 = g.item == 8;
  for (int j = g.chain; j <= r; ++j) {
    const Reg& m = p.regs[j];
    const void* c = ptrs[m.instr->args[m.scalar_arg]];
    steps[j - g.chain] = {m.step, f64 ? *static_cast<const double*>(c) : *static_cast<const float*>(c)};
  }
  const Reg& head = p.regs[g.chain];
  p.chain_fn(steps, r - g.chain + 1, ptrs[head.instr->args[1 - head.scalar_arg]], dst, len);
}

// Runs the program over [start, start + len) (len <= kBlock); ptrs[r] receive the registers.
// Uniform registers were computed beforehand.
void run_block(const Program& p, std::byte* scratch, int64_t start, int64_t len, std::vector<const void*>& ptrs,
               const Instr*& current) {
  const void* args[4];
  for (int r = 0; r < p.first_code; ++r)
    if (p.regs[r].src == Src::Direct) ptrs[r] = p.regs[r].base + start * p.regs[r].item;
  for (size_t r = p.first_code; r < p.regs.size(); ++r) {
    const Reg& g = p.regs[r];
    if (g.uniform) continue;
    for (int l = g.loads_begin; l < g.loads_end; ++l) load(p, p.loads[l], scratch, start, len, ptrs);
    if (g.chained) continue;
    void* dst = g.out ? static_cast<void*>(g.out + start * g.item) : static_cast<void*>(scratch + g.slot * kSlotBytes);
    for (size_t a = 0; a < g.instr->args.size(); ++a) args[a] = ptrs[g.instr->args[a]];
    current = g.instr;
    // Large outputs that no later instruction reads go around the cache. (The flag is a
    // thread_local of a shared library, so it is only touched around the calls that use it.)
    if (g.out && p.stream && g.last_read < 0) {
      StreamStores on;
      run_instr(p, static_cast<int>(r), args, dst, len, ptrs);
    } else {
      run_instr(p, static_cast<int>(r), args, dst, len, ptrs);
    }
    ptrs[r] = dst;
  }
  for (int in : p.tail_loads) load(p, in, scratch, start, len, ptrs);
  // Uniform registers that are stored (a size-1 iteration space) fill their outputs.
  for (size_t r = p.first_code; r < p.regs.size(); ++r) {
    const Reg& g = p.regs[r];
    if (g.out && g.uniform) fill(g.item, ptrs[r], g.out + start * g.item, len);
  }
}

// Computes the uniform registers once per chunk (`width` copies each, so readers can index any
// element of a block).
void run_uniform(const Program& p, std::byte* scratch, int64_t width, std::vector<const void*>& ptrs,
                 const Instr*& current) {
  const void* args[4];
  for (size_t r = 0; r < p.regs.size(); ++r) {
    const Reg& g = p.regs[r];
    if (!g.uniform) continue;
    std::byte* slot = scratch + g.slot * kSlotBytes;
    if (g.src == Src::Uniform) {
      fill(g.item, g.base, slot, width);
    } else {
      for (size_t a = 0; a < g.instr->args.size(); ++a) args[a] = ptrs[g.instr->args[a]];
      current = g.instr;
      g.fn(args, slot, width, *g.instr->node);
    }
    ptrs[r] = slot;
  }
}

// An input whose buffer output register `r` may take over: read in place in the same order as
// the output is written (Direct), of the same item size, read last by `r`'s instruction or earlier
// (each block reads it before `r` overwrites that block), and held by nothing but this kernel's
// instructions, so nobody can read it afterwards. -1 if none.
int donor(const KernelDesc& k, const Program& p, int r, const std::vector<bool>& donated) {
  int nin = static_cast<int>(k.inputs.size());
  if (p.regs[r].uniform) return -1;
  for (int i = 0; i < nin; ++i) {
    const Node& in = *k.inputs[i];
    const Reg& g = p.regs[i];
    if (donated[i] || g.src != Src::Direct || g.item != p.regs[r].item || !in.data.buffer) continue;
    if (in.data.offset != 0 || in.data.buffer->readonly || in.data.buffer.use_count() != 1) continue;
    if (!in.data.buffer->own()) continue;  // never write over memory lent to us
    if (k.reduction && k.result == i) continue;
    long refs = 0, holders = 0;
    int last = -1;
    for (int c = 0; c < static_cast<int>(k.code.size()); ++c) {
      const Node& m = *k.code[c].node;
      for (size_t a = 0; a < m.inputs.size(); ++a)
        if (m.inputs[a].get() == &in) {
          ++refs;
          holders = m.inputs[a].use_count();
        }
      for (int a : k.code[c].args)
        if (a == i) last = nin + c;
    }
    if (refs == 0 || holders != refs || last > r) continue;
    return i;
  }
  return -1;
}

}  // namespace

bool can_fuse_elementwise(const Node& n) { return find_instr(n) != nullptr; }

bool can_fuse_reduction(const Node& n) {
  if (n.device != DeviceType::CPU || n.kind != Kind::Reduction || !is_fold(n.op) || n.inputs.size() != 1) return false;
  if (!fused_dtype(n.dtype) || n.inputs[0]->dtype != n.dtype || n.params.scalars.size() > 1) return false;
  return trailing_axes(n.inputs[0]->shape, n.params.axes) || leading_axes(n.inputs[0]->shape, n.params.axes);
}

// out[r] = x[r*L] + ... + x[r*L + L-1], added in order, for float32/float64 (by item size).
bool sum_short_rows(const std::byte* x, int64_t rows, int64_t L, std::byte* out, int item) {
  auto go = [&](auto tag) {
    using T = decltype(tag);
    const T* px = reinterpret_cast<const T*>(x);
    T* po = reinterpret_cast<T*>(out);
    for (int64_t r = 0; r < rows; ++r) {
      T acc = T(0);  // from +0.0, as NumPy's: a row of -0.0 sums to +0.0
      for (int64_t i = 0; i < L; ++i) acc += px[r * L + i];
      po[r] = acc;
    }
  };
  if (item == 8) go(double{});
  else if (item == 4) go(float{});
  else return false;
  return true;
}

// The part of a fused kernel's set-up that depends only on shapes, dtypes and input strides: kept in
// KernelDesc::prepared, so a compiled Program's later runs only bind their buffers.
struct Prepared {
  Program p;
  std::vector<Strides> input_strides;  // what `p` was worked out for
  std::vector<int> pow_regs;           // pow instructions whose exponent may be a constant 2
  folds::Fold fold;
  int64_t total = 0, width = 0, L = 1, nout = 1;
  int ritem = 8;
};

std::shared_ptr<Prepared> prepare(const KernelDesc& k) {
  auto prep = std::make_shared<Prepared>();
  Program& p = prep->p;
  int nin = static_cast<int>(k.inputs.size());
  p.regs.resize(k.reg_count());
  std::vector<bool> reduced(k.shape.size(), false);
  if (k.reduction)
    for (int64_t a : k.reduction->params.axes) reduced[a] = true;
  // Operand strides over the iteration space: inputs broadcast, outputs row-major.
  std::vector<Strides> st;
  for (int r = 0; r < nin; ++r) {
    const Node& in = *k.inputs[r];
    prep->input_strides.push_back(in.data.strides);
    st.push_back(broadcast_strides(in.shape, in.data.strides, k.shape));
  }
  st.push_back(contiguous_strides(k.shape));
  simplify(k.shape, reduced, st, p);
  Strides contig = contiguous_strides(p.dims);
  for (int r = 0; r < nin; ++r) {
    Reg& g = p.regs[r];
    g.item = itemsize(k.inputs[r]->dtype);
    bool zero = std::all_of(st[r].begin(), st[r].end(), [](int64_t s) { return s == 0; });
    g.uniform = zero;
    g.src = zero ? Src::Uniform : st[r] == contig ? Src::Direct : Src::Gather;
  }
  st.pop_back();  // the output's
  for (int r = 0; r < nin; ++r) {
    const Reg& g = p.regs[r];
    if (!g.uniform && std::find(st[r].begin(), st[r].end(), 0) == st[r].end()) p.streamed = true;
  }
  p.strides = std::move(st);
  for (int i = 0; i < static_cast<int>(k.code.size()); ++i) {
    Reg& g = p.regs[nin + i];
    const Instr& ins = k.code[i];
    g.src = Src::Compute;
    g.instr = &ins;
    g.fn = g.general_fn = find_instr(*ins.node);
    if (!g.fn) throw std::logic_error("fused kernel: no instruction for " + std::string(ins.node->op));
    g.item = itemsize(ins.node->dtype);
    g.uniform = std::all_of(ins.args.begin(), ins.args.end(), [&](int a) { return p.regs[a].uniform; });
    if (!g.uniform && ins.args.size() == 2 && p.regs[ins.args[0]].uniform != p.regs[ins.args[1]].uniform) {
      // One operand is the same value everywhere: read it once rather than its block-wide copy.
      int side = p.regs[ins.args[0]].uniform ? 0 : 1;
      if (InstrFn s = scalar_instr(*ins.node, side, &g.step)) {
        g.fn = g.general_fn = s;
        g.scalar_arg = side;
      }
    }
    if (ins.node->op == "pow" && is_floating(ins.node->dtype)) prep->pow_regs.push_back(nin + i);
  }
  for (int r : k.outputs) p.regs[r].stored = true;
  p.first_code = nin;
  assign_slots(p, k.reduction ? k.result : -1);
  link_chains(p);

  prep->total = shape_size(p.dims);
  p.stream = prep->total * 8 >= (int64_t{16} << 20);  // well past this machine's caches
  prep->width = std::min(prep->total, kBlock);
  for (int d = 0; d < static_cast<int>(p.dims.size()); ++d) {
    bool kept_dim = p.leading ? d >= static_cast<int>(p.dims.size()) - p.kept : d < p.kept;
    (kept_dim ? prep->nout : prep->L) *= p.dims[d];
  }
  if (k.reduction) {
    prep->fold = folds::find_fold(k.reduction->op, k.reduction->dtype);
    if (FoldFn simd = simd_fold(k.reduction->op, k.reduction->dtype)) prep->fold.fold = simd;
    if (!prep->fold.fold) throw std::logic_error("fused kernel: no reduction " + std::string(k.reduction->op));
    prep->ritem = itemsize(k.reduction->dtype);
  }
  return prep;
}

// The kept set-up, if the inputs still have the strides it was made for.
Prepared& prepared_for(const KernelDesc& k) {
  auto* prep = static_cast<Prepared*>(k.prepared.get());
  bool valid = prep && prep->input_strides.size() == k.inputs.size();
  for (size_t i = 0; valid && i < k.inputs.size(); ++i) valid = prep->input_strides[i] == k.inputs[i]->data.strides;
  if (!valid) {
    auto fresh = prepare(k);
    prep = fresh.get();
    k.prepared = std::move(fresh);
  }
  return *prep;
}

// Points the prepared program at this run's buffers: inputs, outputs (new, or an input that dies
// here), and the specialisations that depend on values.
void bind(const KernelDesc& k, Prepared& prep) {
  Program& p = prep.p;
  int nin = static_cast<int>(k.inputs.size());
  for (int r = 0; r < nin; ++r) p.regs[r].base = k.inputs[r]->data.byte_ptr(p.regs[r].item);
  // x ** 2.0 with a constant exponent is x * x, rounded once: the same value pow gives.
  // (NumPy takes the same shortcut for x ** 2.)
  for (int r : prep.pow_regs) {
    Reg& g = p.regs[r];
    const Node& node = *g.instr->node;
    const Reg& e = p.regs[g.instr->args[1]];
    double v = 0;
    if (e.src == Src::Uniform)
      v = node.dtype == DType::Float64 ? *reinterpret_cast<const double*>(e.base) : *reinterpret_cast<const float*>(e.base);
    else if (e.instr && e.instr->node->op == "full" && e.instr->args.empty())
      v = e.instr->node->params.scalars.at(0).as<double>();
    g.fn = v == 2.0 ? square_instr(node.dtype) : g.general_fn;  // square reads args[0] only
  }
  std::vector<bool> donated(nin, false);
  for (int r : k.outputs) {
    Node& n = *k.reg_node(r);
    int from = donor(k, p, r, donated);
    if (from >= 0) {  // the input dies with this kernel: write over it
      donated[from] = true;
      n.data.buffer = k.inputs[from]->data.buffer;
      n.data.offset = 0;
      n.data.strides = contiguous_strides(n.shape);
    } else {
      alloc_output(n);
    }
    p.regs[r].out = n.data.byte_ptr(p.regs[r].item);
  }
}

void run_fused(const KernelDesc& k, Node*& failed) {
  Prepared& prep = prepared_for(k);
  bind(k, prep);
  const Program& p = prep.p;
  const int nreg = k.reg_count();
  const int64_t total = prep.total, width = prep.width, L = prep.L, nout = prep.nout;
  const int ritem = prep.ritem;
  const folds::Fold& fold = prep.fold;
  std::byte* rout = nullptr;
  if (k.reduction) {
    alloc_output(*k.reduction);
    rout = k.reduction->data.byte_ptr(ritem);
    if (total == 0) {  // empty reduction: every output is the starting value
      for (int64_t j = 0, e = k.reduction->size(); j < e; ++j) fold.init(*k.reduction, rout + j * ritem);
      return;
    }
  }
  if (total == 0) return;

  size_t scratch_bytes = static_cast<size_t>(std::max(p.slots, 1)) * kSlotBytes;
  std::atomic<Node*> first_failed{nullptr};
  auto guarded = [&](auto&& body) {
    const Instr* current = nullptr;
    try {
      body(current);
    } catch (...) {
      Node* expected = nullptr;
      first_failed.compare_exchange_strong(expected, current ? current->node : k.reduction);
      throw;
    }
  };
  struct Report {  // hands the failing node to the caller however the kernel is left
    std::atomic<Node*>& from;
    Node*& to;
    ~Report() {
      if (Node* n = from.load()) to = n;
    }
  } report{first_failed, failed};

  if (!k.reduction) {
    int64_t nblocks = (total + kBlock - 1) / kBlock;
    runtime::parallel_for(nblocks, 8, [&](int64_t b0, int64_t b1) {
      guarded([&](const Instr*& current) {
        std::byte* scratch = t_scratch.get(scratch_bytes);
        std::vector<const void*> ptrs(nreg);
        run_uniform(p, scratch, width, ptrs, current);
        // Streaming kernels go through each block in short steps, so that the reads of one step's
        // first instructions overlap the stores of the previous step's last one in the core's window.
        // Kernels whose inputs all broadcast (a[:, None] - b[None, :]) read from the caches: short
        // steps would only multiply the per-step costs (gathers, calls; 40% of such a kernel).
        // Their steps also end where rows end, so that contiguous rows are read in place (load).
        const int64_t step = p.stream && p.streamed ? kStreamStep : kBlock;
        const int64_t row = p.streamed || p.dims.empty() ? total : p.dims.back();
        for (int64_t s = b0 * kBlock, e = std::min(b1 * kBlock, total), n; s < e; s += n) {
          n = std::min({step, e - s, row - s % row});
          run_block(p, scratch, s, n, ptrs, current);
        }
        flush_streams();
      });
    });
    return;
  }

  int res = k.result;
  if (p.leading) {
    // Reduced rows outermost: each block of the kept part starts at the initial value and takes
    // every reduced row in order. Outputs are independent, so blocks go to threads freely.
    // Threads take wide chunks of the kept part (up to kLeadChunk outputs), walked a block at a
    // time along each reduced row: long contiguous runs per row keep the hardware prefetcher
    // streaming (chunks of one block, 16 KiB per row, were read at half the speed).
    // A multiple of the thread count of chunks, so the shares are even; the chunking does not
    // change any output's order of accumulation, so results do not depend on it.
    const int64_t threads = runtime::num_threads();
    const int64_t rounds = (nout + threads * kLeadChunk - 1) / (threads * kLeadChunk);
    const int64_t share = (nout + threads * rounds - 1) / (threads * rounds);
    const int64_t cw = std::max<int64_t>(512, (share + 63) / 64 * 64);
    int64_t nchunks = (nout + cw - 1) / cw;
    runtime::parallel_for(nchunks, 1, [&](int64_t c0, int64_t c1) {
      guarded([&](const Instr*& current) {
        std::byte* scratch = t_scratch.get(scratch_bytes);
        std::vector<const void*> ptrs(nreg);
        run_uniform(p, scratch, width, ptrs, current);
        for (int64_t c = c0; c < c1; ++c) {
          int64_t j0 = c * cw, len = std::min(cw, nout - j0);
          std::byte* o = rout + j0 * ritem;
          for (int64_t j = 0; j < len; ++j) fold.init(*k.reduction, o + j * ritem);
          for (int64_t i = 0; i < L; ++i) {
            for (int64_t j = 0; j < len; j += kBlock) {
              int64_t n = std::min(kBlock, len - j);
              run_block(p, scratch, i * nout + j0 + j, n, ptrs, current);
              fold.accumulate(o + j * ritem, ptrs[res], n);
            }
          }
        }
        flush_streams();
      });
    });
    return;
  }
  // Reductions. Long rows: each row splits into blocks, each block gives a partial. Short rows:
  // a block covers whole rows, each folded at once.
  if (L >= kBlock) {
    int64_t nb = (L + kBlock - 1) / kBlock;
    std::vector<std::byte> partial(static_cast<size_t>(nout * nb * ritem));
    runtime::parallel_for(nout * nb, 4, [&](int64_t w0, int64_t w1) {
      guarded([&](const Instr*& current) {
        std::byte* scratch = t_scratch.get(scratch_bytes);
        std::vector<const void*> ptrs(nreg);
        run_uniform(p, scratch, width, ptrs, current);
        for (int64_t w = w0; w < w1; ++w) {
          int64_t j = w / nb, b = w % nb;
          int64_t len = std::min(kBlock, L - b * kBlock);
          run_block(p, scratch, j * L + b * kBlock, len, ptrs, current);
          fold.fold(ptrs[res], len, partial.data() + w * ritem);
        }
        flush_streams();
      });
    });
    // Combine each row's partials pairwise, in block order.
    for (int64_t j = 0; j < nout; ++j) {
      std::byte* part = partial.data() + j * nb * ritem;
      for (int64_t width = 1; width < nb; width *= 2)
        for (int64_t i = 0; i + width < nb; i += 2 * width) fold.combine(part + i * ritem, part + (i + width) * ritem);
      std::byte* o = rout + j * ritem;
      fold.init(*k.reduction, o);
      fold.combine(o, part);
    }
    return;
  }
  int64_t rows = std::max<int64_t>(1, kBlock / L);
  int64_t nwork = (nout + rows - 1) / rows;
  // Float sums of rows shorter than NumPy's pairwise block add up in order: a plain loop per row,
  // without a fold call per row (sum(axis=-1) of (n, k, 2) distances).
  const bool short_sum = L < 8 && k.reduction->op == "sum" && p.regs[res].item == ritem &&
                         (k.reduction->dtype == DType::Float64 || k.reduction->dtype == DType::Float32) &&
                         k.reg_node(res)->dtype == k.reduction->dtype;
  runtime::parallel_for(nwork, std::max<int64_t>(1, 8 / std::max<int64_t>(1, rows)), [&](int64_t w0, int64_t w1) {
    guarded([&](const Instr*& current) {
      std::byte* scratch = t_scratch.get(scratch_bytes);
      std::vector<const void*> ptrs(nreg);
      run_uniform(p, scratch, width, ptrs, current);
      for (int64_t w = w0; w < w1; ++w) {
        int64_t j0 = w * rows, nr = std::min(rows, nout - j0);
        run_block(p, scratch, j0 * L, nr * L, ptrs, current);
        auto* x = static_cast<const std::byte*>(ptrs[res]);
        bool uni = p.regs[res].uniform;
        if (!uni && short_sum && sum_short_rows(x, nr, L, rout + j0 * ritem, ritem)) continue;
        for (int64_t r = 0; r < nr; ++r) {
          std::byte* o = rout + (j0 + r) * ritem;
          alignas(16) std::byte v[16];
          fold.fold(uni ? x : x + r * L * p.regs[res].item, L, v);
          fold.init(*k.reduction, o);
          fold.combine(o, v);
        }
      }
      flush_streams();
    });
  });
}

}  // namespace ember::cpu
