// Element types of the PIM machine.
#pragma once
#include <cstdint>
#include <stdexcept>

namespace ember::pim {

enum class DType : uint8_t { Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64 };

inline constexpr DType kAllDTypes[] = {DType::Bool, DType::I8,  DType::I16, DType::I32,
                                       DType::I64,  DType::U8,  DType::U16, DType::U32,
                                       DType::U64,  DType::F32, DType::F64};

inline uint32_t dtype_bits(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::I8: case DType::U8: return 8;
    case DType::I16: case DType::U16: return 16;
    case DType::I32: case DType::U32: case DType::F32: return 32;
    case DType::I64: case DType::U64: case DType::F64: return 64;
  }
  return 0;
}
inline bool is_float(DType t) { return t == DType::F32 || t == DType::F64; }
inline bool is_signed_int(DType t) {
  return t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::I64;
}
inline bool is_unsigned_int(DType t) {
  return t == DType::U8 || t == DType::U16 || t == DType::U32 || t == DType::U64;
}
inline bool is_int(DType t) { return is_signed_int(t) || is_unsigned_int(t); }

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::I8: return "int8";
    case DType::I16: return "int16";
    case DType::I32: return "int32";
    case DType::I64: return "int64";
    case DType::U8: return "uint8";
    case DType::U16: return "uint16";
    case DType::U32: return "uint32";
    case DType::U64: return "uint64";
    case DType::F32: return "float32";
    case DType::F64: return "float64";
  }
  return "?";
}

}  // namespace ember::pim
