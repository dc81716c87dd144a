// Prints the measured cycles and energy of every macro on 2^16 elements (64 crossbars x 1024
// rows, PyPIM's default geometry and cost model), side by side with PyPIM's published figures
// (pim.md §2.5; they include 2 mask cycles, as ours do). Usage: pim_costs [--markdown]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>
#include <bit>

#include "ember/backend/pim/collectives.h"
#include "ember/backend/pim/machine.h"

using namespace ember::pim;

namespace {

struct PyPim {
  long latency;
  long energy;
};
// PyPIM unit-test results, n = 65,536 (pim.md §2.5).
const std::map<std::pair<Macro, DType>, PyPim> kPyPim = {
    {{Macro::Add, DType::I32}, {97, 89063424}},       {{Macro::Add, DType::F32}, {1369, 668532736}},
    {{Macro::Sub, DType::I32}, {100, 93323264}},      {{Macro::Sub, DType::F32}, {1374, 676855808}},
    {{Macro::Mul, DType::I32}, {1158, 1551892480}},   {{Macro::Mul, DType::F32}, {1584, 1148649472}},
    {{Macro::FloorDiv, DType::I32}, {4456, 4178247680}}, {{Macro::TrueDiv, DType::F32}, {4168, 2979528704}},
    {{Macro::Lt, DType::I32}, {104, 95617024}},       {{Macro::Lt, DType::F32}, {1378, 679149568}},
    {{Macro::Gt, DType::I32}, {104, 95617024}},       {{Macro::Gt, DType::F32}, {1378, 679149568}},
    {{Macro::Le, DType::I32}, {125, 116654080}},      {{Macro::Le, DType::F32}, {1399, 700186624}},
    {{Macro::Ge, DType::I32}, {125, 116654080}},      {{Macro::Ge, DType::F32}, {1399, 700186624}},
    {{Macro::Eq, DType::I32}, {117, 105971712}},      {{Macro::Eq, DType::F32}, {1391, 689504256}},
    {{Macro::Ne, DType::I32}, {119, 110166016}},      {{Macro::Ne, DType::F32}, {1393, 693698560}},
    // driver-level figures (pim.md §2.2, + 2 mask cycles)
    {{Macro::Mod, DType::I32}, {4290, 0}},            {{Macro::Neg, DType::I32}, {87, 0}},
    {{Macro::Abs, DType::I32}, {111, 0}},             {{Macro::Neg, DType::F32}, {7, 0}},
    {{Macro::Abs, DType::F32}, {7, 0}},               {{Macro::And, DType::I32}, {8, 0}},
    {{Macro::Or, DType::I32}, {6, 0}},                {{Macro::Xor, DType::I32}, {12, 0}},
    {{Macro::Not, DType::I32}, {4, 0}},               {{Macro::Where, DType::I32}, {21, 0}},
    {{Macro::Copy, DType::I32}, {6, 0}},              {{Macro::Sin, DType::F32}, {326019, 186460798976}},
    {{Macro::Cos, DType::F32}, {326019, 186460798976}},
};

}  // namespace

