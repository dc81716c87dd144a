// Integer microcode: parallel-prefix (Kogge-Stone across partitions) adders and direct comparators.
#pragma once
#include "builder.h"

namespace ember::pim::mc {

// s = a + b (mod 2^n).
void add(Builder& b, const Bits& s, const Bits& x, const Bits& y);
// s = a + b with about half the scratch registers of add for values wider than a register
// (low register, then the rest with the carry); a few more cycles.
void add_lean(Builder& b, const Bits& s, const Bits& x, const Bits& y);
// add_core (no xnor output) with the same register economy.
void add_core_lean(Builder& b, const Bits& s, const Bits& A, const Bits& nA, const Bits& B,
                   const Bits& nB);
// s = a - b (mod 2^n).
void sub(Builder& b, const Bits& s, const Bits& x, const Bits& y);
// Core: s = A + B given both polarities of the inputs; xnor_out gives ~(A + B) instead.
void add_core(Builder& b, const Bits& s, const Bits& A, const Bits& nA, const Bits& B,
              const Bits& nB, bool xnor_out, const Bits* carry_out = nullptr);
// s = x + y + K + cin (K a constant, cin one bit), with one adder.
void add3_const(Builder& b, const Bits& s, const Bits& x, const Bits& y, uint64_t K,
                const Bits& cin);
// s = x + c for a single bit c.
void increment(Builder& b, const Bits& s, const Bits& x, const Bits& c);
// s = -x.
void neg(Builder& b, const Bits& s, const Bits& x);
// s = x + c for a constant c.
void add_const(Builder& b, const Bits& s, const Bits& x, uint64_t c);
// One-bit result o = (x < y) (or x >= y when negate), signed or unsigned.
void less(Builder& b, const Bits& o, const Bits& x, const Bits& y, bool is_signed, bool negate);
// less with the order of the low (non-sign) bits reversed where the broadcast condition rc holds
// (rnc = ~rc); used for sign-magnitude comparisons.
void less_rev(Builder& b, const Bits& o, const Bits& x, const Bits& y, bool is_signed, bool negate,
              const Bits* rc, const Bits* rnc);
// One-bit result o = (x == y) (or x != y when negate).
void equal(Builder& b, const Bits& o, const Bits& x, const Bits& y, bool negate);
// One-bit result o = (x == 0) (or x != 0 when negate).
void is_zero(Builder& b, const Bits& o, const Bits& x, bool negate);
// AND-reduction: o = AND of ~ne (or its complement when negate); ne is only read.
void and_reduce(Builder& b, const Bits& o, const Bits& ne, bool negate);
// Two AND-reductions of equal-length inputs sharing one register (fewer micro-ops).
void and_reduce2(Builder& b, const Bits& ox, const Bits& oy, const Bits& nex, const Bits& ney,
                 bool negate);
// One-bit result o = (all bits of x are 1) (or not, when negate).
void all_ones(Builder& b, const Bits& o, const Bits& x, bool negate);
// Variable shift stages: o = x shifted left/right by the amount in the bits of a (each bit k
// shifts by 2^k; the caller handles amounts beyond); vacated bits take the fill bits.
void shift_stages(Builder& b, const Bits& o, const Bits& x, const Bits& a, bool left,
                  const Bits& fill);
// o = x << k or x >> k (logical or arithmetic) for a constant k.
void shift_const(Builder& b, const Bits& o, const Bits& x, int k, bool arith);

}  // namespace ember::pim::mc
