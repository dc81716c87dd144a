// sorting ops (to be filled by its owner).
#pragma once
#include "ember/array.h"

namespace ember {}  // namespace ember
