// Shared helpers for the PIM tests: run a macro on a small machine, optionally replaying its
// exported stream on the reference interpreter.
#pragma once
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "ember/backend/pim/machine.h"
#include "reference_interpreter.h"

namespace pimtest {

using namespace ember::pim;

inline Geometry small_geometry() {
  Geometry g;
  g.crossbars = 16;
  g.rows = 64;
  g.columns = 1024;
  g.partitions = 32;
  g.group = 4;
  return g;
}

// A machine wide enough for the sorting network's work area (4,096 crossbars of 64 rows).
inline Geometry sort_geometry() {
  Geometry g = small_geometry();
  g.crossbars = 4096;
  g.rows = 64;
  g.group = 256;
  return g;
}

// A reference machine holding every word of mc's memory, to replay mc's next stream on.
inline pimref::RefMachine mirror(Machine& mc) {
  const Geometry& g = mc.geometry();
  pimref::RefMachine ref(g.crossbars, g.rows, g.partitions, g.regs());
  for (uint32_t x = 0; x < g.crossbars; ++x)
    for (uint32_t r = 0; r < g.rows; ++r)
      for (uint32_t reg = 0; reg < g.regs(); ++reg) ref.set_word(x, r, reg, mc.sim().peek(x, r, reg));
  return ref;
}

inline uint64_t width_mask(DType t) {
  const uint32_t w = dtype_bits(t);
  return w == 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
}

inline std::vector<uint8_t> pack(const std::vector<uint64_t>& v, DType t) {
  const uint32_t bytes = t == DType::Bool ? 1 : dtype_bits(t) / 8;
  std::vector<uint8_t> out(v.size() * bytes);
  for (size_t i = 0; i < v.size(); ++i) std::memcpy(out.data() + i * bytes, &v[i], bytes);
  return out;
}

inline std::vector<uint64_t> unpack(const std::vector<uint8_t>& b, DType t, size_t n) {
  const uint32_t bytes = t == DType::Bool ? 1 : dtype_bits(t) / 8;
  std::vector<uint64_t> v(n, 0);
  for (size_t i = 0; i < n; ++i) std::memcpy(&v[i], b.data() + i * bytes, bytes);
  return v;
}

struct RunResult {
  std::vector<uint64_t> out;
  Metrics cost;
  size_t stream_len = 0;
};

// Runs macro m on inputs (bit patterns) of dtypes in_types; out dtype out_t.
// With replay, the exported stream is replayed on the reference interpreter from the same
// initial memory, and the full register state and the costs must agree.
inline RunResult run_macro(Macro m, const std::vector<DType>& in_types, DType out_t,
                           const std::vector<std::vector<uint64_t>>& ins, bool replay = false,
                           Geometry geo = small_geometry(), FloatMode mode = FloatMode::IEEE) {
  Machine mc(geo);
  mc.float_mode = mode;
  const size_t n = ins[0].size();
  std::vector<Tensor> ts;
  Tensor first = mc.alloc(n, in_types[0]);
  ts.push_back(first);
  for (size_t i = 1; i < ins.size(); ++i) ts.push_back(mc.alloc_like(first, in_types[i]));
  for (size_t i = 0; i < ins.size(); ++i) {
    auto bytes = pack(ins[i], in_types[i]);
    mc.write(ts[i], bytes.data());
  }
  Tensor out = mc.alloc_like(first, out_t);
  std::unique_ptr<pimref::RefMachine> ref;
  const Geometry& g = mc.geometry();
  if (replay) {
    ref = std::make_unique<pimref::RefMachine>(g.crossbars, g.rows, g.partitions, g.regs());
    for (uint32_t x = 0; x < first.nxb; ++x)
      for (uint32_t r = 0; r < g.rows; ++r)
        for (uint32_t reg = 0; reg < g.regs(); ++reg)
          ref->set_word(first.xb0 + x, r, reg, mc.sim().peek(first.xb0 + x, r, reg));
  }
  mc.keep_stream = true;
  RunResult res;
  res.cost = mc.run(m, out, ts);
  res.stream_len = mc.last_stream().size();
  std::vector<uint8_t> host(n * 8);
  mc.read(out, host.data());
  res.out = unpack(host, out_t, n);
  if (replay) {
    ref->replay(to_text(mc.last_stream()));
    size_t bad = 0;
    for (uint32_t x = 0; x < first.nxb; ++x)
      for (uint32_t r = 0; r < g.rows; ++r)
        for (uint32_t reg = 0; reg < g.regs(); ++reg)
          bad += ref->word(first.xb0 + x, r, reg) != mc.sim().peek(first.xb0 + x, r, reg);
    EXPECT_EQ(bad, 0u) << "reference interpreter disagrees with the simulator for "
                       << macro_name(m);
    for (int k = 0; k < kNumKinds; ++k) {
      EXPECT_EQ(ref->costs.latency[k], res.cost.kind[k].latency) << "kind " << k;
      EXPECT_EQ(ref->costs.energy[k], res.cost.kind[k].energy) << "kind " << k;
    }
  }
  return res;
}

// Edge values plus random values over the full range of a dtype (bit patterns).
inline std::vector<uint64_t> int_edges(DType t) {
  const uint32_t w = dtype_bits(t);
  const uint64_t mask = width_mask(t);
  if (t == DType::Bool) return {0, 1};
  std::vector<uint64_t> e = {0, 1, 2, 3, 7, mask, mask - 1, mask >> 1, (mask >> 1) - 1,
                             uint64_t(1) << (w - 1), (uint64_t(1) << (w - 1)) + 1, 5 & mask};
  return e;
}

inline std::vector<uint64_t> rand_bits(std::mt19937_64& rng, DType t, size_t n) {
  std::vector<uint64_t> v(n);
  for (auto& x : v) {
    uint64_t r = rng();
    // mix magnitudes: sometimes small values
    const int shift = int(rng() % 4) * int(dtype_bits(t) / 4);
    if (rng() % 3 == 0) r >>= shift;
    x = r & width_mask(t);
  }
  return v;
}

}  // namespace pimtest
