// Gate simplification with the bits known at compile time (immediate operands baked into the
// microcode, INIT-ed scratch): constant propagation over a straight-line horizontal gate stream,
// then removal of the gates whose results are never read.
#pragma once
#include <cstdint>
#include <vector>

#include "../microop.h"

namespace ember::pim::mc {

// Returns an equivalent stream: every register outside `scratch` (bit r = register r) ends with
// the same bits as after `ops`; scratch registers end undefined. Gates whose outputs are known
// from the constants are dropped or become INITs, a NOR with an input known to be 0 becomes a
// NOT, and gates whose results no later gate reads are removed. A WRITE makes its register known
// (a constant in every selected row). Other micro-ops (moves, reads, vertical gates) are kept and
// act as barriers (everything unknown and live there); masks change no data.
// kept (optional) receives, for each op returned, its index in `ops`.
std::vector<MicroOp> fold_known(const std::vector<MicroOp>& ops, uint32_t partitions, uint64_t scratch,
                                std::vector<uint32_t>* kept = nullptr);

}  // namespace ember::pim::mc
