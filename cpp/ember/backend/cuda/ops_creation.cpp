// Creation ops on cuda that need the element index (arange, linspace, eye) and Philox random
// numbers; `full` is a fused Kernel (one instruction).
#include <cmath>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/cuda/ops_sources.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

// Allocates the output on the current GPU (creation ops have no operands to follow).
Context& output_on_current(Node& n) {
  Context& c = context(current_device());
  allocate_output(n, c.index);
  return c;
}

CUfunction fn(const Context& c, const OpSource& s) { return load_function(c.index, s.source, s.name); }

void arange_kernel(Node& n) {
  Context& c = output_on_current(n);
  long long count = n.size();
  if (count == 0) return;
  const Scalar& start = n.params.scalars.at(0);
  const Scalar& step = n.params.scalars.at(1);
  long long i0 = 0, ist = 0;
  double s0 = 0, st = 0, s0i = 0, sti = 0;
  if (is_integer(n.dtype)) {
    i0 = start.as<int64_t>(), ist = step.as<int64_t>();
  } else if (is_complex(n.dtype)) {
    auto a = start.as<complex128>(), b = step.as<complex128>();
    s0 = a.real(), s0i = a.imag(), st = b.real(), sti = b.imag();
  } else {
    s0 = start.as<double>(), st = step.as<double>();
  }
  CUdeviceptr out = device_ptr(n);
  void* params[] = {&out, &count, &i0, &ist, &s0, &st, &s0i, &sti};
  launch(c, fn(c, arange_source(n.dtype)), elementwise_dims(c.index, count), params);
}

void linspace_kernel(Node& n) {
  Context& c = output_on_current(n);
  long long num = n.size();
  if (num == 0) return;
  double start = n.params.scalars.at(0).as<double>(), stop = n.params.scalars.at(1).as<double>();
  int endpoint = n.params.flag ? 1 : 0;
  const int64_t div = endpoint ? num - 1 : num;
  int has_step = div > 0 ? 1 : 0;
  double step = div > 0 ? (stop - start) / static_cast<double>(div) : NAN;
  CUdeviceptr out = device_ptr(n);
  void* params[] = {&out, &num, &start, &step, &stop, &endpoint, &has_step};
  launch(c, fn(c, linspace_source(n.dtype)), elementwise_dims(c.index, num), params);
}

void eye_kernel(Node& n) {
  Context& c = output_on_current(n);
  if (n.size() == 0) return;
  long long rows = n.shape[0], cols = n.shape[1], k = n.params.ints.at(0);
  CUdeviceptr out = device_ptr(n);
  void* params[] = {&out, &rows, &cols, &k};
  launch(c, fn(c, eye_source(n.dtype)), elementwise_dims(c.index, rows * cols), params);
}

void random_kernel(Node& n) {
  Context& c = output_on_current(n);
  long long count = n.size();
  if (count == 0) return;
  const auto& q = n.params.ints;
  int kind = static_cast<int>(q.at(0));
  unsigned long long key = static_cast<uint64_t>(q.at(1)), ctr = static_cast<uint64_t>(q.at(2));
  long long low = q.at(3);
  unsigned long long range = static_cast<uint64_t>(q.at(4));
  CUdeviceptr out = device_ptr(n);
  void* params[] = {&out, &count, &key, &ctr, &kind, &low, &range};
  LaunchDims d = kind == 3 ? LaunchDims{1, 1, 0} : elementwise_dims(c.index, count);
  launch(c, fn(c, random_source(n.dtype)), d, params);
}

}  // namespace

void register_creation_ops() {
  register_kernel(DeviceType::CUDA, "arange", arange_kernel);
  register_kernel(DeviceType::CUDA, "linspace", linspace_kernel);
  register_kernel(DeviceType::CUDA, "eye", eye_kernel);
  register_kernel(DeviceType::CUDA, "random", random_kernel);
}

}  // namespace ember::cuda
