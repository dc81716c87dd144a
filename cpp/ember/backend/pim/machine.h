// The C++ API of the PIM device: tensors as register ranges, bulk transfer, macro execution,
// metrics. Register allocation never hands out a register that microcode uses as scratch: scratch
// registers are taken, per macro, from the registers that are free in the macro's crossbars.
#pragma once
#include <cstdint>
#include <vector>

#include "dtype.h"
#include "macro.h"
#include "simulator.h"

namespace ember::pim {

// n elements; element i lives in crossbar xb0 + (i / rows_used) * xstep, row
// row0 + (i % rows_used) * rstep, registers regs. A view (strided slice) is a Tensor with the same
// registers and another placement; it does not own its registers.
struct Tensor {
  uint64_t n = 0;
  DType dtype = DType::I32;
  uint32_t xb0 = 0, nxb = 0, rows_used = 0;
  uint32_t row0 = 0, rstep = 1, xstep = 1;
  Val regs;
  bool same_place(const Tensor& o) const {
    return n == o.n && xb0 == o.xb0 && nxb == o.nxb && rows_used == o.rows_used &&
           row0 == o.row0 && rstep == o.rstep && xstep == o.xstep;
  }
  uint32_t span() const { return (nxb - 1) * xstep + 1; }  // crossbars covered
  bool dense() const { return row0 == 0 && rstep == 1 && xstep == 1; }
};

class Machine {
 public:
  explicit Machine(const Geometry& g = {});
  const Geometry& geometry() const { return sim_.geometry(); }
  Simulator& sim() { return sim_; }

  // epc: elements per crossbar (default: the geometry's rows); element i lives in crossbar
  // xb0 + i / epc, row i % epc.
  Tensor alloc(uint64_t n, DType t, uint32_t epc = 0);
  // A tensor placed in the same crossbars and rows as ref (needed for element-wise operands).
  Tensor alloc_like(const Tensor& ref, DType t);
  void free(const Tensor& t);
  // The view t[start:stop:step] (Python slice semantics, step > 0). Supported when every crossbar
  // holds the same row pattern (PyPIM's rule): the slice stays in one crossbar, or step divides
  // the rows per crossbar and the slice covers whole row patterns, or the rows per crossbar
  // divide step. Otherwise throws std::invalid_argument.
  Tensor view(const Tensor& t, uint64_t start, uint64_t stop, uint64_t step) const;
  // Registers currently allocated in crossbar xb (bit r = register r).
  uint64_t used_registers(uint32_t xb) const { return used_[xb]; }

  // Bulk host <-> PIM transfer of raw element bit patterns (bool: one byte per element).
  // Direct memory access, not counted as micro-ops.
  void write(const Tensor& t, const void* host);
  void read(const Tensor& t, void* host);
  template <class T>
  std::vector<T> read_vec(const Tensor& t) {
    std::vector<T> v(t.n);
    read(t, v.data());
    return v;
  }

  // The micro-op stream (including its two masks) of an element-wise macro.
  std::vector<MicroOp> compile(Macro m, const Tensor& out, const std::vector<Tensor>& in);
  // Compile and execute; returns the cost of this macro.
  Metrics run(Macro m, const Tensor& out, const std::vector<Tensor>& in);
  // Execute an arbitrary stream; returns its cost.
  Metrics execute(const std::vector<MicroOp>& ops);
  const Metrics& metrics() const { return sim_.metrics(); }
  void reset_metrics() { sim_.reset_metrics(); }

  // Float semantics of the macros compiled from now on.
  FloatMode float_mode = FloatMode::IEEE;

  // Keep a copy of the last executed stream (for export / replay).
  bool keep_stream = false;
  const std::vector<MicroOp>& last_stream() const { return last_; }
  void keep(const std::vector<MicroOp>& ops) { last_ = ops; }

  // Peak scratch registers used by the last compiled macro.
  size_t last_scratch() const { return last_scratch_; }
  // Scratch registers free in crossbars [xb0, xb0 + nxb).
  std::vector<uint16_t> free_registers(uint32_t xb0, uint32_t nxb) const;

 private:
  Simulator sim_;
  std::vector<uint64_t> used_;
  std::vector<MicroOp> last_;
  size_t last_scratch_ = 0;
};

}  // namespace ember::pim
