#include "ember/dtype.h"

#include <array>

#include "ember/errors.h"

namespace ember {
namespace {

struct Info {
  std::string_view name;
  DKind kind;
  int size;
};

constexpr std::array<Info, kNumDTypes> kInfo{{
    {"bool", DKind::Bool, 1},
    {"int8", DKind::SignedInt, 1},
    {"int16", DKind::SignedInt, 2},
    {"int32", DKind::SignedInt, 4},
    {"int64", DKind::SignedInt, 8},
    {"uint8", DKind::UnsignedInt, 1},
    {"uint16", DKind::UnsignedInt, 2},
    {"uint32", DKind::UnsignedInt, 4},
    {"uint64", DKind::UnsignedInt, 8},
    {"float16", DKind::Float, 2},
    {"bfloat16", DKind::Float, 2},
    {"float32", DKind::Float, 4},
    {"float64", DKind::Float, 8},
    {"complex64", DKind::Complex, 8},
    {"complex128", DKind::Complex, 16},
}};

const Info& info(DType t) { return kInfo[static_cast<int>(t)]; }

// Smallest signed int holding every value of an unsigned type of `bytes` bytes.
DType signed_for_unsigned(int bytes) {
  switch (bytes) {
    case 1: return DType::Int16;
    case 2: return DType::Int32;
    case 4: return DType::Int64;
    default: return DType::Float64;  // uint64 with a signed int: NumPy's choice
  }
}

DType int_of_size(bool is_signed, int bytes) {
  switch (bytes) {
    case 1: return is_signed ? DType::Int8 : DType::UInt8;
    case 2: return is_signed ? DType::Int16 : DType::UInt16;
    case 4: return is_signed ? DType::Int32 : DType::UInt32;
    default: return is_signed ? DType::Int64 : DType::UInt64;
  }
}

DType promote_floats(DType a, DType b) {
  if (a == b) return a;
  auto rank = [](DType t) { return t == DType::Float64 ? 3 : t == DType::Float32 ? 2 : 1; };
  if (rank(a) != rank(b)) return rank(a) > rank(b) ? a : b;
  return DType::Float32;  // float16 with bfloat16: neither holds the other
}

}  // namespace

DKind kind_of(DType t) { return info(t).kind; }
int itemsize(DType t) { return info(t).size; }
std::string_view dtype_name(DType t) { return info(t).name; }

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (kInfo[i].name == name) return static_cast<DType>(i);
  throw TypeError("data type '" + std::string(name) + "' is not supported by ember");
}

DType float_result_type(DType t) {
  switch (kind_of(t)) {
    case DKind::Float:
    case DKind::Complex: return t;
    case DKind::Bool: return DType::Float16;
    default:
      if (itemsize(t) == 1) return DType::Float16;
      if (itemsize(t) == 2) return DType::Float32;
      return DType::Float64;
  }
}

DType real_type(DType t) {
  if (t == DType::Complex64) return DType::Float32;
  if (t == DType::Complex128) return DType::Float64;
  return t;
}

DType complex_type_for(DType real) {
  return (real == DType::Float64 || real == DType::Complex128) ? DType::Complex128 : DType::Complex64;
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  DKind ka = kind_of(a), kb = kind_of(b);
  if (ka < kb) std::swap(a, b), std::swap(ka, kb);
  // Now kind(a) >= kind(b).
  switch (ka) {
    case DKind::Bool: return DType::Bool;
    case DKind::UnsignedInt:  // b is bool or unsigned
      return kb == DKind::Bool ? a : int_of_size(false, std::max(itemsize(a), itemsize(b)));
    case DKind::SignedInt:
      if (kb == DKind::Bool) return a;
      if (kb == DKind::SignedInt) return int_of_size(true, std::max(itemsize(a), itemsize(b)));
      // b unsigned
      if (itemsize(a) > itemsize(b)) return a;
      return signed_for_unsigned(itemsize(b));
    case DKind::Float:
      if (kb == DKind::Float) return promote_floats(a, b);
      if (a == DType::BFloat16 && itemsize(b) == 1) return a;
      return promote_floats(a, float_result_type(b));
    case DKind::Complex: {
      DType ra = real_type(a);
      DType rb = kb == DKind::Complex ? real_type(b) : (kb == DKind::Float ? b : float_result_type(b));
      return complex_type_for(promote_floats(ra, rb));
    }
  }
  return a;
}

bool can_cast_safe(DType from, DType to) { return promote_types(from, to) == to; }

bool can_cast_same_kind(DType from, DType to) {
  if (can_cast_safe(from, to)) return true;
  DKind kf = kind_of(from), kt = kind_of(to);
  if (kf == kt) return true;
  if (kf == DKind::UnsignedInt && kt == DKind::SignedInt) return true;
  return kf < kt;
}

DType sum_result_type(DType t) {
  switch (kind_of(t)) {
    case DKind::Bool:
    case DKind::SignedInt: return DType::Int64;
    case DKind::UnsignedInt: return DType::UInt64;
    default: return t;
  }
}

}  // namespace ember
