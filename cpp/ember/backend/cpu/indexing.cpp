// indexing kernels for the cpu device.
#include "ember/backend/cpu/register.h"

namespace ember::cpu {

void register_indexing() {}

}  // namespace ember::cpu
