// Geometry of the simulated PIM memory (run-time configurable).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ember::pim {

struct Geometry {
  uint32_t crossbars = 65536;   // number of crossbars ("warps")
  uint32_t rows = 1024;         // rows per crossbar ("threads")
  uint32_t columns = 1024;      // bit columns per row
  uint32_t partitions = 32;     // horizontal partitions per crossbar
  uint32_t group = 64;          // crossbars per lazily allocated memory group

  uint32_t regs() const { return columns / partitions; }  // intra-partition indices
  uint32_t row_words() const { return (rows + 63) / 64; }

  void validate() const {
    if (crossbars == 0 || rows == 0 || columns == 0 || partitions == 0 || group == 0)
      throw std::invalid_argument("pim geometry: all sizes must be positive");
    if (partitions > 64)
      throw std::invalid_argument("pim geometry: at most 64 partitions (got " +
                                  std::to_string(partitions) + ")");
    if (columns % partitions != 0)
      throw std::invalid_argument("pim geometry: columns must be a multiple of partitions");
  }
};

}  // namespace ember::pim
