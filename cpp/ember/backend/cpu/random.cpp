// random kernels for the cpu device.
#include "ember/backend/cpu/register.h"

namespace ember::cpu {

void register_random() {}

}  // namespace ember::cpu
