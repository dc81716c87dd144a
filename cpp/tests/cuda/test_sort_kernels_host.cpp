// The sort-family kernels' CUDA C++ (ops_sort_sources.h), compiled by the host C++ compiler with one
// thread per block and called with the launchers' parameter blocks (ops_sort_args.h); CUB's radix
// sort and scan are replaced by std::stable_sort on the masked keys and std::partial_sum. Checks
// every kernel against NumPy's order (sort_reference.h) without a GPU: pass keys and emit modes
// over lanes of a 3-d array along its middle axis, searchsorted with and without sorter (and a bad
// sorter), nonzero and its count over a strided view, unique's info and values, repeat.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "ember/backend/cuda/ops_sort_args.h"
#include "ember/backend/cuda/ops_sort_keys.h"
#include "ember/backend/cuda/ops_sort_sources.h"
#include "sort_reference.h"

namespace ember::cuda {
namespace {

const char* const kHostPrelude = R"(#include <cstring>
#define __global__
#define __device__
#define __shared__ static
#define __syncthreads()
#define __launch_bounds__(n)
struct em_dim3 { unsigned x, y, z; };
static em_dim3 blockIdx{0, 0, 0}, threadIdx{0, 0, 0}, blockDim{1, 1, 1}, gridDim{1, 1, 1};
static unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) { unsigned long long o = *p; *p += v; return o; }
static long long atomicMin(long long* p, long long v) { long long o = *p; if (v < o) *p = v; return o; }
)";

