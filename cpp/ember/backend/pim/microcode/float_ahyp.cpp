// asinh, acosh, atanh (float32) from the log / log1p microcode (float_log.cpp), every branch
// computed for every element and selected:
//   asinh a (a = |x|): a < 2^12: log1p(a + a^2 / (1 + sqrt(1 + a^2))); else log a + ln 2 (the
//     dropped 1 / (4 a^2) is below half an ulp); the sign of x put back (signed zeros kept).
//   acosh x: x < 2^12: log1p(t + sqrt(2t + t^2)), t = x - 1 (exact near 1; x < 1 gives NaN through
//     sqrt or log1p of a number below -1, and by selection); else log x + ln 2.
//   atanh a: log1p(2a / (1 - a)) / 2 (a = 1: inf, a > 1: NaN), the sign of x put back.
#include <cmath>
#include <memory>

#include "float_common.h"
#include "float_math.h"
#include "immediate.h"

namespace ember::pim::mc {

namespace {

constexpr double kLn2 = 0.693147180559945309417;

// o = log(v) + ln 2 when big, else o unchanged.
void big_branch(Builder& b, FloatFormat f, const Bits& o, const Bits& v, const Bits& big) {
  Tmp r = b.tmp(f.width());
  {
    Tmp l = b.tmp(f.width());
    flog(b, f, l(), v, LogKind::Log);
    fop_const(b, f, r(), l(), 'a', kLn2);
  }
  b.mux1(o, big, r(), o);
}

}  // namespace

void fahyp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, HypKind kind) {
  const uint32_t W = f.width();
  Tmp a = b.tmp(W), big = b.tmp(1);
  if (kind == HypKind::Cosh) {  // acosh works on x itself
    b.copy(a(), x);
  } else {
    b.copy(a(0, W - 1), x.sub(0, W - 1));
    b.init(a.top(), false);
  }
  {
    Tmp k = b.tmp(W);
    fconst(b, f, k(), 4096.0);
    fless(b, f, big(), k(), a(), true);  // 2^12 <= a
  }
  {
    Tmp u = b.tmp(W);
    {
      Tmp s = b.tmp(W), t = b.tmp(W);
      if (kind == HypKind::Sinh) {  // u = a + a^2 / (1 + sqrt(1 + a^2))
        fmul(b, f, s(), a(), a());
        fop_const(b, f, t(), s(), 'a', 1.0);
        fsqrt(b, f, u(), t());
        fop_const(b, f, t(), u(), 'a', 1.0);
        fdiv(b, f, u(), s(), t());
        fadd(b, f, t(), a(), u(), false);
        b.copy(u(), t());
      } else if (kind == HypKind::Cosh) {  // u = t + sqrt(2t + t^2), t = x - 1
        fop_const(b, f, t(), a(), 's', 1.0);
        fop_const(b, f, s(), t(), 'a', 2.0);
        fmul(b, f, u(), s(), t());
        fsqrt(b, f, s(), u());
        fadd(b, f, u(), t(), s(), false);
      } else {  // u = 2a / (1 - a)
        Tmp one = b.tmp(W);
        fconst(b, f, one(), 1.0);
        fadd(b, f, t(), one(), a(), true);
        fscale(b, f, s(), a(), 1, false);
        fdiv(b, f, u(), s(), t());
      }
    }
    flog1p(b, f, o, u());
  }
  if (kind == HypKind::Tanh) {
    Tmp h = b.tmp(W);
    fscale(b, f, h(), o, -1, false);
    b.copy(o, h());
  } else {
    big_branch(b, f, o, a(), big());
  }
  if (kind != HypKind::Cosh) {
    b.copy(o.top(), x.top());
    return;
  }
  // x < 1: NaN (also where t^2 overflowed for a huge negative x)
  Tmp k = b.tmp(W), c = b.tmp(1);
  fconst(b, f, k(), 1.0);
  fless(b, f, c(), x, k(), false);
  b.set_const(k(), default_nan(f));
  b.mux1(o, c(), k(), o);
}

}  // namespace ember::pim::mc
