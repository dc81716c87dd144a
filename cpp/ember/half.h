// 16-bit floating point storage types. Arithmetic happens in float; these only store and round.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ember {

// IEEE-754 binary16, converted with round-to-nearest-even (as NumPy's float16).
struct float16 {
  uint16_t bits = 0;
  float16() = default;
  float16(float f) : bits(from_float(f)) {}
  template <class U, std::enable_if_t<std::is_arithmetic_v<U> && !std::is_same_v<U, float>, int> = 0>
  explicit float16(U v) : float16(static_cast<float>(v)) {}
  operator float() const { return to_float(bits); }

  static uint16_t from_float(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u)  // inf or nan
      return sign | (absx > 0x7f800000u ? static_cast<uint16_t>(0x7e00u | ((absx >> 13) & 0x3ffu)) : 0x7c00u);
    if (absx >= 0x477ff000u) return sign | 0x7c00u;  // rounds to inf
    if (absx < 0x38800000u) {                         // subnormal or zero in half
      if (absx < 0x33000000u) return sign;            // below half of the smallest subnormal
      uint32_t mant = (absx & 0x7fffffu) | 0x800000u;
      int shift = 126 - static_cast<int>(absx >> 23);  // value / 2^-24 = mantissa * 2^(exp - 126)
      uint32_t h = mant >> shift;
      uint32_t rem = mant & ((1u << shift) - 1u);
      uint32_t halfway = 1u << (shift - 1);
      if (rem > halfway || (rem == halfway && (h & 1u))) ++h;
      return sign | static_cast<uint16_t>(h);
    }
    uint32_t h = ((absx - 0x38000000u) >> 13);
    uint32_t rem = absx & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
    return sign | static_cast<uint16_t>(h);
  }
  static float to_float(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    uint32_t x;
    if (exp == 0) {
      if (mant == 0) {
        x = sign;
      } else {  // normalise the subnormal
        int e = -1;
        do { ++e; mant <<= 1; } while (!(mant & 0x400u));
        x = sign | ((127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
      }
    } else if (exp == 31) {
      x = sign | 0x7f800000u | (mant << 13);
    } else {
      x = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(x);
  }
};

// bfloat16: the top half of a float32, rounded to nearest even (as ml_dtypes.bfloat16).
struct bfloat16 {
  uint16_t bits = 0;
  bfloat16() = default;
  bfloat16(float f) : bits(from_float(f)) {}
  template <class U, std::enable_if_t<std::is_arithmetic_v<U> && !std::is_same_v<U, float>, int> = 0>
  explicit bfloat16(U v) : bfloat16(static_cast<float>(v)) {}
  operator float() const { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

  static uint16_t from_float(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet nan
    uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    return static_cast<uint16_t>((x + rounding) >> 16);
  }
};

}  // namespace ember
