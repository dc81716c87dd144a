// The exception types of ember's C++ core; the bindings map each to the Python exception NumPy raises.
#pragma once
#include <stdexcept>
#include <string>

namespace ember {

struct ValueError : std::invalid_argument {  // -> ValueError (bad shapes, bad arguments)
  using std::invalid_argument::invalid_argument;
};
struct TypeError : std::runtime_error {  // -> TypeError (bad dtypes, bad argument kinds)
  using std::runtime_error::runtime_error;
};
struct IndexError : std::out_of_range {  // -> IndexError (indices out of range)
  using std::out_of_range::out_of_range;
};
struct AxisError : ValueError {  // -> numpy.exceptions.AxisError (a ValueError and an IndexError)
  using ValueError::ValueError;
};
struct OverflowError : std::overflow_error {  // -> OverflowError (Python int out of a dtype's range)
  using std::overflow_error::overflow_error;
};
struct NotImplementedError : std::logic_error {  // -> NotImplementedError (op missing on a device)
  using std::logic_error::logic_error;
};
struct LinAlgError : std::runtime_error {  // -> ember.linalg.LinAlgError (singular matrix, ...)
  using std::runtime_error::runtime_error;
};

}  // namespace ember
