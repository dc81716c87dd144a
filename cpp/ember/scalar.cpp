#include "ember/scalar.h"

namespace ember {

DType Scalar::default_dtype() const {
  switch (value.index()) {
    case 0: return DType::Bool;
    case 1: return DType::Int64;
    case 2: return DType::UInt64;
    case 3: return DType::Float64;
    default: return DType::Complex128;
  }
}

}  // namespace ember
