// Small element-wise macros built from existing pieces (NumPy semantics, every real dtype with
// microcode unless noted): imag of a real array (zeros), fmin / fmax (NaN loses; ties and
// +-0 give the second operand, as NumPy), copysign, heaviside, deg2rad / rad2deg (one multiply by
// NumPy's constant), reciprocal (float: 1 / x; integers: 1, -1 or 0, and for 0 what NumPy's
// 1.0 / 0 cast gives: INT_MIN for int32 / int64, else 0), fmod (float: exact C fmod; integers:
// truncated remainder, 0 for a zero divisor).
#include <cmath>

#include "float_common.h"
#include "float_math.h"
#include "float_ops.h"
#include "int_arith.h"
#include "int_muldiv.h"
#include "ops.h"

namespace ember::pim::mc {

bool is_misc_macro(Macro m) {
  switch (m) {
    case Macro::Imag: case Macro::FMin: case Macro::FMax: case Macro::CopySign: case Macro::Heaviside:
    case Macro::Deg2Rad: case Macro::Rad2Deg: case Macro::Reciprocal: case Macro::FMod:
      return true;
    default:
      return false;
  }
}

bool emit_misc_macro(Builder& b, Macro m, DType t, const Val& out, const std::vector<Val>& in) {
  const Bits o = all(out);
  auto X = [&](int i) { return all(in[i]); };
  if (m == Macro::Imag) {  // the imaginary part of a real array
    b.init(o, false);
    return true;
  }
  if (!is_float(t)) {
    switch (m) {
      case Macro::FMin: return emit_int_macro(b, Macro::Min, t, t, out, in);
      case Macro::FMax: return emit_int_macro(b, Macro::Max, t, t, out, in);
      case Macro::Reciprocal: {
        if (t == DType::Bool) return false;
        const uint32_t n = o.len;
        Tmp k = b.tmp(n), c = b.tmp(2);
        b.set_const(k(), 1);
        equal(b, c.bit(0), X(0), k(), false);  // x == 1
        b.init(k(), true);
        equal(b, c.bit(1), X(0), k(), false);  // x == -1 (all ones)
        if (!is_signed_int(t)) b.init(c.bit(1), false);
        b.init(o, false);
        b.copy(o.bit(0), c.bit(0));
        Tmp cc = b.tmp(n);
        b.bcast(cc(), Bits{}, c.bit(1));
        b.orc(o, o, cc());
        if (t == DType::I32 || t == DType::I64) {  // NumPy: 1 / 0 -> inf cast by the CPU: INT_MIN
          is_zero(b, c.bit(0), X(0), false);
          b.orc(o.top(), o.top(), c.bit(0));
        }
        return true;
      }
      case Macro::FMod: {
        if (t == DType::Bool) return false;
        const bool sgn = is_signed_int(t);
        Tmp r = b.tmp(o.len);
        divmod(b, Bits{}, r(), X(0), X(1), sgn);  // Python's: the sign of y; 0 for y == 0
        if (!sgn) {
          b.copy(o, r());
          return true;
        }
        // truncated: r - y when r != 0 and the signs of x and y differ
        Tmp c = b.tmp(2), d = b.tmp(o.len);
        is_zero(b, c.bit(0), r(), true);
        b.xorc(c.bit(1), X(0).top(), X(1).top());
        b.andc(c.bit(0), c.bit(0), c.bit(1));
        sub(b, d(), r(), X(1));
        b.mux1(o, c.bit(0), d(), r());
        return true;
      }
      default:
        return false;  // copysign, heaviside, deg2rad, rad2deg take floats (the ops layer casts)
    }
  }
  const FloatFormat f = float_format(t);
  const uint32_t W = f.width();
  switch (m) {
    case Macro::FMin:
    case Macro::FMax: {  // (x < y || isnan(y)) ? x : y   (fmax: x > y)
      Tmp c = b.tmp(1), nan = b.tmp(1), k = b.tmp(1);
      if (m == Macro::FMin) fless(b, f, c(), X(0), X(1), false);
      else fless(b, f, c(), X(1), X(0), false);
      isnan_bit(b, f, nan(), X(1), false);
      b.orc(k(), c(), nan());
      b.mux1(o, k(), X(0), X(1));
      return true;
    }
    case Macro::CopySign:
      b.copy(o.sub(0, W - 1), X(0).sub(0, W - 1));
      b.copy(o.top(), X(1).top());
      return true;
    case Macro::Heaviside: {  // NaN: NaN (quieted by the select); 0 (either sign): h; < 0: 0; > 0: 1
      Tmp c = b.tmp(2), v = b.tmp(W);
      is_zero(b, c.bit(0), X(0).sub(0, W - 1), false);
      isnan_bit(b, f, c.bit(1), X(0), false);
      b.set_const(v(0, W - 1), f.bias() << f.m);  // 1.0
      b.init(v.top(), false);
      {
        Tmp z = b.tmp(W);
        b.init(z(), false);
        b.mux1(v(), X(0).top(), z(), v());  // x < 0 (or -0, replaced next): +0
      }
      b.mux1(v(), c.bit(0), X(1), v());
      b.mux1(o, c.bit(1), X(0), v());
      return true;
    }
    case Macro::Deg2Rad:
    case Macro::Rad2Deg: {  // NumPy's constants: pi / 180; float32 rad2deg: 180f / float(pi)
      const double c = m == Macro::Deg2Rad ? M_PI / 180.0
                       : f.e == 8          ? double(180.0f / float(M_PI))
                                           : 180.0 / M_PI;
      fop_const(b, f, o, X(0), 'm', c);
      return true;
    }
    case Macro::Reciprocal: {
      Tmp one = b.tmp(W);
      fconst(b, f, one(), 1.0);
      fdiv(b, f, o, one(), X(0));
      return true;
    }
    case Macro::FMod: ffmod(b, f, o, X(0), X(1)); return true;
    default: return false;
  }
}

}  // namespace ember::pim::mc
