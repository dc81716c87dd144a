// gather and scatter of the cuda device without a GPU: the kernel bodies (ops_index.h) are compiled
// for the host by the C++ compiler (grid loops run serially, atomics are plain read-modify-writes)
// and called with the arguments the launcher builds, against the cpu device's gather/scatter (which
// the pytest suite checks against NumPy) on the same nodes. Each case runs twice, with the grid
// loops forwards and backwards, so the "last write wins" rule cannot come from the loop order.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>

#include "ember/backend/cuda/ops_index.h"
#include "ember/backend/device.h"
#include "ember/runtime/buffer.h"

#ifndef EMBER_HOST_CXX
#define EMBER_HOST_CXX "c++"
#endif

namespace ember::cuda {
namespace {

const char* const kShim = R"(#include <cstdint>
typedef unsigned char em_u8; typedef unsigned short em_u16; typedef unsigned int em_u32; typedef unsigned long long em_u64;
#define __global__
#define __device__
static em_u64 atomicCAS(em_u64* p, em_u64 c, em_u64 v) { em_u64 o = *p; if (o == c) *p = v; return o; }
static em_u64 atomicMin(em_u64* p, em_u64 v) { em_u64 o = *p; if (v < o) *p = v; return o; }
static em_u64 atomicMax(em_u64* p, em_u64 v) { em_u64 o = *p; if (v > o) *p = v; return o; }
)";

// The index kernels as one host library; `reverse` runs every grid loop from the end.
struct HostKernels {
  void* so = nullptr;
  explicit HostKernels(bool reverse) {
    const std::string dir = ::testing::TempDir() + "/ember_index_host_" + (reverse ? "r" : "f");
    std::string src = kShim;
    src += reverse ? "#define EM_GRID_LOOP(i, n) for (long long i = (n) - 1; i >= 0; --i)\n"
                   : "#define EM_GRID_LOOP(i, n) for (long long i = 0; i < (n); ++i)\n";
    src += index_plan_body() + scatter_winners_body();
    for (int item : {1, 2, 4, 8, 16}) src += gather_body(item) + scatter_body(item);
    std::ofstream(dir + ".cpp") << src;
    const std::string cmd = std::string(EMBER_HOST_CXX) + " -std=c++17 -shared -fPIC -O1 -o " + dir + ".so " + dir +
                            ".cpp 2> " + dir + ".log";
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream log(dir + ".log");
      ADD_FAILURE() << "host compile failed: " << std::string(std::istreambuf_iterator<char>(log), {});
      return;
    }
    so = dlopen((dir + ".so").c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(so, nullptr) << dlerror();
  }
  template <class A>
  void call(const std::string& name, const A& args) const {
    auto f = reinterpret_cast<void (*)(A)>(dlsym(so, name.c_str()));
    ASSERT_NE(f, nullptr) << name;
    f(args);
  }
};

const HostKernels& host(bool reverse) {
  static HostKernels f(false), r(true);
  return reverse ? r : f;
}

NodePtr leaf(DType t, Shape shape, const std::vector<double>& values, Strides strides = {}, int64_t offset = 0) {
  auto n = std::make_shared<Node>();
  n->op = "leaf";
  n->dtype = t;
  n->shape = std::move(shape);
  n->device = DeviceType::CPU;
  n->evaluated = true;
  const int item = itemsize(t);
  n->data.buffer = allocate_buffer(std::max<size_t>(1, values.size()) * size_t(item));
  std::byte* p = n->data.buffer->data();
  for (size_t i = 0; i < values.size(); ++i) {
    if (t == DType::Int64) { int64_t v = int64_t(values[i]); std::memcpy(p + i * 8, &v, 8); }
    else if (t == DType::Float64) std::memcpy(p + i * 8, &values[i], 8);
    else if (t == DType::Int16) { int16_t v = int16_t(values[i]); std::memcpy(p + i * 2, &v, 2); }
    else if (t == DType::Complex128) { double v[2] = {values[i], -values[i]}; std::memcpy(p + i * 16, v, 16); }
    else { uint8_t v = uint8_t(int(values[i])); std::memcpy(p + i, &v, 1); }
  }
  n->data.strides = strides.empty() ? contiguous_strides(n->shape) : std::move(strides);
  n->data.offset = offset;
  return n;
}

std::vector<double> iota(int64_t n, double start = 0) {
  std::vector<double> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), start);
  return v;
}

// The cpu device's kernel (kernel_names registers the built-in devices first).
Kernel cpu_kernel(const char* op) {
  kernel_names(DeviceType::CPU);
  Kernel k = find_kernel(DeviceType::CPU, op);
  if (!k) throw std::logic_error(std::string("no cpu kernel ") + op);
  return k;
}

const std::byte* first(const Node& n) { return n.data.buffer->data() + n.data.offset * itemsize(n.dtype); }

