// linalg kernels for the cpu device.
#include "ember/backend/cpu/register.h"

namespace ember::cpu {

void register_linalg() {}

}  // namespace ember::cpu
