// The ember `pim` device: one simulated PIM machine per process, its cost counters and profile.
// Kernels lower graph nodes to the machine's macros (pim_machine.md); this header is their shared
// state. Layering: depends on the core and the pim machine only, never on the cpu device.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "ember/backend/pim/machine.h"
#include "ember/graph/node.h"

namespace ember::pim {

// A kernel cannot lower this node (op, dtype or layout): NotImplementedError naming the op and
// "pim", or the cpu fallback when the user enabled it.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The simulated memory is full (Python MemoryError).
struct PimMemoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Host <-> PIM bulk transfers, costed like PyPIM's host I/O: one rw cycle and 32 energy units per
// 32-bit word moved (PyPIM issues one READ/WRITE per element).
struct Transfer {
  int64_t calls = 0, elements = 0, words = 0;
  Transfer& operator+=(const Transfer& o) {
    calls += o.calls, elements += o.elements, words += o.words;
    return *this;
  }
};

// The cost of one op at one Python line.
struct ProfileEntry {
  std::string op, origin;
  int64_t count = 0;
  Metrics cost;
  Transfer transfer;
  bool fallback = false;
};

struct DeviceState {
  std::unique_ptr<Machine> machine;
  std::recursive_mutex mu;  // kernels and frees (arrays can die on any thread)
  Transfer transfer;        // totals since reset_metrics
  bool fallback_cpu = false;
  bool profiling = false;
  std::map<std::pair<std::string, std::string>, ProfileEntry> profile;
  void (*warn)(const std::string&) = nullptr;  // installed by the bindings (Python warnings)
};

DeviceState& state();
Machine& machine();  // created on first use with the default (PyPIM) geometry
// Replaces the machine (all pim arrays must be gone).
void configure(const Geometry& g);
void reset_metrics();
// Registers the kernels and the fallback on DeviceType::PIM (idempotent).
void register_device();

// ---- arrays on the machine ----
// The machine tensor of an evaluated pim node: element i is the node's row-major element i.
const Tensor& tensor_of(const Node& n);
// Makes n's data own tensor t (freed when the last array using it dies).
void set_tensor(Node& n, const Tensor& t);
DType to_pim(ember::DType t);
// The machine dtype that stores t's bits for data movement only (transfers, views, gathers,
// concat, scatter, full): float16 / bfloat16 as 16-bit and complex64 as 64-bit words. Compute
// kernels use to_pim, which refuses those dtypes (no microcode).
DType to_pim_storage(ember::DType t);
// A zero-element tensor (holds no registers; zero-size arrays live nowhere on the machine).
inline Tensor empty_tensor(DType t) {
  Tensor e;
  e.dtype = t;
  return e;
}  // throws Unsupported for dtypes the machine has no microcode for
// Places n elements in the first crossbar range that keeps `reserve` registers free for the
// microcode's scratch (else the emptiest range).
Tensor alloc(uint64_t n, DType t, uint32_t epc = 0, int reserve = -1);
// A placement (no registers held) in a range with `reserve` free registers.
Tensor placement_for(uint64_t n, int reserve);
bool out_of_registers(const std::exception& e);
Tensor alloc_like(const Tensor& ref, DType t);
// A fresh tensor placed like `like` holding src's elements idx[0..], by MOVE micro-ops grouped
// into crossbar progressions (one MOVE per row pattern when the layouts are regular).
Tensor gather(const Tensor& src, const std::vector<uint64_t>& idx, const Tensor& like);
// Moves src[idx[k]] to dst[dst_idx[k]] (dst_idx empty: dst[k]) for every k.
void move_elements(const Tensor& src, const std::vector<uint64_t>& idx, const Tensor& dst,
                   const std::vector<uint64_t>& dst_idx);
// Fills t (all its elements) with a constant bit pattern: one WRITE per register.
void fill(const Tensor& t, uint64_t bits);
void charge(const Transfer& t);
// Runs a macro; combinations the microcode lacks (or cannot fit in the free registers) become
// Unsupported, so the node falls back or raises NotImplementedError naming the op.
void run(Macro m, const Tensor& out, const std::vector<Tensor>& in);

}  // namespace ember::pim
