// Shared pieces of the float microcode.
#pragma once
#include "builder.h"
#include "float_ops.h"

namespace ember::pim::mc {

// o = isnan(x) (or ~isnan(x) when negate).
void isnan_bit(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool negate);
// Both NaN flags at once: nx = isnan(x), ny = isnan(y).
void isnan2(Builder& b, FloatFormat f, const Bits& nx, const Bits& ny, const Bits& x, const Bits& y);
// o = a ^ c where c / nc are broadcast bits.
void xor_b(Builder& b, const Bits& o, const Bits& a, const Bits& c, const Bits& nc);
// o = x >> amount (bits of a; bit k shifts by 2^k) with bit 0 of the result acting as a sticky
// bit: it is the OR of every bit shifted to or below position 0.
void shift_right_sticky(Builder& b, const Bits& o, const Bits& x, const Bits& a);
// Normalize s left (leading one to the top bit), at most `limit` positions where the barrier
// register u = s | thermometer encodes the limit. s and u are destroyed.
// With u empty (len 0) there is no limit: s is normalized by its own leading zeros. Writes the shift amount bits to m (m.len stages).
void normalize_left(Builder& b, const Bits& s_out, const Bits& s, const Bits& u, const Bits& m);
// Round to nearest even, pack and handle overflow: given the (W-1)-bit magnitude `mag0` before
// rounding, and guard / sticky / lsb bits, writes the rounded magnitude (inf on overflow, an
// all-ones exponent before rounding; check_ovf false: the caller guarantees that such a mag0 is
// exactly inf with guard 0).
void round_pack(Builder& b, FloatFormat f, const Bits& out_mag, const Bits& mag0,
                const Bits& guard, const Bits& sticky, bool check_ovf = true);
// Packs a finite result: er is the biased exponent (signed, any width > E) of the leading bit of
// Pc = [sticky, guard, fraction (M bits), leading]. Results below the normal range are shifted
// right with sticky into a subnormal, the result is rounded to nearest even, and exponents at or
// above 2^E - 1 give inf. Pc is consumed (its Tmp may be released afterwards). Writes W-1 bits.
void pack_er(Builder& b, FloatFormat f, const Bits& out_mag, const Bits& er, Tmp& Pc);
// sig = significand of x normalized to a leading one at bit M (when x != 0); e = max(exp, 1)
// minus the normalization shift, as a signed value of e.len bits.
void unpack_norm(Builder& b, FloatFormat f, const Bits& sig, const Bits& e, const Bits& x);
// Constant pattern of the default NaN on x86 (sign set, quiet bit set).
uint64_t default_nan(FloatFormat f);
// o = x with its quiet bit set.
void quiet(Builder& b, FloatFormat f, const Bits& o, const Bits& x);
// The special-value tail of the IEEE macros: o = spec ? (nan ? quiet(nanx ? x : y) : special) : normal.
void select_special(Builder& b, FloatFormat f, const Bits& o, const Bits& spec, const Bits& nan, const Bits& nanx,
                    const Bits& x, const Bits& y, const Bits& special, const Bits& normal);

}  // namespace ember::pim::mc