// Plan on the host: adv offsets and the error key, as the device computes them.
std::vector<int64_t> host_plan(const HostKernels& k, const Node& n, const IndexWalk& w, size_t first_index,
                               uint64_t* err) {
  std::vector<Strides> ist;
  IndexPlanArgs a{};
  for (size_t j = first_index; j < n.inputs.size(); ++j) {
    Strides st = n.inputs[j]->data.strides;
    for (size_t d = 0; d < st.size(); ++d)
      if (w.b_dims[d] == 1) st[d] = 0;
    ist.push_back(st);
  }
  a = plan_args(w, ist);
  for (size_t j = first_index; j < n.inputs.size(); ++j) a.idx[j - first_index] = uint64_t(first(*n.inputs[j]));
  std::vector<int64_t> adv(size_t(std::max<int64_t>(w.B, 1)));
  *err = ~uint64_t(0);
  a.adv = uint64_t(adv.data()), a.err = uint64_t(err);
  k.call("ember_index_plan", a);
  return adv;
}

struct GatherCase {
  const char* what;
  DType t;
  Shape src_shape;
  Strides src_strides;  // empty: contiguous
  int64_t src_offset;
  int64_t src_span;
  std::vector<int64_t> axes, source_axes;
  bool flag;
  std::vector<std::pair<Shape, std::vector<double>>> idx;
  Shape out_shape;
};

void check_gather(const GatherCase& gc, bool reverse) {
  const HostKernels& k = host(reverse);
  ASSERT_NE(k.so, nullptr);
  Node n;
  n.op = "gather";
  n.kind = Kind::Opaque;
  n.dtype = gc.t;
  n.shape = gc.out_shape;
  n.device = DeviceType::CPU;
  n.params.axes = gc.axes;
  n.params.ints = gc.source_axes;
  n.params.flag = gc.flag;
  n.inputs.push_back(leaf(gc.t, gc.src_shape, iota(gc.src_span, 1), gc.src_strides, gc.src_offset));
  for (const auto& [shape, vals] : gc.idx) n.inputs.push_back(leaf(DType::Int64, shape, vals));
  const IndexWalk w = index_walk(n, gc.src_shape, n.inputs[0]->data.strides, 1);
  uint64_t err = 0;
  const auto adv = host_plan(k, n, w, 1, &err);
  ASSERT_EQ(err, ~uint64_t(0)) << gc.what;
  const int item = itemsize(gc.t);
  std::vector<std::byte> out(size_t(std::max<int64_t>(1, shape_size(gc.out_shape))) * size_t(item));
  GatherArgs a = gather_args(w);
  a.src = uint64_t(first(*n.inputs[0])), a.out = uint64_t(out.data()), a.adv = uint64_t(adv.data());
  ASSERT_EQ(a.n, shape_size(gc.out_shape)) << gc.what;
  k.call("ember_gather_" + std::to_string(item), a);
  cpu_kernel("gather")(n);
  ASSERT_EQ(std::memcmp(out.data(), first(n), size_t(a.n) * size_t(item)), 0) << gc.what << (reverse ? " (reversed)" : "");
}

TEST(CudaIndexHost, GatherMatchesTheCpuDevice) {
  const std::vector<GatherCase> cases = {
      {"1-d, negative and repeated", DType::Float64, {6}, {}, 0, 6, {0}, {0}, false, {{{5}, {0, -1, 3, 3, 5}}}, {5}},
      {"middle axis of 3-d", DType::Int16, {2, 5, 3}, {}, 0, 30, {1}, {1}, false, {{{2, 2}, {4, 0, -2, 1}}}, {2, 2, 2, 3}},
      {"two arrays broadcast", DType::Complex128, {4, 5}, {}, 0, 20, {0, 1}, {0, 1}, false,
       {{{3, 1}, {0, 3, 3}}, {{3, 1}, {4, 4, 4}}}, {3, 1}},
      {"separated: index dims first", DType::Float64, {3, 4, 5}, {}, 0, 60, {0, 2}, {0, 2}, true,
       {{{2}, {2, 0}}, {{2}, {1, -1}}}, {2, 4}},
      {"reversed strided view", DType::Bool, {4, 3}, {-6, 2}, 18, 24, {0}, {0}, false, {{{3}, {3, 0, 1}}}, {3, 3}},
      {"empty index", DType::Float64, {4, 2}, {}, 0, 8, {0}, {0}, false, {{{0}, {}}}, {0, 2}},
      {"0-d index", DType::Int64, {4, 2}, {}, 0, 8, {1}, {1}, false, {{{}, {1}}}, {4}},
  };
  for (bool reverse : {false, true})
    for (const auto& c : cases) check_gather(c, reverse);
}

TEST(CudaIndexHost, PlanFindsTheFirstIndexOutOfBounds) {
  const HostKernels& k = host(true);  // backwards: the key must still be the first bad one
  ASSERT_NE(k.so, nullptr);
  Node n;
  n.op = "gather";
  n.params.axes = {0, 1};
  n.params.ints = {0, 1};
  n.inputs = {leaf(DType::Float64, {3, 4}, iota(12)), leaf(DType::Int64, {4}, {0, 3, -4, 1}),
              leaf(DType::Int64, {4}, {0, 4, 9, 1})};
  const IndexWalk w = index_walk(n, {3, 4}, {4, 1}, 1);
  uint64_t err = 0;
  host_plan(k, n, w, 1, &err);
  EXPECT_EQ(err, 1u);  // array 0, position 1 (3 on an axis of 3; -4 at 2 comes later, array 1 after)
}

