// Counter-based random numbers (Philox4x32-10). Element i of a draw is a pure function of
// (key, counter + i), so results depend only on the seed and the draw order, never on threads or
// block boundaries. The Python Generator keeps the key and advances the counter by each draw's size.
#pragma once
#include <cstdint>

#include "ember/array.h"

namespace ember {

struct PhiloxState {
  uint64_t key;      // from the seed
  uint64_t counter;  // index of the first element of this draw
};

// Uniform floats in [0, 1) (float32 or float64; float16/bfloat16 round from float32).
Array random_uniform(const Shape& shape, DType dtype, PhiloxState s);
// Standard normal floats (Box-Muller on the element's own Philox block).
Array random_normal(const Shape& shape, DType dtype, PhiloxState s);
// Integers uniform in [low, low + range) (range == 0 means 2^64), cast to `dtype` (integer or bool).
Array random_integers(const Shape& shape, DType dtype, int64_t low, uint64_t range, PhiloxState s);
// A random permutation of 0..n-1 (int64), Fisher-Yates driven by the same stream.
Array random_permutation(int64_t n, PhiloxState s);

}  // namespace ember
