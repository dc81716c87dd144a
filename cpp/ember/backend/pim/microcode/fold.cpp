#include "fold.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace ember::pim::mc {

namespace {

enum : int8_t { K0 = 0, K1 = 1, KU = 2 };  // known 0, known 1, unknown

// Output partition k of a horizontal op and the partitions its inputs read for it.
struct Cols {
  uint32_t n;
  const MicroOp& op;
  uint32_t out(uint32_t k) const { return op.p_out + k * op.p_step; }
  uint32_t a(uint32_t k) const { return op.p_a + k * op.p_step; }
  uint32_t b(uint32_t k) const { return op.p_b + k * op.p_step; }
};
Cols cols(const MicroOp& op) { return Cols{uint32_t((op.p_end - op.p_out) / op.p_step + 1), op}; }

bool reads_a(const MicroOp& op) { return op.gate == Gate::Not || op.gate == Gate::Nor; }
bool reads_b(const MicroOp& op) { return op.gate == Gate::Nor; }

// Restricts a gate to its output columns kmin..kmax.
void shrink(MicroOp& op, uint32_t kmin, uint32_t kmax) {
  const uint32_t s = op.p_step;
  op.p_end = uint16_t(op.p_out + kmax * s);
  op.p_out = uint16_t(op.p_out + kmin * s);
  if (reads_a(op)) op.p_a = uint16_t(op.p_a + kmin * s);
  if (reads_b(op)) op.p_b = uint16_t(op.p_b + kmin * s);
}

}  // namespace

std::vector<MicroOp> fold_known(const std::vector<MicroOp>& ops, uint32_t P, uint64_t scratch,
                                std::vector<uint32_t>* kept) {
  if (P > 64) throw std::logic_error("pim fold: at most 64 partitions");
  // ---- forward: constant propagation (one state per register column, all rows alike) ----
  std::array<std::array<int8_t, 64>, 64> st;
  for (auto& r : st) r.fill(KU);
  std::vector<MicroOp> mid;
  std::vector<uint32_t> from;  // index in `ops` of each op of `mid`
  mid.reserve(ops.size());
  std::vector<int8_t> nv(64), ia(64), ib(64);  // per column: new state, input states
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const MicroOp& op0 = ops[i];
    if (op0.code == OpCode::Write) {  // a constant word in every selected row
      bool same = true;
      for (uint32_t p = 0; p < P; ++p) {
        const int8_t v = int8_t((op0.data >> p) & 1);
        same = same && st[op0.reg][p] == v;
        st[op0.reg][p] = v;
      }
      if (same) continue;
      mid.push_back(op0);
      from.push_back(i);
      continue;
    }
    if (op0.code != OpCode::LogicH) {
      if (op0.kind() != OpKind::Mask)  // masks change no data
        for (auto& r : st) r.fill(KU);
      mid.push_back(op0);
      from.push_back(i);
      continue;
    }
    MicroOp op = op0;
    const Cols c = cols(op);
    // Per output column: its new state, and whether the gate provably leaves it as it was.
    uint32_t kmin = c.n, kmax = 0;
    for (uint32_t k = 0; k < c.n; ++k) {
      const int8_t old = st[op.out][c.out(k)];
      int8_t v;
      bool same;
      if (op.gate == Gate::Init0 || op.gate == Gate::Init1) {
        v = op.gate == Gate::Init1 ? K1 : K0;
        same = v == old;
      } else {
        const int8_t a = st[op.in_a][c.a(k)], b = reads_b(op) ? st[op.in_b][c.b(k)] : int8_t(K0);
        ia[k] = a, ib[k] = b;
        if (a == K1 || b == K1) v = K0;
        else if (a == K0 && b == K0) v = old;
        else v = old == K0 ? K0 : KU;
        same = old == K0 || (a == K0 && b == K0);
      }
      nv[k] = v;
      if (!same) kmin = std::min(kmin, k), kmax = k;
    }
    if (kmin == c.n) continue;  // e.g. a NOT of a known 0, an INIT of a column known to hold it
    for (uint32_t k = 0; k < c.n; ++k) st[op.out][c.out(k)] = nv[k];
    // Shrink the gate to the columns it changes, then simplify it on them.
    shrink(op, kmin, kmax);
    bool all_known = true, a_zero = reads_a(op), b_zero = reads_b(op);
    int8_t uniform = nv[kmin];
    for (uint32_t k = kmin; k <= kmax; ++k) {
      all_known = all_known && nv[k] != KU;
      uniform = nv[k] == uniform ? uniform : int8_t(-1);
      if (reads_a(op)) a_zero = a_zero && ia[k] == K0;
      if (reads_b(op)) b_zero = b_zero && ib[k] == K0;
    }
    if (all_known && uniform >= 0) {
      op.gate = uniform == K1 ? Gate::Init1 : Gate::Init0;
      op.in_a = op.p_a = op.in_b = op.p_b = 0;
    } else if (op.gate == Gate::Nor && (a_zero || b_zero)) {
      if (a_zero) op.in_a = op.in_b, op.p_a = op.p_b;
      op.gate = Gate::Not;
      op.in_b = op.p_b = 0;
    }
    mid.push_back(op);
    from.push_back(i);
  }
  // ---- backward: drop gates whose results are dead ----
  std::array<std::array<bool, 64>, 64> live;
  for (uint32_t r = 0; r < 64; ++r) live[r].fill(!((scratch >> r) & 1));
  std::vector<bool> keep(mid.size(), true);
  for (size_t i = mid.size(); i-- > 0;) {
    MicroOp& op = mid[i];
    if (op.code == OpCode::Write) {
      bool any = false;
      for (uint32_t p = 0; p < P; ++p) any = any || live[op.reg][p], live[op.reg][p] = false;
      keep[i] = any;
      continue;
    }
    if (op.code != OpCode::LogicH) {
      if (op.kind() != OpKind::Mask)
        for (auto& r : live) r.fill(true);
      continue;
    }
    const Cols c = cols(op);
    bool any = false;
    for (uint32_t k = 0; k < c.n && !any; ++k) any = live[op.out][c.out(k)];
    if (!any) {
      keep[i] = false;
      continue;
    }
    // Reads happen before writes: kill the INIT-ed outputs first, then mark the inputs read for
    // the live outputs (a NOT / NOR also reads its own output, which stays live).
    std::array<bool, 64> out_live{};
    for (uint32_t k = 0; k < c.n; ++k) out_live[k] = live[op.out][c.out(k)];
    if (op.gate == Gate::Init0 || op.gate == Gate::Init1)
      for (uint32_t k = 0; k < c.n; ++k) live[op.out][c.out(k)] = false;
    uint32_t kmin = c.n, kmax = 0;
    for (uint32_t k = 0; k < c.n; ++k) {
      if (!out_live[k]) continue;
      kmin = std::min(kmin, k), kmax = k;
      if (reads_a(op)) live[op.in_a][c.a(k)] = true;
      if (reads_b(op)) live[op.in_b][c.b(k)] = true;
    }
    // The columns outside the live ones are never read: leave them out (less energy).
    shrink(op, kmin, kmax);
  }
  std::vector<MicroOp> out;
  out.reserve(mid.size());
  if (kept) kept->clear();
  for (size_t i = 0; i < mid.size(); ++i)
    if (keep[i]) {
      out.push_back(mid[i]);
      if (kept) kept->push_back(from[i]);
    }
  return out;
}

}  // namespace ember::pim::mc
