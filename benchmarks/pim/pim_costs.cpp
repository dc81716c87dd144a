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
  // Collectives on 2^16 elements.
  struct Coll { const char* name; long pypim; };
  for (auto t : {DType::I32, DType::F32}) {
    for (auto m : {Reduce::Sum, Reduce::Prod, Reduce::Min, Reduce::Max}) {
      Tensor a = mc.alloc(n, t);
      std::vector<uint32_t> v(n, 0);
      mc.write(a, v.data());
      Metrics c;
      try {
        c = reduce(mc, m, a).cost;
      } catch (const std::exception& e) {
        mc.free(a);
        continue;
      }
      mc.free(a);
      long py = 0;
      if (t == DType::I32) py = m == Reduce::Sum ? 2644 : m == Reduce::Prod ? 19620 : 0;
      else py = m == Reduce::Sum ? 22996 : m == Reduce::Prod ? 26436 : 0;
      const long cyc = c.total().latency;
      if (md)
        std::printf("| %s (reduce 2^16) | %s | %ld (mask %ld, logic %ld, move %ld) | %ld | %s | %s | |\n",
                    reduce_name(m), dtype_name(t), cyc, long(c[OpKind::Mask].latency),
                    long(c[OpKind::Logic].latency), long(c[OpKind::Move].latency),
                    long(c.total().energy), py ? std::to_string(py).c_str() : "-",
                    py ? std::to_string(double(cyc) / py).substr(0, 4).c_str() : "-");
      else
        std::printf("%-14s %-8s %8ld %14ld %10ld\n", reduce_name(m), dtype_name(t), cyc,
                    long(c.total().energy), py);
    }
  }
  return 0;
}