// scatter: storage of `size` float64 elements, view (shape, strides, offset), values of the result shape.
struct ScatterCase {
  const char* what;
  Shape view;
  Strides view_strides;
  int64_t offset, size;
  std::vector<int64_t> axes;
  bool flag;
  std::vector<std::pair<Shape, std::vector<double>>> idx;
  Shape value_shape;
  Strides value_strides;  // broadcast values: zeros
};

void check_scatter(const ScatterCase& sc, bool reverse) {
  const HostKernels& k = host(reverse);
  ASSERT_NE(k.so, nullptr);
  auto make = [&] {
    auto n = std::make_shared<Node>();
    n->op = "scatter";
    n->kind = Kind::Opaque;
    n->dtype = DType::Float64;
    n->shape = {sc.size};
    n->device = DeviceType::CPU;
    n->params.axes = sc.axes;
    n->params.ints = sc.axes;
    n->params.ints.insert(n->params.ints.end(), sc.view.begin(), sc.view.end());
    n->params.flag = sc.flag;
    n->params.offset = sc.offset;
    n->params.strides = sc.view_strides;
    n->inputs.push_back(leaf(DType::Float64, {sc.size}, iota(sc.size, -100)));
    n->inputs.push_back(leaf(DType::Float64, sc.value_shape, iota(shape_size(sc.value_shape), 1), sc.value_strides));
    for (const auto& [shape, vals] : sc.idx) n->inputs.push_back(leaf(DType::Int64, shape, vals));
    return n;
  };
  NodePtr n = make();
  const IndexWalk w = index_walk(*n, sc.view, sc.view_strides, 2);
  uint64_t err = 0;
  const auto adv = host_plan(k, *n, w, 2, &err);
  ASSERT_EQ(err, ~uint64_t(0));
  const int64_t slots = winner_slots(w.B);
  ASSERT_GE(slots, 2 * w.B);
  std::vector<uint64_t> keys(size_t(slots), ~uint64_t(0)), vals(size_t(slots), 0);
  std::vector<unsigned char> keep(size_t(std::max<int64_t>(w.B, 1)));
  WinnerArgs wa{uint64_t(adv.data()), uint64_t(keys.data()), uint64_t(vals.data()), uint64_t(keep.data()), w.B,
                slots - 1};
  k.call("ember_scatter_claim", wa);
  k.call("ember_scatter_keep", wa);
  std::vector<double> dst(size_t(sc.size));
  std::memcpy(dst.data(), first(*n->inputs[0]), dst.size() * 8);
  ScatterArgs a = scatter_args(w, n->inputs[1]->data.strides);
  a.dst = uint64_t(dst.data() + sc.offset), a.val = uint64_t(first(*n->inputs[1])), a.adv = uint64_t(adv.data());
  a.keep = uint64_t(keep.data());
  k.call("ember_scatter_8", a);
  NodePtr ref = make();
  cpu_kernel("scatter")(*ref);  // the cpu loops in order: the last write wins
  ASSERT_EQ(std::memcmp(dst.data(), first(*ref), dst.size() * 8), 0) << sc.what << (reverse ? " (reversed)" : "");
}

TEST(CudaIndexHost, ScatterMatchesTheCpuDeviceAndTheLastWriteWins) {
  const std::vector<ScatterCase> cases = {
      {"repeated 1-d", {6}, {1}, 0, 6, {0}, false, {{{6}, {0, 2, 0, -1, 2, 0}}}, {6}, {}},
      {"rows of a 2-d view, repeated", {4, 3}, {3, 1}, 0, 12, {0}, false, {{{5}, {1, 3, 1, 1, 0}}}, {5, 3}, {}},
      {"columns of a strided reversed view", {3, 4}, {-8, 2}, 16, 24, {1}, false, {{{3}, {3, -1, 0}}}, {3, 3}, {}},
      {"two arrays, broadcast value", {3, 4}, {4, 1}, 0, 12, {0, 1}, false,
       {{{2, 2}, {0, 2, 0, 2}}, {{2, 2}, {1, 3, 1, 0}}}, {2, 2}, {0, 0}},
      {"separated axes", {2, 3, 4}, {12, 4, 1}, 0, 24, {0, 2}, true, {{{3}, {1, 0, 1}}, {{3}, {2, 2, 2}}}, {3, 3}, {}},
  };
  for (bool reverse : {false, true})
    for (const auto& c : cases) check_scatter(c, reverse);
}

TEST(CudaIndexHost, WinnerSlotsArePowersOfTwoAboveTwiceTheCount) {
  EXPECT_EQ(winner_slots(0), 1);
  EXPECT_EQ(winner_slots(1), 2);
  EXPECT_EQ(winner_slots(5), 16);
  EXPECT_EQ(winner_slots(8), 16);
}

}  // namespace
}  // namespace ember::cuda