// One program built for the host and opened.
class HostProgram {
 public:
  explicit HostProgram(const OpSource& s) {
    const auto dir = std::filesystem::temp_directory_path() / ("ember_sort_host_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto src = dir / (s.name + ".cpp"), lib = dir / (s.name + ".so");
    std::ofstream(src) << kHostPrelude << s.source;
    const std::string cmd = std::string(EMBER_HOST_CXX) + " -std=c++17 -shared -fPIC -O1 -w -o " + lib.string() + " " +
                            src.string() + " 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("host compile failed: " + cmd);
    handle_ = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error(dlerror());
  }
  ~HostProgram() {
    if (handle_) dlclose(handle_);
  }
  template <class Args>
  void run(const std::string& name, const Args& a) const {
    auto f = reinterpret_cast<void (*)(Args)>(dlsym(handle_, name.c_str()));
    ASSERT_NE(f, nullptr) << name;
    f(a);
  }

 private:
  void* handle_ = nullptr;
};

const HostProgram& item_program(int item) {
  static std::map<int, std::unique_ptr<HostProgram>> progs;
  auto& p = progs[item];
  if (!p) p = std::make_unique<HostProgram>(sort_item_source(item));
  return *p;
}
const HostProgram& common_program() {
  static HostProgram p(sort_common_source());
  return p;
}

template <class T>
uint64_t addr(T* p) {
  return reinterpret_cast<uint64_t>(p);
}

SkDt dt_of(const SortKeyType& k) { return {k.kind, k.nbits, k.mant, k.cpx}; }

// x: (A, L, B) row-major, sorted along axis 1 as the device does it: packed to (A, B, L) lanes,
// the plan's passes (keys kernel, then a stable sort by the masked key), then the emit kernel into
// an (A, L, B) output. Checked lane by lane against std::stable_sort with NumPy's order.
void check_sort(DType t, int64_t A, int64_t L, int64_t B, bool desc, int mode) {
  const SortPlan plan = sort_plan(t, A * B, desc, mode != 2);
  if (mode == 2 && !plan.keys_only) return;
  const SortKeyType& k = plan.key;
  const int item = k.item;
  const std::vector<Elem> x = sample(k, size_t(A * L * B), 11 + mode);
  std::vector<Elem> packed_e(x.size());
  for (int64_t a = 0; a < A; ++a)
    for (int64_t l = 0; l < L; ++l)
      for (int64_t b = 0; b < B; ++b) packed_e[(a * B + b) * L + l] = x[(a * L + l) * B + b];
  std::vector<unsigned char> packed = to_bytes(packed_e, item, k.cpx);
  const int64_t n = A * B * L;
  std::vector<int64_t> perm(n);
  std::vector<uint64_t> keys(n);  // wide enough for every width
  const HostProgram& prog = item_program(item);
  bool first = true;
  for (const SortPass& p : plan.passes) {
    KeysArgs a{};
    a.x = addr(packed.data()), a.keys = addr(keys.data()), a.n = n, a.L = L;
    a.perm = first || plan.keys_only ? 0 : addr(perm.data());
    a.iota = first && !plan.keys_only ? addr(perm.data()) : 0;
    a.width = p.width, a.word = p.word, a.wbits = p.word_bits, a.row_shift = p.row_shift, a.invert = plan.invert;
    a.t = dt_of(k);
    std::vector<int64_t> before = perm;
    prog.run(sort_kernel_name("sort_keys", item), a);
    // As cub::DeviceRadixSort: stable, by the key's bits [0, end_bit) read at the pass's width.
    const unsigned char* kb = reinterpret_cast<const unsigned char*>(keys.data());
    auto key_at = [&](int64_t i) {
      uint64_t v = 0;
      std::memcpy(&v, kb + i * p.width, p.width);
      return p.end_bit >= 64 ? v : v & ((1ull << p.end_bit) - 1);
    };
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return key_at(i) < key_at(j); });
    std::vector<uint64_t> sorted_keys(n);
    std::vector<int64_t> sorted_perm(n);
    std::vector<unsigned char> kcopy(kb, kb + n * p.width);
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(reinterpret_cast<unsigned char*>(sorted_keys.data()) + i * p.width, &kcopy[order[i] * p.width], p.width);
      if (!plan.keys_only) sorted_perm[i] = perm[order[i]];
    }
    keys = sorted_keys;
    if (!plan.keys_only) perm = sorted_perm;
    first = false;
  }
  const int out_item = mode == 0 ? 8 : item;
  std::vector<unsigned char> out(size_t(n) * out_item, 0xAB);
  EmitArgs e{};
  e.x = addr(packed.data()), e.perm = addr(perm.data()), e.keys = addr(keys.data()), e.out = addr(out.data());
  e.n = n, e.L = L, e.ost = B, e.mode = mode, e.width = plan.passes.back().width;
  e.wbits = plan.passes.back().word_bits, e.invert = plan.invert, e.t = dt_of(k);
  // Kept dims (A, B) with the output's strides (L * B, 1), size-1 dims dropped as the launcher does.
  if (A > 1) e.kdims[e.nk] = A, e.kost[e.nk] = L * B, ++e.nk;
  if (B > 1) e.kdims[e.nk] = B, e.kost[e.nk] = 1, ++e.nk;
  prog.run(sort_kernel_name("sort_emit", item), e);
  const std::vector<unsigned char> xb = to_bytes(x, item, k.cpx);
  for (int64_t a = 0; a < A; ++a)
    for (int64_t b = 0; b < B; ++b) {
      std::vector<int64_t> want(L);
      std::iota(want.begin(), want.end(), 0);
      auto at = [&](int64_t l) { return x[(a * L + l) * B + b]; };
      std::stable_sort(want.begin(), want.end(), [&](int64_t i, int64_t j) {
        return desc ? numpy_less(at(j), at(i), k) : numpy_less(at(i), at(j), k);
      });
      for (int64_t l = 0; l < L; ++l) {
        const int64_t o = (a * L + l) * B + b;
        if (mode == 0) {
          int64_t got;
          std::memcpy(&got, &out[o * 8], 8);
          ASSERT_EQ(got, want[l]) << dtype_name(t) << " lane " << a << "," << b << " rank " << l;
        } else {
          const int64_t src = (a * L + want[l]) * B + b;
          std::vector<unsigned char> w(&xb[src * item], &xb[src * item] + item);
          ASSERT_EQ(0, std::memcmp(&out[o * item], w.data(), item)) << dtype_name(t) << " mode " << mode << " lane " << a
                                                                     << "," << b << " rank " << l;
        }
      }
    }
}

TEST(CudaSortKernelsOnHost, SortAndArgsortAlongAMiddleAxis) {
  for (DType t : kDtypes)
    for (bool desc : {false, true})
      for (int mode : {0, 1, 2}) {
        check_sort(t, 3, 50, 4, desc, mode);
        check_sort(t, 1, 200, 1, desc, mode);
      }
}

