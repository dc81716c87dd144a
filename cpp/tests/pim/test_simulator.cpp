// Micro-op semantics, costs and errors of the fast simulator, checked against the reference
// interpreter on random streams and against hand-computed cases.
#include <gtest/gtest.h>

#include <random>

#include "ember/backend/pim/simulator.h"
#include "reference_interpreter.h"

using namespace ember::pim;

namespace {

Geometry tiny() {
  Geometry g;
  g.crossbars = 6;
  g.rows = 100;  // not a multiple of 64
  g.columns = 8 * 16;
  g.partitions = 16;
  g.group = 4;
  return g;
}

TEST(Simulator, NorIsStatefulAndMasked) {
  Simulator s(tiny());
  s.execute(mask_crossbars(1, 1));
  s.execute(mask_rows(3, 3));
  s.execute(write_op(0, 0b1010));
  s.execute(write_op(1, 0b0110));
  s.execute(logic_h(Gate::Init1, 0, 0, 0, 0, 2, 0, 15));
  s.execute(logic_h(Gate::Nor, 0, 0, 1, 0, 2, 0, 15));
  EXPECT_EQ(*s.execute(read_op(2)), uint64_t(0xFFFF & ~0b1110));
  // without INIT the gate ANDs with the old value
  s.execute(write_op(3, 0b0001));
  s.execute(logic_h(Gate::Not, 0, 0, 0, 0, 3, 0, 3));
  EXPECT_EQ(*s.execute(read_op(3)), 0b0001u);
  // other rows untouched
  s.execute(mask_rows(4, 4));
  EXPECT_EQ(*s.execute(read_op(2)), 0u);
}

TEST(Simulator, ShiftedPatternReadsBeforeWrites) {
  Simulator s(tiny());
  s.execute(mask_crossbars(0, 0));
  s.execute(mask_rows(0, 0));
  s.execute(write_op(0, 0b0000000000000101));
  // in place: r0[p] &= ~r0[p-1] for p = 1..15 (reads the old values)
  s.execute(logic_h(Gate::Not, 0, 0, 0, 0, 0, 1, 15));
  EXPECT_EQ(*s.execute(read_op(0)), 0b0101u & ~(0b0101u << 1) & 0xFFFF);
}

TEST(Simulator, CostsFollowPyPimModel) {
  Simulator s(tiny());
  s.execute(mask_crossbars(0, 4, 2));  // 3 crossbars
  s.execute(mask_rows(10, 19));        // 10 rows
  s.execute(write_op(1, 5));
  s.execute(logic_h(Gate::Init1, 0, 0, 0, 0, 2, 1, 13, 4));  // 4 gates
  s.execute(logic_v(Gate::Not, 10, 11, 1));
  s.execute(move_op(10, 1, 12, 2, 1));
  s.flush();
  const Metrics& m = s.metrics();
  EXPECT_EQ(m[OpKind::Mask], (Cost{2, 0}));
  EXPECT_EQ(m[OpKind::ReadWrite], (Cost{1, 3 * 10 * 16}));
  EXPECT_EQ(m[OpKind::Logic], (Cost{2, 3 * 10 * 4 + 3 * 16}));
  EXPECT_EQ(m[OpKind::Move], (Cost{1, 3 * 16}));
  EXPECT_EQ(m.total().latency, 6);
}

TEST(Simulator, InvalidOpsThrow) {
  Simulator s(tiny());
  EXPECT_THROW(s.execute(mask_rows(5, 4)), std::invalid_argument);
  EXPECT_THROW(s.execute(mask_rows(0, 100)), std::invalid_argument);
  EXPECT_THROW(s.execute(mask_rows(0, 9, 2)), std::invalid_argument);
  EXPECT_THROW(s.execute(logic_h(Gate::Nor, 0, 3, 1, 2, 2, 0, 0)), std::invalid_argument);
  EXPECT_THROW(s.execute(logic_h(Gate::Not, 0, 10, 0, 0, 2, 0, 8)), std::invalid_argument);
  EXPECT_THROW(s.execute(logic_h(Gate::Init1, 0, 0, 0, 0, 8, 0, 0)), std::invalid_argument);
  EXPECT_THROW(s.execute(read_op(0)), std::invalid_argument);  // many rows selected
  s.execute(mask_crossbars(3, 5));
  EXPECT_THROW(s.execute(move_op(0, 0, 0, 0, 4)), std::invalid_argument);  // 5 + 1 out of range
  EXPECT_THROW(s.execute(logic_v(Gate::Nor, 0, 1, 0)), std::invalid_argument);
}

TEST(Simulator, LazyAllocation) {
  Geometry g;  // PyPIM's default geometry: 65,536 crossbars of 1024 x 1024
  Simulator s(g);
  EXPECT_EQ(s.allocated_bytes(), 0u);
  s.execute(mask_crossbars(100, 100));
  s.execute(mask_rows(0, 1023));
  s.execute(logic_h(Gate::Init1, 0, 0, 0, 0, 5, 0, 31));
  s.flush();
  EXPECT_EQ(s.allocated_bytes(), size_t(g.group) * 1024 * 1024 / 8);
  EXPECT_EQ(s.peek(100, 7, 5), 0xFFFFFFFFu);
  EXPECT_EQ(s.peek(101, 7, 5), 0u);
}

TEST(Simulator, TextRoundTrip) {
  std::vector<MicroOp> ops = {mask_crossbars(1, 5, 2), mask_rows(0, 63),
                              write_op(3, 0xABCD),    logic_h(Gate::Nor, 1, 2, 3, 4, 5, 6, 10, 2),
                              logic_v(Gate::Not, 3, 4, 5), move_op(1, 2, 3, 4, -7),
                              read_op(9)};
  auto back = from_text(to_text(ops));
  EXPECT_EQ(to_text(back), to_text(ops));
  EXPECT_THROW(from_text("XX 1 2"), std::invalid_argument);
}

// Random streams of every micro-op kind: the fast simulator and the reference interpreter must
// agree on every bit, every read and every cost counter.
TEST(Simulator, RandomStreamsMatchReference) {
  const Geometry g = tiny();
  std::mt19937 rng(42);
  for (int trial = 0; trial < 20; ++trial) {
    Simulator s(g);
    pimref::RefMachine ref(g.crossbars, g.rows, g.partitions, g.regs());
    std::vector<MicroOp> ops;
    auto R = [&](uint32_t n) { return uint32_t(rng() % n); };
    uint32_t xs = 0, xe = g.crossbars - 1, rs = 0, re = g.rows - 1;
    for (int i = 0; i < 400; ++i) {
      const uint32_t k = R(20);
      if (k == 0) {
        xs = R(g.crossbars);
        const uint32_t step = 1 + R(2);
        xe = xs + step * R((g.crossbars - 1 - xs) / step + 1);
        ops.push_back(mask_crossbars(xs, xe, step));
      } else if (k == 1) {
        rs = R(g.rows);
        const uint32_t step = 1 + R(3);
        re = rs + step * R((g.rows - 1 - rs) / step + 1);
        ops.push_back(mask_rows(rs, re, step));
      } else if (k == 2) {
        ops.push_back(write_op(uint16_t(R(g.regs())), rng() & 0xFFFF));
      } else if (k == 3) {
        ops.push_back(logic_v(Gate(R(3)), R(g.rows), R(g.rows), uint16_t(R(g.regs()))));
      } else if (k == 4) {
        // move to a random offset that stays in range (crossbar mask [xs, xe])
        const int64_t lo = -int64_t(xs), hi = int64_t(g.crossbars - 1) - int64_t(xe);
        const int64_t d = lo + int64_t(R(uint32_t(hi - lo + 1)));
        ops.push_back(move_op(R(g.rows), uint16_t(R(g.regs())), R(g.rows), uint16_t(R(g.regs())),
                              int64_t(xs) + d));
      } else {
        const Gate gt = Gate(R(4));
        const uint32_t step = 1 + R(3);
        const uint32_t cnt = 1 + R(g.partitions / step);
        const uint32_t span = (cnt - 1) * step;
        const uint32_t po = R(g.partitions - span);
        uint32_t pa = R(g.partitions - span), pb = R(g.partitions - span);
        if (pa > pb) std::swap(pa, pb);
        ops.push_back(logic_h(gt, uint16_t(R(g.regs())), uint16_t(pa), uint16_t(R(g.regs())),
                              uint16_t(pb), uint16_t(R(g.regs())), uint16_t(po),
                              uint16_t(po + span), uint16_t(step)));
      }
    }
    // finish with reads of single rows
    ops.push_back(mask_crossbars(2, 2));
    ops.push_back(mask_rows(77, 77));
    for (uint16_t r = 0; r < g.regs(); ++r) ops.push_back(read_op(r));
    auto a = s.run(ops);
    auto b = ref.replay(to_text(ops));
    ASSERT_EQ(a, b);
    for (uint32_t x = 0; x < g.crossbars; ++x)
      for (uint32_t row = 0; row < g.rows; ++row)
        for (uint32_t reg = 0; reg < g.regs(); ++reg)
          ASSERT_EQ(s.peek(x, row, reg), ref.word(x, row, reg)) << x << " " << row << " " << reg;
    for (int k = 0; k < kNumKinds; ++k) {
      EXPECT_EQ(s.metrics().kind[k].latency, ref.costs.latency[k]);
      EXPECT_EQ(s.metrics().kind[k].energy, ref.costs.energy[k]);
    }
  }
}

}  // namespace
