// Microcode builder: emits horizontal micro-ops over bit ranges of register values, splitting each
// gate into per-register segments, and manages scratch registers.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "../microop.h"

namespace ember::pim {

// A value of `width` bits stored across registers: bit i lives in register r[i / P], partition i % P.
// Small scratch values may be packed several to a register: bit i then lives at global bit
// off + i of the register list.
struct Val {
  std::array<uint16_t, 8> r{};
  uint8_t nregs = 0;
  uint16_t width = 0;
  uint16_t off = 0;
  bool packed = false;
};

// A contiguous bit range [lo, lo + len) of a value.
struct Bits {
  Val v;
  uint16_t lo = 0, len = 0;
  Bits sub(uint32_t off, uint32_t n) const {
    if (off + n > len) throw std::logic_error("pim builder: sub-range out of bounds");
    return Bits{v, uint16_t(lo + off), uint16_t(n)};
  }
  Bits bit(uint32_t i) const { return sub(i, 1); }
  Bits top() const { return sub(len - 1u, 1); }
};

inline Bits all(const Val& v) { return Bits{v, 0, v.width}; }
inline Bits bits(const Val& v, uint32_t lo, uint32_t n) { return all(v).sub(lo, n); }

class Builder;

// A scratch value returned to the pool when it goes out of scope.
class Tmp {
 public:
  Tmp(Builder* b, Val v) : b_(b), v_(v) {}
  Tmp(Tmp&& o) noexcept : b_(o.b_), v_(o.v_) { o.b_ = nullptr; }
  Tmp(const Tmp&) = delete;
  Tmp& operator=(const Tmp&) = delete;
  ~Tmp();
  const Val& val() const { return v_; }
  Bits operator()() const { return all(v_); }
  Bits operator()(uint32_t lo, uint32_t n) const { return bits(v_, lo, n); }
  Bits bit(uint32_t i) const { return bits(v_, i, 1); }
  Bits top() const { return bits(v_, v_.width - 1u, 1); }

 private:
  Builder* b_;
  Val v_;
};

class Builder {
 public:
  Builder(uint32_t partitions, std::vector<uint16_t> free_regs)
      : P_(partitions), free_(std::move(free_regs)) {}

  uint32_t partitions() const { return P_; }
  // Float "fast" mode (PyPIM's semantics): normal inputs only, subnormal results flushed to
  // zero, inf / NaN / overflow undefined. Off by default (full IEEE-754).
  bool fast_float = false;
  std::vector<MicroOp>& ops() { return ops_; }
  size_t size() const { return ops_.size(); }

  // Scratch registers (throws std::runtime_error when the pool is exhausted).
  Tmp tmp(uint32_t width);
  void release(const Val& v);
  size_t max_scratch() const { return max_used_; }

  // Raw stateful gates (out &= ...). All ranges must have equal length.
  void init(const Bits& o, bool one);
  void g_not(const Bits& o, const Bits& a);                   // o &= ~a
  void g_nor(const Bits& o, const Bits& a, const Bits& b);    // o &= ~(a | b)

  // Composite gates writing a fresh result into o (o must not overlap the inputs).
  void notc(const Bits& o, const Bits& a);                    // o = ~a
  void norc(const Bits& o, const Bits& a, const Bits& b);     // o = ~(a | b)
  void copy(const Bits& o, const Bits& a);                    // o = a
  void orc(const Bits& o, const Bits& a, const Bits& b);      // o = a | b
  void andc(const Bits& o, const Bits& a, const Bits& b);     // o = a & b
  void xorc(const Bits& o, const Bits& a, const Bits& b);     // o = a ^ b
  void xnorc(const Bits& o, const Bits& a, const Bits& b);    // o = ~(a ^ b)
  void set_const(const Bits& o, uint64_t value);              // o = value (len <= 64)
  // Broadcast one bit to every bit of o (and its complement to no when no.len > 0).
  void bcast(const Bits& o, const Bits& no, const Bits& bit);
  // o = c ? x : y, where c / nc are broadcast condition bits (same length as o).
  void mux(const Bits& o, const Bits& c, const Bits& nc, const Bits& x, const Bits& y);
  // o = cond ? x : y for a single condition bit.
  void mux1(const Bits& o, const Bits& cond, const Bits& x, const Bits& y);

 private:
  bool chunked(const Bits& o, std::initializer_list<Bits> ins,
               const std::function<void(const Bits&, const std::vector<Bits>&)>& fn);
  void emit3(Gate g, const Bits& o, const Bits* a, const Bits* b);
  uint32_t P_;
  struct Pack {
    uint16_t reg;
    uint64_t used;
  };
  std::vector<uint16_t> free_;
  std::vector<Pack> packs_;
  std::vector<MicroOp> ops_;
  size_t used_ = 0, max_used_ = 0;
};

inline Tmp::~Tmp() {
  if (b_) b_->release(v_);
}

}  // namespace ember::pim