TEST(CudaSortKernelsOnHost, SearchsortedWithAndWithoutSorter) {
  for (DType t : {DType::Int16, DType::UInt64, DType::Float16, DType::Float32, DType::Float64, DType::Complex64,
                  DType::Complex128}) {
    const SortKeyType k = sort_key_type(t);
    const std::vector<Elem> x = sample(k, 300, 21), v = sample(k, 64, 22);
    std::vector<int64_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return numpy_less(x[i], x[j], k); });
    std::vector<Elem> sorted(x.size());
    for (size_t i = 0; i < x.size(); ++i) sorted[i] = x[order[i]];
    const std::vector<unsigned char> xb = to_bytes(x, k.item, k.cpx), sb = to_bytes(sorted, k.item, k.cpx),
                                     vb = to_bytes(v, k.item, k.cpx);
    for (int right : {0, 1})
      for (bool use_sorter : {false, true}) {
        std::vector<int64_t> out(v.size(), -1);
        int64_t bad = INT64_MAX;
        SearchArgs a{};
        a.x = addr(use_sorter ? xb.data() : sb.data()), a.v = addr(vb.data()), a.out = addr(out.data());
        a.sorter = use_sorter ? addr(order.data()) : 0, a.bad = addr(&bad);
        a.len = int64_t(x.size()), a.xst = 1, a.sst = 1, a.nq = int64_t(v.size()), a.nd = 1, a.right = right;
        a.t = dt_of(k), a.dims[0] = int64_t(v.size()), a.vst[0] = 1;
        item_program(k.item).run(sort_kernel_name("searchsorted", k.item), a);
        EXPECT_EQ(bad, INT64_MAX);
        for (size_t q = 0; q < v.size(); ++q) {
          auto less = [&](const Elem& p, const Elem& r) { return numpy_less(p, r, k); };
          const auto it = right ? std::upper_bound(sorted.begin(), sorted.end(), v[q], less)
                                : std::lower_bound(sorted.begin(), sorted.end(), v[q], less);
          ASSERT_EQ(out[q], it - sorted.begin()) << dtype_name(t) << " right " << right << " query " << q;
        }
      }
    std::vector<int64_t> bad_sorter = order, out(v.size());
    bad_sorter[5] = int64_t(x.size()), bad_sorter[9] = -1;
    int64_t bad = INT64_MAX;
    SearchArgs a{};
    a.x = addr(xb.data()), a.v = addr(vb.data()), a.out = addr(out.data()), a.sorter = addr(bad_sorter.data());
    a.bad = addr(&bad), a.len = int64_t(x.size()), a.xst = 1, a.sst = 1, a.nq = int64_t(v.size()), a.nd = 1;
    a.t = dt_of(k), a.dims[0] = int64_t(v.size()), a.vst[0] = 1;
    item_program(k.item).run(sort_kernel_name("searchsorted", k.item), a);
    EXPECT_EQ(bad, 5) << "the first bad sorter position";
  }
}

TEST(CudaSortKernelsOnHost, NonzeroAndItsCountOverAStridedView) {
  for (DType t : {DType::Bool, DType::Int8, DType::Float16, DType::Float64, DType::Complex64, DType::Complex128}) {
    const SortKeyType k = sort_key_type(t);
    const std::vector<Elem> base = sample(k, 6 * 10, 31);  // (6, 10); the view is base[::2, ::-3]: (3, 4)
    const std::vector<unsigned char> bb = to_bytes(base, k.item, k.cpx);
    NzArgs a{};
    a.x = addr(bb.data() + 9 * k.item), a.n = 12, a.nd = 2, a.t = dt_of(k);
    a.dims[0] = 3, a.dims[1] = 4, a.st[0] = 20, a.st[1] = -3;
    std::vector<int64_t> rows, cols;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) {
        const Elem& e = base[9 + r * 20 - c * 3];
        const bool nz = k.kind == 3 ? (part(e.lo, k) != 0 || (k.cpx && part(e.hi, k) != 0)) : e.lo != 0;
        if (nz) rows.push_back(r), cols.push_back(c);
      }
    unsigned long long count = 0;
    a.out = addr(&count);
    item_program(k.item).run(sort_kernel_name("nz_count", k.item), a);
    ASSERT_EQ(count, rows.size()) << dtype_name(t);
    std::vector<int64_t> flags(12);
    a.out = addr(flags.data());
    item_program(k.item).run(sort_kernel_name("nz_flags", k.item), a);
    std::partial_sum(flags.begin(), flags.end(), flags.begin());  // cub::DeviceScan::InclusiveSum
    std::vector<int64_t> out(2 * count, -1);
    ScatterArgs s{addr(flags.data()), addr(out.data()), 12, int64_t(count), 2, {3, 4}};
    common_program().run("ember_nz_scatter", s);
    for (size_t j = 0; j < count; ++j) {
      ASSERT_EQ(out[j], rows[j]) << dtype_name(t);
      ASSERT_EQ(out[count + j], cols[j]) << dtype_name(t);
    }
  }
}

