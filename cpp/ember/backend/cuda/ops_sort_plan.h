// How the cuda device sorts lanes of any dtype with a radix sort of unsigned keys (host-side
// planning only; no driver). A dtype maps to 1-3 key words (ops_sort_keys.h); lanes (rows) of a
// sort along an axis are told apart by tagging each key with its row number above the data bits,
// in the most significant word when the bits fit in 64, else in a pass of its own. Passes run least
// significant first; each is a stable sort by one key, so together they sort by the whole tuple.
#pragma once
#include <cstdint>
#include <vector>

#include "ember/dtype.h"

namespace ember::cuda {

// The parameters of ops_sort_keys.h's transforms for a dtype.
struct SortKeyType {
  int kind = 0;  // 0 bool, 1 signed, 2 unsigned, 3 float
  int nbits = 8, mant = 0;  // a value's (complex: a part's) bits and mantissa bits
  int cpx = 0;
  int item = 1;  // bytes per element
  std::vector<int> word_bits;  // data bits of each key word, most significant first
};
SortKeyType sort_key_type(DType t);

struct SortPass {
  int word = -1;       // data word of this pass (-1: the row tag alone)
  int word_bits = 0;   // its data bits
  int row_shift = -1;  // where the row tag goes (-1: none)
  int end_bit = 0;     // bits the radix sort looks at: [0, end_bit)
  int width = 1;       // bytes of the key array: 1, 2, 4 or 8
};

struct SortPlan {
  SortKeyType key;
  std::vector<SortPass> passes;  // least significant first
  bool invert = false;           // descending
  int row_bits = 0;              // bits of the largest row number
  // The sorted keys alone give the output (bool and integers, one pass, op sort): no indices are
  // carried and the values are the inverse transform of the keys.
  bool keys_only = false;
};

// The plan for sorting `rows` lanes of dtype t; `need_indices`: argsort, or a caller that gathers.
SortPlan sort_plan(DType t, int64_t rows, bool descending, bool need_indices);

// Bytes of the smallest key array (1, 2, 4, 8) holding `bits` bits.
int key_width(int bits);

}  // namespace ember::cuda
