#include "ember/backend/cpu/register.h"

namespace ember::cpu {

void register_all() {
  register_elementwise();
  register_creation();
  register_movement();
  register_reductions();
  register_indexing();
  register_sorting();
  register_linalg();
  register_random();
}

}  // namespace ember::cpu