int main(int argc, char** argv) {
  const bool md = argc > 1 && std::strcmp(argv[1], "--markdown") == 0;
  if (argc > 1 && std::strcmp(argv[1], "--pinned") == 0) {
    // C++ table for cpp/tests/pim/test_costs_pinned.cpp (cost-only runs, 2^16 elements)
    const Macro all_ops[] = {Macro::Copy, Macro::Add, Macro::Sub, Macro::Mul, Macro::TrueDiv,
                             Macro::FloorDiv, Macro::Mod, Macro::Neg, Macro::Abs, Macro::Sign,
                             Macro::Lt, Macro::Le, Macro::Gt, Macro::Ge, Macro::Eq, Macro::Ne,
                             Macro::Min, Macro::Max, Macro::And, Macro::Or, Macro::Xor, Macro::Not,
                             Macro::Shl, Macro::Shr, Macro::Where, Macro::Sqrt, Macro::Sin,
                             Macro::Cos};
    for (auto t : kAllDTypes)
      for (auto m : all_ops) {
        Machine pm;
        pm.sim().dry_run = true;
        const int ar = macro_arity(m);
        Tensor a = pm.alloc(65536, ar == 3 ? DType::Bool : t);
        std::vector<Tensor> in = {a};
        for (int i = 1; i < ar; ++i) in.push_back(pm.alloc_like(a, t));
        Tensor o = pm.alloc_like(a, result_dtype(m, t));
        try {
          const Metrics c = pm.run(m, o, in);
          std::printf("    {%d, %d, %ld, %ld},  // %s %s\n", int(m), int(t), long(c.total().latency),
                      long(c.total().energy), macro_name(m), dtype_name(t));
        } catch (const std::exception&) {
        }
      }
    std::printf("---\n");  // the reduction pins (kReducePins)
    for (auto t : {DType::I32, DType::F32, DType::I64, DType::F64})
      for (auto r : {Reduce::Sum, Reduce::Prod, Reduce::Min, Reduce::Max}) {
        Machine pm;
        pm.sim().dry_run = true;
        Tensor a = pm.alloc(65536, t);
        const Metrics c = reduce(pm, r, a).cost;
        std::printf("    {%d, %d, %ld, %ld},  // %s %s\n", int(r), int(t), long(c.total().latency),
                    long(c.total().energy), reduce_name(r), dtype_name(t));
      }
    return 0;
  }
  const uint64_t n = 65536;
  Machine mc;  // default geometry
  std::mt19937_64 rng(1);
  const Macro ops[] = {Macro::Add, Macro::Sub, Macro::Mul, Macro::TrueDiv, Macro::FloorDiv,
                       Macro::Mod, Macro::Neg, Macro::Abs, Macro::Sign, Macro::Lt, Macro::Le,
                       Macro::Gt, Macro::Ge, Macro::Eq, Macro::Ne, Macro::Min, Macro::Max,
                       Macro::And, Macro::Or, Macro::Xor, Macro::Not, Macro::Shl, Macro::Shr,
                       Macro::Where, Macro::Copy, Macro::Sqrt, Macro::Sin, Macro::Cos};
  const DType types[] = {DType::I8, DType::I16, DType::I32, DType::I64, DType::U32,
                         DType::F32, DType::F64, DType::Bool};
  if (md) {
    std::printf("| op | dtype | cycles (mask/logic) | energy | PyPIM cycles | ratio | PyPIM energy |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
  } else {
    std::printf("%-14s %-8s %8s %14s %10s %7s\n", "op", "dtype", "cycles", "energy", "PyPIM",
                "ratio");
  }
  for (auto t : types) {
    for (auto m : ops) {
      const int ar = macro_arity(m);
      Tensor a = mc.alloc(n, ar == 3 ? DType::Bool : t);
      std::vector<Tensor> in = {a};
      for (int i = 1; i < ar; ++i) in.push_back(mc.alloc_like(a, t));
      const DType out_t = result_dtype(m, t);
      Tensor o = mc.alloc_like(a, out_t);
      Metrics c;
      bool ok = true;
      std::string err;
      try {
        c = mc.run(m, o, in);
      } catch (const std::exception& e) {
        ok = false;
        err = e.what();
      }
      for (auto& x : in) mc.free(x);
      mc.free(o);
      if (!ok) continue;  // not implemented for this dtype
      const long cyc = c.total().latency;
      auto it = kPyPim.find({m, t});
      char pyc[32] = "-", ratio[32] = "-", pye[32] = "-";
      if (it != kPyPim.end()) {
        std::snprintf(pyc, sizeof pyc, "%ld", it->second.latency);
        std::snprintf(ratio, sizeof ratio, "%.2f", double(cyc) / double(it->second.latency));
        if (it->second.energy) std::snprintf(pye, sizeof pye, "%ld", it->second.energy);
      }
      if (md)
        std::printf("| %s | %s | %ld (%ld/%ld) | %ld | %s | %s | %s |\n", macro_name(m),
                    dtype_name(t), cyc, long(c[OpKind::Mask].latency),
                    long(c[OpKind::Logic].latency), long(c.total().energy), pyc, ratio, pye);
      else
        std::printf("%-14s %-8s %8ld %14ld %10s %7s\n", macro_name(m), dtype_name(t), cyc,
                    long(c.total().energy), pyc, ratio);
    }
  }
  // Fast float mode (PyPIM's semantics: no subnormals / inf / NaN).
  mc.float_mode = FloatMode::Fast;
  for (auto m : {Macro::Add, Macro::Sub, Macro::Mul, Macro::TrueDiv}) {
    Tensor a = mc.alloc(n, DType::F32), b = mc.alloc_like(a, DType::F32),
           o = mc.alloc_like(a, DType::F32);
    Metrics c;
    try {
      c = mc.run(m, o, {a, b});
    } catch (const std::exception&) {
      mc.free(a), mc.free(b), mc.free(o);
      continue;
    }
    mc.free(a), mc.free(b), mc.free(o);
    auto it = kPyPim.find({m, DType::F32});
    const long cyc = c.total().latency;
    if (md)
      std::printf("| %s (fast) | float32 | %ld (%ld/%ld) | %ld | %ld | %.2f | %ld |\n", macro_name(m),
                  cyc, long(c[OpKind::Mask].latency), long(c[OpKind::Logic].latency),
                  long(c.total().energy), it->second.latency, double(cyc) / it->second.latency,
                  it->second.energy);
    else
      std::printf("%-14s %-8s %8ld %14ld %10ld %7.2f\n", (std::string(macro_name(m)) + "/fast").c_str(),
                  "float32", cyc, long(c.total().energy), it->second.latency,
                  double(cyc) / it->second.latency);
  }
  mc.float_mode = FloatMode::IEEE;
  // Reductions on 2^16 elements (float32 sum / prod also in fast mode).
  for (int fastpass = 0; fastpass < 2; ++fastpass)
  for (auto t : {DType::I32, DType::F32}) {
    if (fastpass && t != DType::F32) continue;
    for (auto r : {Reduce::Sum, Reduce::Prod, Reduce::Min, Reduce::Max}) {
      if (fastpass && r != Reduce::Sum && r != Reduce::Prod) continue;
      mc.float_mode = fastpass ? FloatMode::Fast : FloatMode::IEEE;
      Tensor a = mc.alloc(n, t);
      const Metrics c = reduce(mc, r, a).cost;
      mc.free(a);
      long py = 0;
      if (t == DType::I32) py = r == Reduce::Sum ? 2644 : r == Reduce::Prod ? 19620 : 0;
      else py = r == Reduce::Sum ? 22996 : r == Reduce::Prod ? 26436 : 0;
      const long cyc = c.total().latency;
      char pyc[32] = "-", ratio[32] = "-";
      if (py) {
        std::snprintf(pyc, sizeof pyc, "%ld", py);
        std::snprintf(ratio, sizeof ratio, "%.2f", double(cyc) / double(py));
      }
      mc.float_mode = FloatMode::IEEE;
      if (md)
        std::printf("| %s%s (2^16, mask %ld, logic %ld, move %ld) | %s | %ld | %ld | %s | %s | |\n",
                    reduce_name(r), fastpass ? " (fast)" : "", long(c[OpKind::Mask].latency),
                    long(c[OpKind::Logic].latency),
                    long(c[OpKind::Move].latency), dtype_name(t), cyc, long(c.total().energy),
                    pyc, ratio);
      else
        std::printf("%-14s %-8s %8ld %14ld %10s %7s\n",
                    (std::string(reduce_name(r)) + (fastpass ? "/fast" : "")).c_str(), dtype_name(t), cyc,
                    long(c.total().energy), pyc, ratio);
    }
  }
  // Sort (single group), cost-only run of the exact stream.
  {
    const std::pair<uint64_t, long> cases[] = {
        {1024, 66748},    {4096, 105082},    {16384, 199367},   {65536, 515628},
        {1u << 18, 1717957}, {1u << 20, 6462722}, {1u << 22, 25375395}, {1u << 24, 100957864},
        {1u << 26, 403217681}};
    for (auto [ns, py] : cases) {
      Machine sm;
      sm.sim().dry_run = true;
      Tensor a = sm.alloc(ns, DType::I32);
      const Metrics c = sort(sm, a);
      const long cyc = c.total().latency;
      if (md)
        std::printf("| sort n=%lu (mask %ld, logic %ld, move %ld) | int32 | %ld | %ld | %ld | %.4f | |\n",
                    (unsigned long)ns, long(c[OpKind::Mask].latency),
                    long(c[OpKind::Logic].latency), long(c[OpKind::Move].latency), cyc,
                    long(c.total().energy), py, double(cyc) / py);
      else
        std::printf("sort n=%-7lu int32    %8ld %14ld %10ld %7.3f\n", (unsigned long)ns, cyc,
                    long(c.total().energy), py, double(cyc) / py);
    }
  }
  // Simulation speed (wall time on this machine).
  {
    using clk = std::chrono::steady_clock;
    Machine sm;
    const uint64_t big = uint64_t(1) << 20;
    std::vector<float> hx(big), hy(big);
    std::mt19937 r2(7);
    std::normal_distribution<float> nd;
    for (auto& v : hx) v = nd(r2);
    for (auto& v : hy) v = nd(r2);
    Tensor a = sm.alloc(big, DType::F32), b = sm.alloc_like(a, DType::F32),
           o = sm.alloc_like(a, DType::F32);
    sm.write(a, hx.data());
    sm.write(b, hy.data());
    auto t0 = clk::now();
    sm.run(Macro::Add, o, {a, b});
    const double add_s = std::chrono::duration<double>(clk::now() - t0).count();
    std::vector<float> ho(big);
    sm.read(o, ho.data());
    size_t bad = 0;
    for (uint64_t i = 0; i < big; ++i) bad += std::bit_cast<uint32_t>(ho[i]) != std::bit_cast<uint32_t>(hx[i] + hy[i]);
    std::printf("%sfloat32 add over 2^20 elements: %.3f s wall (%zu mismatches)\n", md ? "\n" : "",
                add_s, bad);
    // PyPIM-equivalent unit suite: 22 ops on 2^16 elements with transfers.
    Machine um;
    std::vector<int32_t> ix(n), iy(n);
    std::vector<float> fx(n), fy(n);
    std::mt19937 r3(9);
    for (uint64_t i = 0; i < n; ++i) {
      ix[i] = int32_t(r3()) >> 1, iy[i] = int32_t(r3()) >> 1;
      fx[i] = nd(r3), fy[i] = nd(r3);
    }
    std::vector<uint8_t> out(n * 8);
    auto t1 = clk::now();
    int ops_run = 0;
    for (auto t : {DType::I32, DType::F32}) {
      for (auto m : {Macro::Add, Macro::Sub, Macro::Mul, Macro::TrueDiv, Macro::Lt, Macro::Le,
                     Macro::Gt, Macro::Ge, Macro::Eq, Macro::Ne, Macro::Sin, Macro::Cos}) {
        if (t == DType::I32 && (m == Macro::Sin || m == Macro::Cos)) continue;
        const Macro mm = (t == DType::I32 && m == Macro::TrueDiv) ? Macro::FloorDiv : m;
        const int ar = macro_arity(mm);
        Tensor a = um.alloc(n, t), b = um.alloc_like(a, t), o = um.alloc_like(a, result_dtype(mm, t));
        um.write(a, t == DType::I32 ? (void*)ix.data() : (void*)fx.data());
        if (ar > 1) um.write(b, t == DType::I32 ? (void*)iy.data() : (void*)fy.data());
        try {
          if (ar > 1) um.run(mm, o, {a, b});
          else um.run(mm, o, {a});
          ++ops_run;
        } catch (const std::exception& e) {
          std::printf("(suite: %s %s not available: %s)\n", macro_name(mm), dtype_name(t), e.what());
        }
        um.read(o, out.data());
        um.free(a), um.free(b), um.free(o);
      }
    }
    const double suite_s = std::chrono::duration<double>(clk::now() - t1).count();
    std::printf("unit suite (%d ops on 2^16 elements, with transfers): %.3f s wall\n", ops_run,
                suite_s);
  }
  return 0;
}
