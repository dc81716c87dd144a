// Float macros not implemented yet: they raise a clear error.
#include <stdexcept>

#include "float_ops.h"

namespace ember::pim::mc {

void fsqrt(Builder&, FloatFormat, const Bits&, const Bits&) {
  throw std::invalid_argument("pim: float sqrt is not implemented yet");
}

}  // namespace ember::pim::mc
