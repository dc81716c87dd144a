// A deliberately simple, independent interpreter of exported PIM micro-op streams: one bit per
// byte, one bit at a time, its own cost formulas. Used to check the fast simulator.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pimref {

struct Costs {
  int64_t latency[4] = {0, 0, 0, 0};  // mask, rw, logic, move
  int64_t energy[4] = {0, 0, 0, 0};
};

class RefMachine {
 public:
  RefMachine(uint32_t crossbars, uint32_t rows, uint32_t partitions, uint32_t regs);
  // bit of (crossbar, row, register, partition)
  uint8_t& bit(uint32_t xb, uint32_t row, uint32_t reg, uint32_t part);
  uint64_t word(uint32_t xb, uint32_t row, uint32_t reg);
  void set_word(uint32_t xb, uint32_t row, uint32_t reg, uint64_t w);
  // Replays a stream in the text export format; returns the words read.
  std::vector<uint64_t> replay(const std::string& text);
  Costs costs;

 private:
  uint32_t X_, R_, P_, G_;
  std::vector<uint8_t> bits_;
  uint32_t xs_ = 0, xe_ = 0, xst_ = 1, rs_ = 0, re_ = 0, rst_ = 1;
};

}  // namespace pimref
