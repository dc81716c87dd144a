#include "microop.h"

#include <sstream>
#include <stdexcept>

namespace ember::pim {

MicroOp mask_crossbars(uint32_t start, uint32_t stop, uint32_t step) {
  MicroOp m;
  m.code = OpCode::MaskCrossbars;
  m.a = start, m.b = stop, m.c = step;
  return m;
}
MicroOp mask_rows(uint32_t start, uint32_t stop, uint32_t step) {
  MicroOp m;
  m.code = OpCode::MaskRows;
  m.a = start, m.b = stop, m.c = step;
  return m;
}
MicroOp read_op(uint16_t reg) {
  MicroOp m;
  m.code = OpCode::Read;
  m.reg = reg;
  return m;
}
MicroOp write_op(uint16_t reg, uint64_t data) {
  MicroOp m;
  m.code = OpCode::Write;
  m.reg = reg, m.data = data;
  return m;
}
MicroOp logic_h(Gate g, uint16_t in_a, uint16_t p_a, uint16_t in_b, uint16_t p_b, uint16_t out,
                uint16_t p_out, uint16_t p_end, uint16_t p_step) {
  MicroOp m;
  m.code = OpCode::LogicH;
  m.gate = g;
  m.in_a = in_a, m.p_a = p_a, m.in_b = in_b, m.p_b = p_b;
  m.out = out, m.p_out = p_out, m.p_end = p_end, m.p_step = p_step;
  return m;
}
MicroOp logic_v(Gate g, uint32_t in_row, uint32_t out_row, uint16_t reg) {
  MicroOp m;
  m.code = OpCode::LogicV;
  m.gate = g;
  m.a = in_row, m.b = out_row, m.reg = reg;
  return m;
}
MicroOp move_op(uint32_t src_row, uint16_t src_reg, uint32_t dst_row, uint16_t dst_reg,
                int64_t dst_xb) {
  MicroOp m;
  m.code = OpCode::Move;
  m.a = src_row, m.b = dst_row, m.reg = src_reg, m.reg2 = dst_reg, m.dst_xb = dst_xb;
  return m;
}

static const char* gate_name(Gate g) {
  switch (g) {
    case Gate::Init0: return "INIT0";
    case Gate::Init1: return "INIT1";
    case Gate::Not: return "NOT";
    case Gate::Nor: return "NOR";
  }
  return "?";
}
static Gate parse_gate(const std::string& s) {
  if (s == "INIT0") return Gate::Init0;
  if (s == "INIT1") return Gate::Init1;
  if (s == "NOT") return Gate::Not;
  if (s == "NOR") return Gate::Nor;
  throw std::invalid_argument("pim micro-op text: unknown gate '" + s + "'");
}

std::string to_text(const MicroOp& m) {
  std::ostringstream o;
  switch (m.code) {
    case OpCode::MaskCrossbars: o << "MX " << m.a << ' ' << m.b << ' ' << m.c; break;
    case OpCode::MaskRows: o << "MR " << m.a << ' ' << m.b << ' ' << m.c; break;
    case OpCode::Read: o << "RD " << m.reg; break;
    case OpCode::Write: o << "WR " << m.reg << ' ' << m.data; break;
    case OpCode::LogicH:
      o << "H " << gate_name(m.gate) << ' ' << m.in_a << ' ' << m.p_a << ' ' << m.in_b << ' '
        << m.p_b << ' ' << m.out << ' ' << m.p_out << ' ' << m.p_end << ' ' << m.p_step;
      break;
    case OpCode::LogicV:
      o << "V " << gate_name(m.gate) << ' ' << m.a << ' ' << m.b << ' ' << m.reg;
      break;
    case OpCode::Move:
      o << "MV " << m.a << ' ' << m.reg << ' ' << m.b << ' ' << m.reg2 << ' ' << m.dst_xb;
      break;
  }
  return o.str();
}

std::string to_text(const std::vector<MicroOp>& ops) {
  std::string s;
  for (const auto& m : ops) s += to_text(m) + "\n";
  return s;
}

std::vector<MicroOp> from_text(const std::string& text) {
  std::vector<MicroOp> ops;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream l(line);
    std::string t;
    l >> t;
    MicroOp m;
    if (t == "MX" || t == "MR") {
      m.code = t == "MX" ? OpCode::MaskCrossbars : OpCode::MaskRows;
      l >> m.a >> m.b >> m.c;
    } else if (t == "RD") {
      m.code = OpCode::Read;
      l >> m.reg;
    } else if (t == "WR") {
      m.code = OpCode::Write;
      l >> m.reg >> m.data;
    } else if (t == "H" || t == "V") {
      std::string g;
      l >> g;
      m.gate = parse_gate(g);
      if (t == "H") {
        m.code = OpCode::LogicH;
        l >> m.in_a >> m.p_a >> m.in_b >> m.p_b >> m.out >> m.p_out >> m.p_end >> m.p_step;
      } else {
        m.code = OpCode::LogicV;
        l >> m.a >> m.b >> m.reg;
      }
    } else if (t == "MV") {
      m.code = OpCode::Move;
      l >> m.a >> m.reg >> m.b >> m.reg2 >> m.dst_xb;
    } else {
      throw std::invalid_argument("pim micro-op text: unknown op '" + t + "'");
    }
    if (l.fail()) throw std::invalid_argument("pim micro-op text: malformed line '" + line + "'");
    ops.push_back(m);
  }
  return ops;
}

}  // namespace ember::pim