TEST(CudaSortKernelsOnHost, UniqueInfoAndValues) {
  for (DType t : {DType::Int32, DType::Float16, DType::Float32, DType::Complex64, DType::Complex128})
    for (int equal_nan : {0, 1}) {
      const SortKeyType k = sort_key_type(t);
      const std::vector<Elem> x = sample(k, 500, 41);
      const int64_t n = int64_t(x.size());
      const std::vector<unsigned char> xb = to_bytes(x, k.item, k.cpx);
      std::vector<int64_t> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      std::stable_sort(perm.begin(), perm.end(), [&](int64_t i, int64_t j) { return numpy_less(x[i], x[j], k); });
      std::vector<int64_t> flags(n), starts(n), info(3 * n + 1, -7);
      item_program(k.item).run(sort_kernel_name("uniq_bounds", k.item),
                               BoundsArgs{addr(xb.data()), addr(perm.data()), addr(flags.data()), n, equal_nan, dt_of(k)});
      std::partial_sum(flags.begin(), flags.end(), flags.begin());
      common_program().run("ember_uniq_fill", FillArgs{addr(flags.data()), addr(perm.data()), addr(info.data()),
                                                       addr(starts.data()), n});
      common_program().run("ember_uniq_counts", CountsArgs{addr(info.data()), addr(starts.data()), n});
      // The cpu's rule: a new group where neighbours differ; NaNs equal only with equal_nan.
      auto isnan = [&](const Elem& e) { return k.kind == 3 && (std::isnan(part(e.lo, k)) || (k.cpx && std::isnan(part(e.hi, k)))); };
      auto same = [&](const Elem& a, const Elem& b) {
        if (isnan(a) || isnan(b)) return equal_nan && isnan(a) && isnan(b);
        return !numpy_less(a, b, k) && !numpy_less(b, a, k);
      };
      std::vector<int64_t> first, counts, inverse(n);
      for (int64_t i = 0; i < n; ++i) {
        if (i == 0 || !same(x[perm[i - 1]], x[perm[i]])) first.push_back(perm[i]), counts.push_back(0);
        ++counts.back();
        inverse[perm[i]] = int64_t(first.size()) - 1;
      }
      const int64_t groups = int64_t(first.size());
      ASSERT_EQ(info[0], groups) << dtype_name(t);
      for (int64_t g = 0; g < groups; ++g) {
        ASSERT_EQ(info[1 + g], first[g]) << dtype_name(t) << " group " << g;
        ASSERT_EQ(info[1 + n + g], counts[g]) << dtype_name(t) << " group " << g;
      }
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(info[1 + 2 * n + i], inverse[i]) << dtype_name(t);
      std::vector<unsigned char> vals(groups * k.item);
      item_program(k.item).run(sort_kernel_name("gather", k.item),
                               GatherArgs{addr(xb.data()), addr(info.data() + 1), addr(vals.data()), groups, 1});
      for (int64_t g = 0; g < groups; ++g) ASSERT_EQ(0, std::memcmp(&vals[g * k.item], &xb[first[g] * k.item], k.item));
    }
}

TEST(CudaSortKernelsOnHost, RepeatIndices) {
  std::vector<int64_t> reps = {2, 0, 3, 1, 0, 0, 4}, incl(reps.size());
  std::partial_sum(reps.begin(), reps.end(), incl.begin());
  std::vector<int64_t> out(incl.back(), -1), want;
  for (size_t i = 0; i < reps.size(); ++i) want.insert(want.end(), size_t(reps[i]), int64_t(i));
  common_program().run("ember_repeat", RepeatArgs{addr(incl.data()), addr(out.data()), int64_t(reps.size()), incl.back()});
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace ember::cuda
