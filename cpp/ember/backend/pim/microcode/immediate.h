// Values of fused element-wise programs that live only inside one micro-op stream: immediates
// (constants baked into the microcode) and intermediates kept in scratch registers; macros
// specialised for an immediate operand.
#pragma once
#include <optional>
#include <vector>

#include "../macro.h"
#include "float_ops.h"

namespace ember::pim::mc {

// A scratch value laid out like a tensor of dtype t (whole registers, bit 0 in partition 0), so
// that every macro accepts it as an operand or a result.
struct Scratch {
  Tmp tmp;
  Val val;
};
Scratch scratch_value(Builder& b, DType t);
// An immediate operand: a scratch value INIT-ed to the constant's bits (one INIT per run of equal
// bits: no WRITE, no full-size tensor). fold_known then specialises the gates that read it.
Scratch immediate(Builder& b, DType t, uint64_t bits);

// o = x * 2^k (negate: x * -2^k), IEEE-exact: the exponent is adjusted, results below the normal
// range are shifted into a subnormal with round to nearest even (or to zero), overflow gives inf,
// NaN is quieted (its sign kept), inf and zero pass through (sign flipped by negate).
// |k| <= bias + 1.
void fscale(Builder& b, FloatFormat f, const Bits& o, const Bits& x, int k, bool negate);

// Emits macro m where imm[i], when set, is the constant held by in[i]: a float multiply by, or a
// division by, +-2^j becomes fscale; anything else is the macro itself, whose gates on the
// immediate's known bits fold_known simplifies afterwards.
void emit_macro_imm(Builder& b, Macro m, DType in_t, DType out_t, const Val& out, const std::vector<Val>& in,
                    const std::vector<std::optional<uint64_t>>& imm);

}  // namespace ember::pim::mc
