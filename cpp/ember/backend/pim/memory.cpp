#include "memory.h"

#include <stdexcept>
#include <string>

namespace ember::pim {

Memory::Memory(const Geometry& g) : g_(g) {
  g_.validate();
  xb_words_ = size_t(g_.regs()) * g_.partitions * g_.row_words();
  groups_.resize((g_.crossbars + g_.group - 1) / g_.group);
}

void Memory::ensure(uint32_t first, uint32_t last) {
  if (last >= g_.crossbars) throw std::out_of_range("pim memory: crossbar out of range");
  std::lock_guard<std::mutex> lock(mu_);
  for (uint32_t gi = first / g_.group; gi <= last / g_.group; ++gi) {
    if (!groups_[gi]) {
      try {
        groups_[gi] = std::make_unique<uint64_t[]>(xb_words_ * g_.group);  // zeroed
      } catch (const std::bad_alloc&) {
        throw std::runtime_error("pim memory: out of host memory allocating crossbar group " +
                                 std::to_string(gi));
      }
    }
  }
}

uint64_t* Memory::crossbar(uint32_t xb) {
  auto& grp = groups_[xb / g_.group];
  if (!grp) ensure(xb, xb);
  return grp.get() + size_t(xb % g_.group) * xb_words_;
}

uint64_t* Memory::column(uint32_t xb, uint32_t reg, uint32_t part) {
  return crossbar(xb) + (size_t(reg) * g_.partitions + part) * g_.row_words();
}

const uint64_t* Memory::column_if(uint32_t xb, uint32_t reg, uint32_t part) const {
  const auto& grp = groups_[xb / g_.group];
  if (!grp) return nullptr;
  return grp.get() + size_t(xb % g_.group) * xb_words_ +
         (size_t(reg) * g_.partitions + part) * g_.row_words();
}

uint64_t Memory::read_word(uint32_t xb, uint32_t row, uint32_t reg) const {
  uint64_t w = 0;
  for (uint32_t p = 0; p < g_.partitions; ++p) {
    const uint64_t* c = column_if(xb, reg, p);
    if (c && ((c[row >> 6] >> (row & 63)) & 1)) w |= uint64_t(1) << p;
  }
  return w;
}

void Memory::write_word(uint32_t xb, uint32_t row, uint32_t reg, uint64_t word) {
  const uint64_t bit = uint64_t(1) << (row & 63);
  for (uint32_t p = 0; p < g_.partitions; ++p) {
    uint64_t& c = column(xb, reg, p)[row >> 6];
    c = ((word >> p) & 1) ? (c | bit) : (c & ~bit);
  }
}

size_t Memory::allocated_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& g : groups_)
    if (g) n += xb_words_ * g_.group * sizeof(uint64_t);
  return n;
}

}  // namespace ember::pim
