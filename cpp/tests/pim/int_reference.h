// Native C++ results of the integer / bool macros (NumPy semantics), on bit patterns.
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ember/backend/pim/macro.h"

namespace pimtest {

using ember::pim::DType;
using ember::pim::Macro;

template <class T>
uint64_t ref_int_t(Macro m, uint64_t a_, uint64_t b_, uint64_t c_) {
  using U = std::make_unsigned_t<T>;
  constexpr int W = sizeof(T) * 8;
  const T a = T(a_), b = T(b_);
  const U ua = U(a_), ub = U(b_);
  constexpr bool S = std::is_signed_v<T>;
  auto u = [](auto v) { return uint64_t(U(v)); };
  switch (m) {
    case Macro::Copy: return ua;
    case Macro::Add: return U(ua + ub);
    case Macro::Sub: return U(ua - ub);
    case Macro::Mul: return U(uint64_t(ua) * uint64_t(ub));
    case Macro::FloorDiv: {
      if (b == 0) return 0;
      if constexpr (S) {
        if (a == std::numeric_limits<T>::min() && b == T(-1)) return u(a);
        T q = T(a / b);
        if (T(a % b) != 0 && ((a < 0) != (b < 0))) q = T(q - 1);
        return u(q);
      }
      return u(a / b);
    }
    case Macro::Mod: {
      if (b == 0) return 0;
      if constexpr (S) {
        if (a == std::numeric_limits<T>::min() && b == T(-1)) return 0;
        T r = T(a % b);
        if (r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
        return u(r);
      }
      return u(a % b);
    }
    case Macro::Neg: return U(U(0) - ua);
    case Macro::Abs:
      if constexpr (S) return a < 0 ? U(U(0) - ua) : ua;
      return ua;
    case Macro::Sign:
      if constexpr (S) return u(a > 0 ? T(1) : (a < 0 ? T(-1) : T(0)));
      return ua != 0;
    case Macro::Lt: return a < b;
    case Macro::Le: return a <= b;
    case Macro::Gt: return a > b;
    case Macro::Ge: return a >= b;
    case Macro::Eq: return a == b;
    case Macro::Ne: return a != b;
    case Macro::Min: return u(a < b ? a : b);
    case Macro::Max: return u(a < b ? b : a);
    case Macro::And: return U(ua & ub);
    case Macro::Or: return U(ua | ub);
    case Macro::Xor: return U(ua ^ ub);
    case Macro::Not: return U(~ua);
    case Macro::Shl: return ub >= U(W) ? 0 : U(ua << ub);
    case Macro::Shr:
      if (ub >= U(W)) return (S && a < 0) ? u(T(-1)) : 0;
      return u(T(a >> ub));
    case Macro::Where: return (a_ & 1) ? b_ : c_;
    default: return 0;
  }
}

inline uint64_t ref_bool(Macro m, uint64_t a, uint64_t b, uint64_t c) {
  a &= 1, b &= 1, c &= 1;
  switch (m) {
    case Macro::Copy: case Macro::Abs: case Macro::Sign: return a;
    case Macro::Add: case Macro::Or: case Macro::Max: return a | b;
    case Macro::Mul: case Macro::And: case Macro::Min: return a & b;
    case Macro::Xor: case Macro::Ne: return a ^ b;
    case Macro::Not: return !a;
    case Macro::Lt: return a < b;
    case Macro::Le: return a <= b;
    case Macro::Gt: return a > b;
    case Macro::Ge: return a >= b;
    case Macro::Eq: return a == b;
    case Macro::Where: return a ? b : c;
    default: return 0;
  }
}

inline uint64_t ref_int(Macro m, DType t, uint64_t a, uint64_t b, uint64_t c = 0) {
  switch (t) {
    case DType::Bool: return ref_bool(m, a, b, c);
    case DType::I8: return ref_int_t<int8_t>(m, a, b, c);
    case DType::I16: return ref_int_t<int16_t>(m, a, b, c);
    case DType::I32: return ref_int_t<int32_t>(m, a, b, c);
    case DType::I64: return ref_int_t<int64_t>(m, a, b, c);
    case DType::U8: return ref_int_t<uint8_t>(m, a, b, c);
    case DType::U16: return ref_int_t<uint16_t>(m, a, b, c);
    case DType::U32: return ref_int_t<uint32_t>(m, a, b, c);
    case DType::U64: return ref_int_t<uint64_t>(m, a, b, c);
    default: return 0;
  }
}

}  // namespace pimtest
