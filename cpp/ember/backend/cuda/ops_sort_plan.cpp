#include "ember/backend/cuda/ops_sort_plan.h"

#include <bit>
#include <stdexcept>
#include <string>

namespace ember::cuda {

int key_width(int bits) { return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8; }

SortKeyType sort_key_type(DType t) {
  SortKeyType k;
  k.item = itemsize(t);
  switch (t) {
    case DType::Bool: k.kind = 0, k.nbits = 8; break;
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: k.kind = 1, k.nbits = 8 * k.item; break;
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::UInt64: k.kind = 2, k.nbits = 8 * k.item; break;
    case DType::Float16: k.kind = 3, k.nbits = 16, k.mant = 10; break;
    case DType::BFloat16: k.kind = 3, k.nbits = 16, k.mant = 7; break;
    case DType::Float32: k.kind = 3, k.nbits = 32, k.mant = 23; break;
    case DType::Float64: k.kind = 3, k.nbits = 64, k.mant = 52; break;
    case DType::Complex64: k.kind = 3, k.nbits = 32, k.mant = 23, k.cpx = 1; break;
    case DType::Complex128: k.kind = 3, k.nbits = 64, k.mant = 52, k.cpx = 1; break;
    default: throw std::logic_error("cuda sort: no key for dtype " + std::string(dtype_name(t)));
  }
  if (k.cpx) k.word_bits = k.nbits == 32 ? std::vector<int>{2, 64} : std::vector<int>{2, 64, 64};
  else k.word_bits = {k.kind == 0 ? 1 : k.nbits};
  return k;
}

SortPlan sort_plan(DType t, int64_t rows, bool descending, bool need_indices) {
  SortPlan p;
  p.key = sort_key_type(t);
  p.invert = descending;
  p.row_bits = rows > 1 ? std::bit_width(static_cast<uint64_t>(rows - 1)) : 0;
  const auto& wb = p.key.word_bits;
  for (int w = static_cast<int>(wb.size()) - 1; w >= 0; --w) {
    SortPass s;
    s.word = w, s.word_bits = wb[w], s.end_bit = wb[w];
    if (w == 0 && p.row_bits > 0 && wb[w] + p.row_bits <= 64) s.row_shift = wb[w], s.end_bit += p.row_bits;
    s.width = key_width(s.end_bit);
    p.passes.push_back(s);
  }
  if (p.row_bits > 0 && p.passes.back().row_shift < 0) {
    SortPass s;
    s.row_shift = 0, s.end_bit = p.row_bits, s.width = key_width(p.row_bits);
    p.passes.push_back(s);
  }
  p.keys_only = !need_indices && p.key.kind != 3 && p.passes.size() == 1;
  return p;
}

}  // namespace ember::cuda
