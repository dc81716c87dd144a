// The micro-operation set of the PIM machine (PyPIM / PartitionPIM model).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ember::pim {

// Cost categories, one metrics counter each (as in PyPIM).
enum class OpKind : uint8_t { Mask = 0, ReadWrite = 1, Logic = 2, Move = 3 };
inline constexpr int kNumKinds = 4;

enum class Gate : uint8_t { Init0 = 0, Init1 = 1, Not = 2, Nor = 3 };

enum class OpCode : uint8_t {
  MaskCrossbars,  // a = start, b = stop (inclusive), c = step
  MaskRows,       // a = start, b = stop (inclusive), c = step
  Read,           // reg; exactly one crossbar and one row must be active
  Write,          // reg, data: every active row of every active crossbar
  LogicH,         // horizontal: gate, in_a/p_a, in_b/p_b, out/p_out..p_end step p_step
  LogicV,         // vertical: gate, in_row -> out_row on register reg (all partitions)
  Move,           // src_row/src_reg -> dst_row/dst_reg of crossbar c + (dst_xb - mask.start)
};

struct MicroOp {
  OpCode code{};
  Gate gate{};
  uint16_t in_a = 0, p_a = 0, in_b = 0, p_b = 0, out = 0, p_out = 0, p_end = 0, p_step = 1;
  uint32_t a = 0, b = 0, c = 1;  // mask fields, or rows for LogicV (a=in_row, b=out_row) and Move
                                 // (a=src_row, b=dst_row)
  uint16_t reg = 0, reg2 = 0;    // Read/Write/LogicV register; Move: reg=src_reg, reg2=dst_reg
  int64_t dst_xb = 0;            // Move destination crossbar of the first active crossbar
  uint64_t data = 0;             // Write data, bit p = partition p

  OpKind kind() const {
    switch (code) {
      case OpCode::MaskCrossbars:
      case OpCode::MaskRows: return OpKind::Mask;
      case OpCode::Read:
      case OpCode::Write: return OpKind::ReadWrite;
      case OpCode::LogicH:
      case OpCode::LogicV: return OpKind::Logic;
      case OpCode::Move: return OpKind::Move;
    }
    return OpKind::Logic;
  }
};

// Constructors.
MicroOp mask_crossbars(uint32_t start, uint32_t stop, uint32_t step = 1);
MicroOp mask_rows(uint32_t start, uint32_t stop, uint32_t step = 1);
MicroOp read_op(uint16_t reg);
MicroOp write_op(uint16_t reg, uint64_t data);
MicroOp logic_h(Gate g, uint16_t in_a, uint16_t p_a, uint16_t in_b, uint16_t p_b, uint16_t out,
                uint16_t p_out, uint16_t p_end, uint16_t p_step = 1);
MicroOp logic_v(Gate g, uint32_t in_row, uint32_t out_row, uint16_t reg);
MicroOp move_op(uint32_t src_row, uint16_t src_reg, uint32_t dst_row, uint16_t dst_reg,
                int64_t dst_xb);

// Text export: one micro-op per line, e.g. "H NOR 3 0 4 0 5 0 31 1". Round-trips exactly.
std::string to_text(const MicroOp& op);
std::string to_text(const std::vector<MicroOp>& ops);
std::vector<MicroOp> from_text(const std::string& text);

}  // namespace ember::pim
