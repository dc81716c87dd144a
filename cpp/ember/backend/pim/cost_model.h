// PyPIM's cost model: every micro-op has latency 1; energy depends on its type (pim.md §1.4).
#pragma once
#include <array>
#include <cstdint>

#include "microop.h"

namespace ember::pim {

struct Cost {
  int64_t latency = 0;
  int64_t energy = 0;
  Cost& operator+=(const Cost& o) {
    latency += o.latency, energy += o.energy;
    return *this;
  }
  Cost& operator-=(const Cost& o) {
    latency -= o.latency, energy -= o.energy;
    return *this;
  }
  friend bool operator==(const Cost&, const Cost&) = default;
};

// One counter per micro-op kind {mask, rw, logic, move}.
struct Metrics {
  std::array<Cost, kNumKinds> kind{};
  Cost total() const {
    Cost t;
    for (const auto& k : kind) t += k;
    return t;
  }
  const Cost& operator[](OpKind k) const { return kind[static_cast<int>(k)]; }
  Cost& operator[](OpKind k) { return kind[static_cast<int>(k)]; }
  Metrics& operator+=(const Metrics& o) {
    for (int i = 0; i < kNumKinds; ++i) kind[i] += o.kind[i];
    return *this;
  }
  friend Metrics operator-(Metrics a, const Metrics& b) {
    for (int i = 0; i < kNumKinds; ++i) a.kind[i] -= b.kind[i];
    return a;
  }
  friend bool operator==(const Metrics&, const Metrics&) = default;
};

// Energy of one micro-op. X = active crossbars, R = active rows, P = partitions (word bits).
inline int64_t op_energy(const MicroOp& op, int64_t X, int64_t R, int64_t P) {
  switch (op.code) {
    case OpCode::MaskCrossbars:
    case OpCode::MaskRows: return 0;
    case OpCode::Read: return P;
    case OpCode::Write: return X * R * P;
    case OpCode::LogicH: return X * R * ((op.p_end - op.p_out) / op.p_step + 1);
    case OpCode::LogicV: return X * P;
    case OpCode::Move: return X * P;
  }
  return 0;
}

}  // namespace ember::pim
