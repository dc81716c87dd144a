// PyPIM's scratch-register clobbering bug cannot happen: scratch registers are taken only from the
// registers free in the macro's crossbars, so live tensors are never overwritten; when too few are
// free the macro fails with a clear error; out-of-memory allocations fail cleanly.
#include <gtest/gtest.h>

#include "test_util.h"

using namespace pimtest;

namespace {

TEST(Registers, LiveTensorsAreNeverClobbered) {
  const uint64_t n = 100;
  for (Macro m : {Macro::Add, Macro::Mul}) {
    // learn the scratch the macro needs, then fill every other register with live tensors
    size_t need;
    {
      Machine probe(small_geometry());
      Tensor a = probe.alloc(n, DType::F32), b = probe.alloc_like(a, DType::F32),
             o = probe.alloc_like(a, DType::F32);
      probe.compile(m, o, {a, b});
      need = probe.last_scratch();
    }
    const int regs = int(small_geometry().regs());
    const int live = regs - 3 - int(need);
    ASSERT_GT(live, 0);
    Machine mc(small_geometry());
    std::mt19937_64 rng(1);
    std::vector<Tensor> ts;
    std::vector<std::vector<uint64_t>> vals;
    ts.push_back(mc.alloc(n, DType::F32));
    for (int i = 1; i < 3 + live; ++i) ts.push_back(mc.alloc_like(ts[0], DType::F32));
    for (auto& t : ts) {
      std::vector<uint64_t> v(n);
      for (auto& x : v) x = std::bit_cast<uint32_t>(float(rng() % 1000) / 7.f);
      mc.write(t, pack(v, DType::F32).data());
      vals.push_back(v);
    }
    mc.run(m, ts[2], {ts[0], ts[1]});
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i == 2) continue;
      std::vector<uint8_t> h(n * 4);
      mc.read(ts[i], h.data());
      ASSERT_EQ(unpack(h, DType::F32, n), vals[i]) << "tensor " << i << " was overwritten";
    }
    // one more live tensor: the macro cannot get its scratch and fails cleanly
    Tensor extra = mc.alloc_like(ts[0], DType::F32);
    (void)extra;
    try {
      mc.run(m, ts[2], {ts[0], ts[1]});
      FAIL() << "expected out of registers";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("out of registers"), std::string::npos);
    }
  }
}

TEST(Registers, OutOfRegistersAndMemoryAreClearErrors) {
  Machine mc(small_geometry());
  Tensor a = mc.alloc(64, DType::I32);
  for (int i = 1; i < 32; ++i) mc.alloc_like(a, DType::I32);
  try {
    mc.alloc_like(a, DType::I32);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("out of registers"), std::string::npos) << e.what();
  }
  try {
    mc.alloc(uint64_t(small_geometry().crossbars) * 64 + 1, DType::I32);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mc.alloc(0, DType::I32), std::invalid_argument);
}

TEST(Registers, AliasedOperandsAreSafe) {
  Machine mc(small_geometry());
  const uint64_t n = 50;
  std::vector<uint64_t> v(n);
  for (uint64_t i = 0; i < n; ++i) v[i] = i * 12345 + 7;
  Tensor a = mc.alloc(n, DType::I32);
  mc.write(a, pack(v, DType::I32).data());
  mc.run(Macro::Add, a, {a, a});  // a = a + a in place
  std::vector<uint8_t> h(n * 4);
  mc.read(a, h.data());
  auto got = unpack(h, DType::I32, n);
  for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(got[i], (2 * v[i]) & 0xFFFFFFFF);
}

}  // namespace

namespace {

TEST(MachineErrors, DtypeAndPlacementChecks) {
  Machine mc(small_geometry());
  Tensor a = mc.alloc(10, DType::I32), b = mc.alloc_like(a, DType::F32),
         c = mc.alloc_like(a, DType::I32), bl = mc.alloc_like(a, DType::Bool);
  EXPECT_THROW(mc.run(Macro::Add, c, {a, b}), std::invalid_argument);   // int32 + float32
  EXPECT_THROW(mc.run(Macro::Lt, c, {a, a}), std::invalid_argument);    // result must be bool
  EXPECT_THROW(mc.run(Macro::Where, c, {a, a, a}), std::invalid_argument);  // condition not bool
  EXPECT_THROW(mc.run(Macro::Add, c, {a}), std::invalid_argument);      // arity
  EXPECT_THROW(mc.run(Macro::Sub, bl, {bl, bl}), std::invalid_argument);  // NumPy: bool - bool
  EXPECT_NO_THROW(mc.run(Macro::Lt, bl, {a, c}));
}

}  // namespace
