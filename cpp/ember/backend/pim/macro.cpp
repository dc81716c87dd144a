#include "macro.h"

#include <stdexcept>
#include <string>

#include "microcode/float_round.h"
#include "microcode/ops.h"

namespace ember::pim {

const char* macro_name(Macro m) {
  switch (m) {
    case Macro::Copy: return "copy";
    case Macro::Add: return "add";
    case Macro::Sub: return "subtract";
    case Macro::Mul: return "multiply";
    case Macro::TrueDiv: return "true_divide";
    case Macro::FloorDiv: return "floor_divide";
    case Macro::Mod: return "mod";
    case Macro::Neg: return "negative";
    case Macro::Abs: return "absolute";
    case Macro::Sign: return "sign";
    case Macro::Lt: return "less";
    case Macro::Le: return "less_equal";
    case Macro::Gt: return "greater";
    case Macro::Ge: return "greater_equal";
    case Macro::Eq: return "equal";
    case Macro::Ne: return "not_equal";
    case Macro::Min: return "minimum";
    case Macro::Max: return "maximum";
    case Macro::And: return "bitwise_and";
    case Macro::Or: return "bitwise_or";
    case Macro::Xor: return "bitwise_xor";
    case Macro::Not: return "invert";
    case Macro::Shl: return "left_shift";
    case Macro::Shr: return "right_shift";
    case Macro::Where: return "where";
    case Macro::Cast: return "astype";
    case Macro::Sqrt: return "sqrt";
    case Macro::Sin: return "sin";
    case Macro::Cos: return "cos";
    case Macro::IsNan: return "isnan";
    case Macro::IsInf: return "isinf";
    case Macro::IsFinite: return "isfinite";
    case Macro::Signbit: return "signbit";
    case Macro::Floor: return "floor";
    case Macro::Ceil: return "ceil";
    case Macro::Trunc: return "trunc";
    case Macro::Rint: return "rint";
    case Macro::Exp: return "exp";
    case Macro::Exp2: return "exp2";
    case Macro::Expm1: return "expm1";
    case Macro::Log: return "log";
    case Macro::Log2: return "log2";
    case Macro::Log10: return "log10";
    case Macro::Log1p: return "log1p";
    case Macro::Tanh: return "tanh";
    case Macro::Sinh: return "sinh";
    case Macro::Cosh: return "cosh";
    case Macro::Tan: return "tan";
    case Macro::Atan: return "arctan";
    case Macro::Asin: return "arcsin";
    case Macro::Acos: return "arccos";
    case Macro::Atan2: return "arctan2";
    case Macro::Pow: return "power";
    case Macro::Imag: return "imag";
    case Macro::FMin: return "fmin";
    case Macro::FMax: return "fmax";
    case Macro::CopySign: return "copysign";
    case Macro::Heaviside: return "heaviside";
    case Macro::Deg2Rad: return "deg2rad";
    case Macro::Rad2Deg: return "rad2deg";
    case Macro::Reciprocal: return "reciprocal";
    case Macro::FMod: return "fmod";
    case Macro::NextAfter: return "nextafter";
    case Macro::LogAddExp: return "logaddexp";
    case Macro::LogAddExp2: return "logaddexp2";
    case Macro::Asinh: return "arcsinh";
    case Macro::Acosh: return "arccosh";
    case Macro::Atanh: return "arctanh";
  }
  return "?";
}

int macro_arity(Macro m) {
  switch (m) {
    case Macro::Copy: case Macro::Neg: case Macro::Abs: case Macro::Sign: case Macro::Not:
    case Macro::Cast: case Macro::Sqrt: case Macro::Sin: case Macro::Cos:
    case Macro::IsNan: case Macro::IsInf: case Macro::IsFinite: case Macro::Signbit:
    case Macro::Floor: case Macro::Ceil: case Macro::Trunc: case Macro::Rint:
    case Macro::Exp: case Macro::Exp2: case Macro::Expm1: case Macro::Log: case Macro::Log2:
    case Macro::Log10: case Macro::Log1p: case Macro::Tanh: case Macro::Sinh: case Macro::Cosh:
    case Macro::Tan: case Macro::Atan: case Macro::Asin: case Macro::Acos:
    case Macro::Imag: case Macro::Deg2Rad: case Macro::Rad2Deg: case Macro::Reciprocal:
    case Macro::Asinh: case Macro::Acosh: case Macro::Atanh:
      return 1;
    case Macro::Where: return 3;
    default: return 2;
  }
}

DType result_dtype(Macro m, DType t) {
  switch (m) {
    case Macro::Lt: case Macro::Le: case Macro::Gt: case Macro::Ge: case Macro::Eq:
    case Macro::Ne: case Macro::IsNan: case Macro::IsInf: case Macro::IsFinite:
    case Macro::Signbit:
      return DType::Bool;
    case Macro::TrueDiv: return is_float(t) ? t : DType::F64;  // NumPy: int / int -> float64
    default: return t;
  }
}

namespace {
bool overlaps(const Val& a, const Val& b) {
  for (int i = 0; i < a.nregs; ++i)
    for (int j = 0; j < b.nregs; ++j)
      if (a.r[i] == b.r[j]) return true;
  return false;
}
}  // namespace

void emit_macro(Builder& b, Macro m, DType in_t, DType out_t, const Val& out,
                const std::vector<Val>& in, bool in_place) {
  if (in_place && m != Macro::Add && m != Macro::Mul && m != Macro::Min && m != Macro::Max &&
      m != Macro::And && m != Macro::Or)
    throw std::logic_error(std::string("pim: ") + macro_name(m) + " cannot run in place");
  if (int(in.size()) != macro_arity(m))
    throw std::invalid_argument(std::string("pim: ") + macro_name(m) + " takes " +
                                std::to_string(macro_arity(m)) + " operand(s)");
  for (const auto& v : in)
    if (!in_place && overlaps(v, out)) {
      // Compute into scratch, then copy: aliased inputs and outputs are safe.
      Tmp t = b.tmp(out.width);
      Val tv = t.val();
      emit_macro(b, m, in_t, out_t, tv, in);
      b.copy(all(out), t());
      return;
    }
  bool ok = false;
  if (mc::is_misc_macro(m))
    ok = mc::emit_misc_macro(b, m, in_t, out, in);
  else if (mc::is_round_macro(m))
    ok = mc::emit_round_macro(b, m, in_t, out, in[0]);
  else if (m == Macro::Cast)
    ok = mc::emit_cast(b, in_t, out_t, out, in[0]);
  else if (is_float(in_t))
    ok = mc::emit_float_macro(b, m, in_t, out_t, out, in);
  else
    ok = mc::emit_int_macro(b, m, in_t, out_t, out, in);
  if (!ok)
    throw std::invalid_argument(std::string("pim: ") + macro_name(m) + " is not implemented for " +
                                dtype_name(in_t) +
                                (m == Macro::Cast ? std::string(" -> ") + dtype_name(out_t) : ""));
}

}  // namespace ember::pim
