// The PIM machine: executes micro-ops on bit-sliced memory and accounts their cost.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "cost_model.h"
#include "memory.h"
#include "microop.h"

namespace ember::pim {

struct RangeMask {
  uint32_t start = 0, stop = 0, step = 1;  // inclusive stop
  uint32_t count() const { return (stop - start) / step + 1; }
};

class Simulator {
 public:
  explicit Simulator(const Geometry& g = {});
  const Geometry& geometry() const { return mem_.geometry(); }

  // Executes one micro-op (logic ops are buffered and flushed in batches). Returns the word for a
  // Read. Invalid ops throw std::invalid_argument / std::out_of_range.
  std::optional<uint64_t> execute(const MicroOp& op);
  // Executes a stream; returns the words of its Reads in order.
  std::vector<uint64_t> run(const std::vector<MicroOp>& ops);
  void flush();

  const Metrics& metrics() const { return metrics_; }
  // Cost-only mode: micro-ops are validated and costed (masks tracked) but not applied to memory;
  // reads return 0. Costs are data independent, so this gives the exact cost of a stream whose
  // results were verified by executing it on a smaller machine.
  bool dry_run = false;
  void reset_metrics() { metrics_ = {}; }
  const RangeMask& crossbar_mask() const { return xmask_; }
  const RangeMask& row_mask() const { return rmask_; }

  // Host access that bypasses the micro-op interface (bulk transfer; not counted in metrics).
  uint64_t peek(uint32_t xb, uint32_t row, uint32_t reg);
  void poke(uint32_t xb, uint32_t row, uint32_t reg, uint64_t word);
  size_t allocated_bytes() const { return mem_.allocated_bytes(); }

 private:
  void validate(const MicroOp& op) const;
  void set_mask(RangeMask& m, const MicroOp& op, uint32_t limit, const char* what);
  void run_logic_batch();
  void exec_h(uint32_t xb, const MicroOp& op);
  void exec_v(uint32_t xb, const MicroOp& op);

  Memory mem_;
  RangeMask xmask_, rmask_;
  std::vector<uint64_t> row_bits_;  // current row mask as a bit vector
  bool rows_full_ = true;
  std::vector<MicroOp> pending_;
  Metrics metrics_;
};

}  // namespace ember::pim
