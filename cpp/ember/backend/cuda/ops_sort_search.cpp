// searchsorted on cuda: one thread per query, a binary search in NumPy's order (the key words of
// ops_sort_keys.h compared lexicographically), through sorter= when given. Sorter entries out of
// bounds raise ValueError as on the cpu (the kernel records the first position; the host reads it).
#include <climits>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops_sort_util.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {


void searchsorted_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const Node& v = *n.inputs.at(1);
  const Node* sorter = n.inputs.size() > 2 ? n.inputs[2].get() : nullptr;
  const int dev = operand_device(sorter ? std::vector<const Node*>{&x, &v, sorter} : std::vector<const Node*>{&x, &v});
  Context& c = context(dev);
  Operands ops(c);
  allocate_output(n, dev);
  SearchArgs a{};
  a.len = x.shape.at(0), a.xst = node_strides(x).at(0), a.nq = n.size(), a.right = n.params.flag ? 1 : 0;
  a.t = sk_dt(x.dtype);
  const Strides vs = node_strides(v);
  for (int d = 0; d < v.ndim(); ++d) {
    if (v.shape[d] == 1) continue;
    if (a.nd == kMaxDims) throw NotImplementedError("searchsorted on cuda: rank above " + std::to_string(kMaxDims));
    a.dims[a.nd] = v.shape[d], a.vst[a.nd] = vs[d], ++a.nd;
  }
  if (a.len == 0 && a.nq == 0) return;
  a.x = ops.address(x), a.v = a.nq ? ops.address(v) : 0, a.out = device_ptr(n);
  std::shared_ptr<Buffer> bad_keep;
  if (sorter && a.len) {
    a.sorter = ops.address(*sorter), a.sst = node_strides(*sorter).at(0);
    a.bad = scratch(c, sizeof(int64_t), bad_keep);
    EMBER_CU(cuMemsetD8Async, a.bad, 0x7f, sizeof(int64_t), c.stream);  // no bad position yet
  }
  const int64_t work = std::max(a.nq, a.sorter ? a.len : 0);
  launch_args(c, sort_function(dev, "searchsorted", itemsize(x.dtype)), elementwise_dims(dev, work), a);
  if (!a.sorter) return;
  int64_t bad = 0;
  read_back(c, &bad, a.bad, sizeof bad);
  if (bad >= 0 && bad < a.len) {
    int64_t j = 0;
    read_back(c, &j, a.sorter + CUdeviceptr(bad * a.sst * int64_t(sizeof(int64_t))), sizeof j);
    throw ValueError("searchsorted: sorter index " + std::to_string(j) + " is out of bounds for size " +
                     std::to_string(a.len));
  }
}

}  // namespace

void register_search_ops() { register_kernel(DeviceType::CUDA, "searchsorted", searchsorted_kernel); }

}  // namespace ember::cuda
