// Bit-sliced simulated memory: per crossbar, per (register, partition) column, a bit vector over
// rows (64 rows per machine word). Crossbar groups are allocated on first touch.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "geometry.h"

namespace ember::pim {

class Memory {
 public:
  explicit Memory(const Geometry& g);
  const Geometry& geometry() const { return g_; }

  // Column of bits over rows; allocates the crossbar's group if needed (not thread-safe unless
  // ensure() was called for the crossbar first).
  uint64_t* column(uint32_t xb, uint32_t reg, uint32_t part);
  // Read-only column, nullptr if the group was never touched (all zeros).
  const uint64_t* column_if(uint32_t xb, uint32_t reg, uint32_t part) const;
  // Allocate the groups covering crossbars [first, last].
  void ensure(uint32_t first, uint32_t last);

  uint64_t read_word(uint32_t xb, uint32_t row, uint32_t reg) const;
  void write_word(uint32_t xb, uint32_t row, uint32_t reg, uint64_t word);

  size_t allocated_bytes() const;

 private:
  uint64_t* crossbar(uint32_t xb);
  Geometry g_;
  size_t xb_words_;  // words per crossbar
  std::vector<std::unique_ptr<uint64_t[]>> groups_;
  mutable std::mutex mu_;
};

}  // namespace ember::pim
