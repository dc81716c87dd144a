// Counter-based random draws; the Python Generator owns the (key, counter) state.
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/ops/random.h"

namespace ember::py {

void bind_random(nb::module_& m) {
  m.def("random_uniform", [](nb::handle shape, const std::string& dtype, uint64_t key, uint64_t counter) {
    return random_uniform(to_shape(shape), dtype_from_name(dtype), {key, counter});
  });
  m.def("random_normal", [](nb::handle shape, const std::string& dtype, uint64_t key, uint64_t counter) {
    return random_normal(to_shape(shape), dtype_from_name(dtype), {key, counter});
  });
  m.def("random_integers", [](nb::handle shape, const std::string& dtype, int64_t low, uint64_t range, uint64_t key,
                              uint64_t counter) {
    return random_integers(to_shape(shape), dtype_from_name(dtype), low, range, {key, counter});
  });
  m.def("random_permutation", [](int64_t n, uint64_t key, uint64_t counter) { return random_permutation(n, {key, counter}); });
}

}  // namespace ember::py
