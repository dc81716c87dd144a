// Fused instructions with one operand a scalar (a uniform register: a constant, a 0-d array, a
// value broadcast over the whole iteration space), for float32/float64 add, subtract, multiply and
// divide. They read the scalar once instead of a block-wide copy of it: one load stream less per
// element in the most common instructions (`x * 2.0 + 1.0`). Same IEEE operation, operands in the
// same order, so the same bits as the two-array instruction.
#pragma once
#include "ember/backend/cpu/fused_ops.h"

namespace ember::cpu {

// The instruction computing `node` when argument `scalar_arg` (0 or 1) is a scalar: it reads
// element 0 of that argument only. Null when there is none (other ops or dtypes).
InstrFn scalar_instr(const Node& node, int scalar_arg);

}  // namespace ember::cpu
