// Element-wise integer and bool macros.
#include <algorithm>

#include "int_arith.h"
#include "int_muldiv.h"
#include "float_ops.h"
#include "ops.h"

namespace ember::pim::mc {

namespace {

// o = x shifted by the per-element amount a (NumPy semantics: amounts >= width give 0, or the
// sign fill for arithmetic right shifts; amounts are taken as unsigned).
void shift_var(Builder& b, const Bits& o, const Bits& x, const Bits& a, bool left, bool arith) {
  const uint32_t n = o.len;
  Tmp fill = b.tmp(n);
  if (arith && !left) {
    Tmp nf = b.tmp(n);
    b.bcast(fill(), nf(), x.top());
  } else {
    b.init(fill(), false);
  }
  uint32_t k = 0;
  while ((1u << k) < n && k < a.len) ++k;
  if (k < a.len) {
    Tmp sh = b.tmp(n), big = b.tmp(1);
    shift_stages(b, sh(), x, a.sub(0, k), left, fill());
    is_zero(b, big(), a.sub(k, a.len - k), true);
    Tmp c = b.tmp(n), nc = b.tmp(n);
    b.bcast(c(), nc(), big());
    b.mux(o, c(), nc(), fill(), sh());
  } else {
    shift_stages(b, o, x, a.sub(0, k), left, fill());
  }
}

}  // namespace

bool emit_int_macro(Builder& b, Macro m, DType t, DType, const Val& out,
                    const std::vector<Val>& in) {
  const bool sgn = is_signed_int(t);
  const bool boolean = t == DType::Bool;
  const Bits o = all(out);
  auto X = [&](int i) { return all(in[i]); };
  switch (m) {
    case Macro::Copy: b.copy(o, X(0)); return true;
    case Macro::Add:
      if (boolean) b.orc(o, X(0), X(1));
      else add(b, o, X(0), X(1));
      return true;
    case Macro::Sub:
      if (boolean) return false;  // NumPy raises for bool subtract
      sub(b, o, X(0), X(1));
      return true;
    case Macro::Mul:
      if (boolean) b.andc(o, X(0), X(1));
      else mul_low(b, o, X(0), X(1));
      return true;
    case Macro::Pow: {  // square and multiply over the exponent's bits (wraps as NumPy's);
      // negative exponents are refused by the device before the macro runs
      if (boolean) return false;
      const uint32_t n = o.len, bits = sgn ? n - 1 : n;
      // the running product lives in o (o never overlaps the inputs): fewer scratch registers
      Tmp p = b.tmp(n), t = b.tmp(n);
      b.set_const(o, 1);
      b.copy(p(), X(0));
      for (uint32_t i = 0; i < bits; ++i) {
        mul_low(b, t(), o, p());
        b.mux1(o, X(1).bit(i), t(), o);
        if (i + 1 < bits) {
          mul_low(b, t(), p(), p());
          b.copy(p(), t());
        }
      }
      return true;
    }
    case Macro::TrueDiv: {  // both operands to float64 (as NumPy does), then IEEE division
      // x is converted into the output register itself (fdiv writes its output last)
      Tmp c = b.tmp(64);
      emit_cast(b, t, DType::F64, out, in[0]);
      emit_cast(b, t, DType::F64, c.val(), in[1]);
      fdiv(b, float_format(DType::F64), o, o, c());
      return true;
    }
    case Macro::FloorDiv:
    case Macro::Mod:
      if (boolean) return false;
      divmod(b, m == Macro::FloorDiv ? o : Bits{}, m == Macro::Mod ? o : Bits{}, X(0), X(1), sgn);
      return true;
    case Macro::Neg:
      if (boolean) return false;
      neg(b, o, X(0));
      return true;
    case Macro::Abs:
      if (boolean || !sgn) {
        b.copy(o, X(0));
      } else {
        Tmp ng = b.tmp(out.width);
        neg(b, ng(), X(0));
        b.mux1(o, X(0).top(), ng(), X(0));
      }
      return true;
    case Macro::Sign: {
      if (boolean) {
        b.copy(o, X(0));
        return true;
      }
      Tmp nz = b.tmp(1);
      is_zero(b, nz(), X(0), true);
      if (sgn && out.width > 1) {
        Tmp s = b.tmp(out.width - 1);
        b.bcast(s(), Bits{}, X(0).top());
        b.copy(o.sub(1, out.width - 1), s());
        b.orc(o.bit(0), nz(), X(0).top());
      } else {
        b.copy(o.bit(0), nz());
        if (out.width > 1) b.init(o.sub(1, out.width - 1), false);
      }
      return true;
    }
    case Macro::Lt: less(b, o, X(0), X(1), sgn, false); return true;
    case Macro::Ge: less(b, o, X(0), X(1), sgn, true); return true;
    case Macro::Gt: less(b, o, X(1), X(0), sgn, false); return true;
    case Macro::Le: less(b, o, X(1), X(0), sgn, true); return true;
    case Macro::Eq: equal(b, o, X(0), X(1), false); return true;
    case Macro::Ne: equal(b, o, X(0), X(1), true); return true;
    case Macro::Min:
    case Macro::Max: {
      Tmp c = b.tmp(1);
      // min: y < x ? y : x ; max: x < y ? y : x
      if (m == Macro::Min) less(b, c(), X(1), X(0), sgn, false);
      else less(b, c(), X(0), X(1), sgn, false);
      b.mux1(o, c(), X(1), X(0));
      return true;
    }
    case Macro::And: b.andc(o, X(0), X(1)); return true;
    case Macro::Or: b.orc(o, X(0), X(1)); return true;
    case Macro::Xor: b.xorc(o, X(0), X(1)); return true;
    case Macro::Not: b.notc(o, X(0)); return true;
    case Macro::Shl:
    case Macro::Shr:
      if (boolean) return false;
      shift_var(b, o, X(0), X(1), m == Macro::Shl, sgn);
      return true;
    case Macro::Where: b.mux1(o, all(in[0]).bit(0), X(1), X(2)); return true;
    default: return false;
  }
}

}  // namespace ember::pim::mc
