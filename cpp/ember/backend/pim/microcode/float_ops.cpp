// Element-wise float macros (dispatch).
#include "float_ops.h"

#include "ops.h"

namespace ember::pim::mc {

bool emit_float_macro(Builder&, Macro, DType, DType, const Val&, const std::vector<Val>&) {
  return false;
}

bool emit_float_cast(Builder&, DType, DType, const Bits&, const Bits&) { return false; }

}  // namespace ember::pim::mc
