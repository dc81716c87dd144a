#include "reference_interpreter.h"

#include <sstream>
#include <stdexcept>

namespace pimref {

RefMachine::RefMachine(uint32_t crossbars, uint32_t rows, uint32_t partitions, uint32_t regs)
    : X_(crossbars), R_(rows), P_(partitions), G_(regs),
      bits_(size_t(crossbars) * rows * partitions * regs, 0) {
  xe_ = X_ - 1;
  re_ = R_ - 1;
}

uint8_t& RefMachine::bit(uint32_t xb, uint32_t row, uint32_t reg, uint32_t part) {
  if (xb >= X_ || row >= R_ || reg >= G_ || part >= P_) throw std::out_of_range("ref: bit");
  return bits_[((size_t(xb) * R_ + row) * G_ + reg) * P_ + part];
}

uint64_t RefMachine::word(uint32_t xb, uint32_t row, uint32_t reg) {
  uint64_t w = 0;
  for (uint32_t p = 0; p < P_; ++p) w |= uint64_t(bit(xb, row, reg, p)) << p;
  return w;
}

void RefMachine::set_word(uint32_t xb, uint32_t row, uint32_t reg, uint64_t w) {
  for (uint32_t p = 0; p < P_; ++p) bit(xb, row, reg, p) = (w >> p) & 1;
}

std::vector<uint64_t> RefMachine::replay(const std::string& text) {
  std::vector<uint64_t> reads;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream l(line);
    std::string op;
    l >> op;
    std::vector<uint32_t> xbs, rows;
    for (uint32_t x = xs_; x <= xe_; x += xst_) xbs.push_back(x);
    for (uint32_t r = rs_; r <= re_; r += rst_) rows.push_back(r);
    const int64_t nx = int64_t(xbs.size()), nr = int64_t(rows.size());
    if (op == "MX" || op == "MR") {
      uint32_t a, b, c;
      l >> a >> b >> c;
      if (a == b) c = 1;
      if (op == "MX") xs_ = a, xe_ = b, xst_ = c;
      else rs_ = a, re_ = b, rst_ = c;
      costs.latency[0] += 1;
    } else if (op == "RD") {
      uint32_t reg;
      l >> reg;
      if (nx != 1 || nr != 1) throw std::runtime_error("ref: read of several rows");
      reads.push_back(word(xs_, rs_, reg));
      costs.latency[1] += 1;
      costs.energy[1] += P_;
    } else if (op == "WR") {
      uint32_t reg;
      uint64_t data;
      l >> reg >> data;
      for (auto x : xbs)
        for (auto r : rows) set_word(x, r, reg, data);
      costs.latency[1] += 1;
      costs.energy[1] += nx * nr * P_;
    } else if (op == "H") {
      std::string g;
      uint32_t ia, pa, ib, pb, o, po, pe, ps;
      l >> g >> ia >> pa >> ib >> pb >> o >> po >> pe >> ps;
      const uint32_t cnt = (pe - po) / ps + 1;
      for (auto x : xbs)
        for (auto r : rows) {
          std::vector<uint8_t> res(cnt);
          for (uint32_t k = 0; k < cnt; ++k) {  // read everything first
            const uint32_t p = po + k * ps, off = k * ps;
            const uint8_t cur = bit(x, r, o, p);
            if (g == "INIT0") res[k] = 0;
            else if (g == "INIT1") res[k] = 1;
            else if (g == "NOT") res[k] = cur & !bit(x, r, ia, pa + off);
            else res[k] = cur & !(bit(x, r, ia, pa + off) | bit(x, r, ib, pb + off));
          }
          for (uint32_t k = 0; k < cnt; ++k) bit(x, r, o, po + k * ps) = res[k];
        }
      costs.latency[2] += 1;
      costs.energy[2] += nx * nr * cnt;
    } else if (op == "V") {
      std::string g;
      uint32_t ir, orow, reg;
      l >> g >> ir >> orow >> reg;
      for (auto x : xbs)
        for (uint32_t p = 0; p < P_; ++p) {
          uint8_t& ob = bit(x, orow, reg, p);
          if (g == "INIT0") ob = 0;
          else if (g == "INIT1") ob = 1;
          else ob = ob & !bit(x, ir, reg, p);
        }
      costs.latency[2] += 1;
      costs.energy[2] += nx * P_;
    } else if (op == "MV") {
      uint32_t sr, sg, dr, dg;
      int64_t dx;
      l >> sr >> sg >> dr >> dg >> dx;
      const int64_t d = dx - int64_t(xs_);
      std::vector<uint64_t> w;
      for (auto x : xbs) w.push_back(word(x, sr, sg));
      for (size_t i = 0; i < xbs.size(); ++i) set_word(uint32_t(xbs[i] + d), dr, dg, w[i]);
      costs.latency[3] += 1;
      costs.energy[3] += nx * P_;
    } else {
      throw std::runtime_error("ref: unknown op " + op);
    }
  }
  return reads;
}

}  // namespace pimref
