#include "builder.h"

#include <algorithm>
#include <memory>
#include <string>

namespace ember::pim {

Tmp Builder::tmp(uint32_t width) {
  if (width <= P_ / 2) {
    // pack into a register shared with other small scratch values
    const uint64_t run = width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
    for (auto& pk : packs_)
      for (uint32_t off = 0; off + width <= P_; ++off)
        if (!((pk.used >> off) & run)) {
          pk.used |= run << off;
          Val v;
          v.nregs = 1, v.r[0] = pk.reg, v.width = uint16_t(width), v.off = uint16_t(off);
          v.packed = true;
          return Tmp(this, v);
        }
    if (free_.empty())
      throw std::runtime_error(
          "pim: out of registers: the microcode needs 1 more scratch register and none are free "
          "in these crossbars");
    packs_.push_back(Pack{free_.back(), run});
    free_.pop_back();
    ++used_;
    max_used_ = std::max(max_used_, used_);
    Val v;
    v.nregs = 1, v.r[0] = packs_.back().reg, v.width = uint16_t(width), v.packed = true;
    return Tmp(this, v);
  }
  const uint32_t n = (width + P_ - 1) / P_;
  if (n > 8) throw std::logic_error("pim builder: value wider than 8 registers");
  if (free_.size() < n)
    throw std::runtime_error("pim: out of registers: the microcode needs " + std::to_string(n) +
                             " more scratch register(s) and none are free in these crossbars");
  Val v;
  v.nregs = uint8_t(n);
  v.width = uint16_t(width);
  for (uint32_t i = 0; i < n; ++i) {
    v.r[i] = free_.back();
    free_.pop_back();
  }
  used_ += n;
  max_used_ = std::max(max_used_, used_);
  return Tmp(this, v);
}

void Builder::release(const Val& v) {
  if (v.packed) {
    for (size_t i = 0; i < packs_.size(); ++i)
      if (packs_[i].reg == v.r[0]) {
        const uint64_t run = v.width >= 64 ? ~uint64_t(0) : (uint64_t(1) << v.width) - 1;
        packs_[i].used &= ~(run << v.off);
        if (!packs_[i].used) {
          free_.push_back(packs_[i].reg);
          packs_.erase(packs_.begin() + long(i));
          --used_;
        }
        return;
      }
    return;
  }
  for (int i = v.nregs - 1; i >= 0; --i) free_.push_back(v.r[i]);
  used_ -= v.nregs;
}

void Builder::emit3(Gate g, const Bits& o, const Bits* a, const Bits* b) {
  if ((a && a->len != o.len) || (b && b->len != o.len))
    throw std::logic_error("pim builder: operand length mismatch");
  const uint32_t o0 = o.v.off + o.lo, a0 = a ? a->v.off + a->lo : 0, b0 = b ? b->v.off + b->lo : 0;
  uint32_t i = 0;
  while (i < o.len) {
    const uint32_t ob = o0 + i;
    uint32_t seg = std::min<uint32_t>(o.len - i, P_ - ob % P_);
    if (a) seg = std::min<uint32_t>(seg, P_ - (a0 + i) % P_);
    if (b) seg = std::min<uint32_t>(seg, P_ - (b0 + i) % P_);
    const uint16_t out = o.v.r[ob / P_], po = uint16_t(ob % P_);
    uint16_t ra = 0, pa = 0, rb = 0, pb = 0;
    if (a) ra = a->v.r[(a0 + i) / P_], pa = uint16_t((a0 + i) % P_);
    if (b) rb = b->v.r[(b0 + i) / P_], pb = uint16_t((b0 + i) % P_);
    if (b && pa > pb) std::swap(ra, rb), std::swap(pa, pb);
    ops_.push_back(logic_h(g, ra, pa, rb, pb, out, po, uint16_t(po + seg - 1), 1));
    i += seg;
  }
}

namespace {
// Global bit position of bit i of a range, and whether two ranges touch a common register.
uint32_t gpos(const Bits& x) { return x.v.off + x.lo; }
bool shares_reg(const Bits& a, const Bits& b, uint32_t P) {
  for (uint32_t i = gpos(a) / P; i <= (gpos(a) + a.len - 1) / P; ++i)
    for (uint32_t j = gpos(b) / P; j <= (gpos(b) + b.len - 1) / P; ++j)
      if (a.v.r[i] == b.v.r[j]) return true;
  return false;
}
}  // namespace

bool Builder::chunked(const Bits& o, std::initializer_list<Bits> ins,
                      const std::function<void(const Bits&, const std::vector<Bits>&)>& fn) {
  // Element-wise composites on values wider than one register run one output register at a
  // time, so their scratch needs one register per temporary instead of one per register of the
  // value. Only when no input overlaps the output except at exactly the same bits (an input
  // shifted against the output must be read whole before the output is written).
  if (o.len == 0 || gpos(o) / P_ == (gpos(o) + o.len - 1) / P_) return false;
  for (const Bits& x : ins)
    if (x.len && shares_reg(x, o, P_) &&
        !(gpos(x) == gpos(o) && x.v.r == o.v.r && x.v.nregs == o.v.nregs))
      return false;
  uint32_t i = 0;
  std::vector<Bits> sub;
  while (i < o.len) {
    const uint32_t seg = std::min<uint32_t>(o.len - i, P_ - (gpos(o) + i) % P_);
    sub.clear();
    for (const Bits& x : ins) sub.push_back(x.len ? x.sub(i, seg) : x);
    fn(o.sub(i, seg), sub);
    i += seg;
  }
  return true;
}

void Builder::init(const Bits& o, bool one) { emit3(one ? Gate::Init1 : Gate::Init0, o, nullptr, nullptr); }
void Builder::g_not(const Bits& o, const Bits& a) { emit3(Gate::Not, o, &a, nullptr); }
void Builder::g_nor(const Bits& o, const Bits& a, const Bits& b) { emit3(Gate::Nor, o, &a, &b); }

void Builder::notc(const Bits& o, const Bits& a) {
  init(o, true);
  g_not(o, a);
}
void Builder::norc(const Bits& o, const Bits& a, const Bits& b) {
  init(o, true);
  g_nor(o, a, b);
}
void Builder::copy(const Bits& o, const Bits& a) {
  if (chunked(o, {a}, [&](const Bits& oc, const std::vector<Bits>& v) { copy(oc, v[0]); })) return;
  Tmp t = tmp(o.len);
  notc(t(), a);
  notc(o, t());
}
void Builder::orc(const Bits& o, const Bits& a, const Bits& b) {
  if (chunked(o, {a, b}, [&](const Bits& oc, const std::vector<Bits>& v) { orc(oc, v[0], v[1]); }))
    return;
  Tmp t = tmp(o.len);
  norc(t(), a, b);
  notc(o, t());
}
void Builder::andc(const Bits& o, const Bits& a, const Bits& b) {
  if (chunked(o, {a, b}, [&](const Bits& oc, const std::vector<Bits>& v) { andc(oc, v[0], v[1]); }))
    return;
  Tmp na = tmp(o.len), nb = tmp(o.len);
  notc(na(), a);
  notc(nb(), b);
  norc(o, na(), nb());
}
void Builder::xnorc(const Bits& o, const Bits& a, const Bits& b) {
  if (chunked(o, {a, b}, [&](const Bits& oc, const std::vector<Bits>& v) { xnorc(oc, v[0], v[1]); }))
    return;
  Tmp t = tmp(o.len), s1 = tmp(o.len), s2 = tmp(o.len);
  norc(t(), a, b);
  norc(s1(), a, t());  // ~a & b
  norc(s2(), b, t());  // a & ~b
  norc(o, s1(), s2());
}
void Builder::xorc(const Bits& o, const Bits& a, const Bits& b) {
  if (chunked(o, {a, b}, [&](const Bits& oc, const std::vector<Bits>& v) { xorc(oc, v[0], v[1]); }))
    return;
  Tmp t = tmp(o.len), s1 = tmp(o.len), s2 = tmp(o.len);
  norc(t(), a, b);
  norc(s1(), a, t());
  norc(s2(), b, t());
  norc(t(), s1(), s2());  // xnor
  notc(o, t());
}

void Builder::set_const(const Bits& o, uint64_t value) {
  if (o.len > 64) throw std::logic_error("pim builder: constant wider than 64 bits");
  // Initialise to the majority value, then fix the runs of the other value.
  int ones = 0;
  for (uint32_t i = 0; i < o.len; ++i) ones += (value >> i) & 1;
  const bool base = 2 * ones > int(o.len);
  init(o, base);
  uint32_t i = 0;
  while (i < o.len) {
    if (bool((value >> i) & 1) == base) {
      ++i;
      continue;
    }
    uint32_t j = i;
    while (j < o.len && bool((value >> j) & 1) != base) ++j;
    init(o.sub(i, j - i), !base);
    i = j;
  }
}

void Builder::bcast(const Bits& o, const Bits& no, const Bits& bit) {
  // Doubling in two complementary registers: o holds the bit, u its complement. The first two
  // copies of the complement are taken from the source itself.
  const uint32_t n = o.len;
  std::unique_ptr<Tmp> ut;
  // Without a complement output, u only ever holds the largest power of two below n copies.
  uint32_t uw = 2;
  while (2 * uw < n) uw *= 2;
  if (!no.len) ut = std::make_unique<Tmp>(tmp(std::min(n, uw)));
  const Bits u = no.len ? no : (*ut)();
  init(u, true);
  init(o, true);
  g_not(u.bit(0), bit);
  if (n == 1) {
    g_not(o, u);
    return;
  }
  g_not(u.bit(1), bit);
  g_not(o.sub(0, 2), u.sub(0, 2));
  for (uint32_t d = 2; d < n; d *= 2) {
    const uint32_t len = std::min(d, n - d);
    const bool last = 2 * d >= n;
    g_not(o.sub(d, len), u.sub(0, len));
    if (!last || no.len) g_not(u.sub(d, len), o.sub(0, len));
  }
}

void Builder::mux(const Bits& o, const Bits& c, const Bits& nc, const Bits& x, const Bits& y) {
  if (chunked(o, {c, nc, x, y}, [&](const Bits& oc, const std::vector<Bits>& v) {
        mux(oc, v[0], v[1], v[2], v[3]);
      }))
    return;
  Tmp a1 = tmp(o.len), a2 = tmp(o.len);
  norc(a1(), nc, x);  // c & ~x
  norc(a2(), c, y);   // ~c & ~y
  norc(o, a1(), a2());
}

void Builder::mux1(const Bits& o, const Bits& cond, const Bits& x, const Bits& y) {
  if (o.len == 1) {
    Tmp nc = tmp(1);
    notc(nc(), cond);
    mux(o, cond, nc(), x, y);
    return;
  }
  Tmp c = tmp(o.len), nc = tmp(o.len);
  bcast(c(), nc(), cond);
  mux(o, c(), nc(), x, y);
}

}  // namespace ember::pim
