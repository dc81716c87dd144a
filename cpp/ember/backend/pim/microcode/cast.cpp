// Conversions between dtypes (integer and bool part; float conversions in float_convert.cpp).
#include "float_ops.h"
#include "int_arith.h"
#include "ops.h"

namespace ember::pim::mc {

bool emit_cast(Builder& b, DType in_t, DType out_t, const Val& out, const Val& in) {
  const Bits o = all(out), x = all(in);
  if (is_float(in_t) || is_float(out_t)) return emit_float_cast(b, in_t, out_t, o, x);
  if (out_t == DType::Bool) {
    is_zero(b, o, x, true);
    return true;
  }
  const uint32_t wi = in.width, wo = out.width;
  if (wo <= wi) {
    b.copy(o, x.sub(0, wo));
    return true;
  }
  b.copy(o.sub(0, wi), x);
  if (is_signed_int(in_t)) {
    Tmp s = b.tmp(wo - wi);
    b.bcast(s(), Bits{}, x.top());
    b.copy(o.sub(wi, wo - wi), s());
  } else {
    b.init(o.sub(wi, wo - wi), false);
  }
  return true;
}

}  // namespace ember::pim::mc
