// Fused instructions with one operand a scalar (a uniform register: a constant, a 0-d array, a
// value broadcast over the whole iteration space), for float32/float64 add, subtract, multiply and
// divide. They read the scalar once instead of a block-wide copy of it: one load stream less per
// element in the most common instructions (`x * 2.0 + 1.0`). Same IEEE operation, operands in the
// same order, so the same bits as the two-array instruction.
#pragma once
#include "ember/backend/cpu/fused_ops.h"

namespace ember::cpu {

// The instruction computing `node` when argument `scalar_arg` (0 or 1) is a scalar: it reads
// element 0 of that argument only. Null when there is none (other ops or dtypes). `*step`
// receives the instruction's code for a chain (below).
InstrFn scalar_instr(const Node& node, int scalar_arg, int* step = nullptr);

// A chain of such instructions, each reading the one before: y = (((x op0 c0) op1 c1) ...), run
// in vector registers, a few vectors at a time, with one store per element instead of one per
// instruction (a long chain on cached data was bound by those stores). Each step rounds as its
// instruction does, in the same order, so the bits are the same.
// Step codes: the op, + 1 when the scalar is the left operand.
enum : int { kAdd = 0, kSub = 2, kMul = 4, kDiv = 6 };
struct ScalarStep {
  int code;      // from scalar_instr's `step`
  double value;  // the scalar (a float32 value is exact as a double)
};
inline constexpr int kMaxChain = 64;
using ChainFn = void (*)(const ScalarStep* steps, int k, const void* x, void* y, int64_t n);
// For float32/float64; null for others.
ChainFn scalar_chain(DType t);

}  // namespace ember::cpu
