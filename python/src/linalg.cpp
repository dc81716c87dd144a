// linalg bindings (filled by the area's owner).
#include "bindings.h"

namespace ember::py {

void bind_linalg(nb::module_&) {}

}  // namespace ember::py
