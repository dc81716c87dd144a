#include "ember/backend/cuda/fused_runner.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/render.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

// Fusion asks for every node of every evaluation: remember each (op, dtypes) answer.
template <class F>
bool memo(const Node& n, char tag, F&& decide) {
  static std::mutex mu;
  static std::unordered_map<std::string, bool> seen;
  std::string key(1, tag);
  key += n.op;
  key += ':';
  key += char('a' + int(n.dtype));
  for (auto& in : n.inputs) key += char('a' + int(in->dtype));
  key += char('0' + std::min<size_t>(n.params.scalars.size(), 9));
  {
    std::lock_guard lock(mu);
    auto it = seen.find(key);
    if (it != seen.end()) return it->second;
  }
  const bool ok = decide();
  std::lock_guard lock(mu);
  seen.emplace(key, ok);
  return ok;
}

// What a KernelDesc keeps between runs (KernelDesc::prepared): the rendered kernel and its
// function, valid while the inputs keep their shapes and strides.
struct Prepared {
  Rendered r;
  int device = -1;
  CUfunction fn = nullptr;
  std::vector<Shape> shapes;
  std::vector<Strides> strides;
  bool same(const KernelDesc& k, int dev) const {
    if (dev != device || shapes.size() != k.inputs.size()) return false;
    for (size_t i = 0; i < k.inputs.size(); ++i)
      if (k.inputs[i]->shape != shapes[i] || k.inputs[i]->data.strides != strides[i]) return false;
    return true;
  }
};

bool can_fail(const KernelDesc& k) {
  for (const Instr& ins : k.code) {
    const Node& n = *ins.node;
    if ((n.op == "pow" || n.op == "float_power") && !n.inputs.empty() && is_integer(n.inputs[0]->dtype)) return true;
  }
  return false;
}

// Bytes of one accumulator of the reduction (its compute type: float for the 16-bit floats).
int acc_bytes(DType t) { return t == DType::Float16 || t == DType::BFloat16 ? 4 : itemsize(t); }

}  // namespace

bool can_fuse(const Node& n) {
  if (n.device != DeviceType::CUDA || n.kind != Kind::Elementwise) return false;
  if (n.op == "arange" || n.op == "linspace" || n.op == "eye") return false;  // own kernels (ops_creation)
  return memo(n, 'e', [&] { return renders_instr(n); });
}

bool can_fuse_reduction(const Node& n) {
  if (n.device != DeviceType::CUDA) return false;
  return memo(n, 'r', [&] { return renders_reduction(n); });
}

int64_t reduction_splits(int64_t nout, int64_t L, int sms) {
  const int64_t per_block = 4 * int64_t(kReduceBlock);  // at least 4 elements per thread
  if (nout >= 2 * int64_t(sms) || L <= per_block) return 1;
  const int64_t want = std::max<int64_t>(1, 8 * int64_t(sms) / std::max<int64_t>(1, nout));
  return std::clamp<int64_t>((L + per_block - 1) / per_block, 1, std::min<int64_t>(want, 4096));
}

void run_fused(const KernelDesc& k) {
  std::vector<const Node*> ops(k.inputs.begin(), k.inputs.end());
  const int dev = operand_device(ops);
  Context& c = context(dev);
  for (int r : k.outputs) allocate_output(*k.reg_node(r), dev);
  if (k.reduction) allocate_output(*k.reduction, dev);

  auto* prep = static_cast<Prepared*>(k.prepared.get());
  if (!prep || !prep->same(k, dev)) {
    auto p = std::make_shared<Prepared>();
    p->r = render(k);
    p->device = dev;
    for (Node* in : k.inputs) {
      p->shapes.push_back(in->shape);
      p->strides.push_back(in->data.strides);
    }
    k.prepared = p;
    prep = p.get();
  }
  const Plan& plan = prep->r.plan;
  if (plan.n == 0 && (!k.reduction || plan.nout == 0)) return;
  if (k.reduction && plan.nout == 0) return;
  if (!prep->fn) prep->fn = load_function(dev, prep->r.source, prep->r.name);

  Operands operands(c);
  LaunchPointers ptrs;
  for (Node* in : k.inputs) ptrs.inputs.push_back(operands.address(*in));
  for (int r : k.outputs) ptrs.outputs.push_back(device_ptr(*k.reg_node(r)));
  std::shared_ptr<Buffer> work, count;
  LaunchDims dims;
  if (k.reduction) {
    ptrs.reduction = device_ptr(*k.reduction);
    const int sms = sm_count(dev);
    ptrs.splits = reduction_splits(plan.nout, plan.L, sms);
    if (ptrs.splits > 1) {
      work = device_buffer(dev, size_t(plan.nout * ptrs.splits) * acc_bytes(k.reduction->dtype));
      count = device_buffer(dev, size_t(plan.nout) * sizeof(unsigned));
      ptrs.work = static_cast<const DeviceMemory*>(work->device.get())->ptr;
      ptrs.count = static_cast<const DeviceMemory*>(count->device.get())->ptr;
      EMBER_CU(cuMemsetD8Async, ptrs.count, 0, size_t(plan.nout) * sizeof(unsigned), c.stream);
    }
    dims.block = kReduceBlock;
    dims.grid = unsigned(std::clamp<int64_t>(plan.nout * ptrs.splits, 1, int64_t(sms) * 32));
  } else {
    dims = elementwise_dims(dev, plan.n);
  }
  std::unique_ptr<ErrorWord> err;
  if (can_fail(k)) {
    err = std::make_unique<ErrorWord>(c);
    ptrs.error = err->ptr();
  }
  launch_words(c, prep->fn, dims, pack_args(plan, ptrs));
  if (err) raise_error_word(err->read());
}

}  // namespace ember::cuda
