// searchsorted on pim as compare-and-count: result[j] = #{i : x1[i] < v[j]} (side="left") or
// #{i : x1[i] <= v[j]} (side="right"), in NumPy's order (NaN above everything). All m * n
// comparisons run as one macro over a grid of gathered pairs, then each value's line is summed.
// A binary search would need a data-dependent gather (x1[mid_j]) in every round, which the
// machine's MOVEs (addresses fixed in the micro-op) cannot do without reading mid_j back to the
// host; counting needs no host round trip and its depth is one compare plus a log2(n) sum.
// For a sorted x1 both give the same answer.
#include <string>

#include "ember/backend/device.h"
#include "ember/backend/pim/collectives.h"
#include "ember/errors.h"
#include "kernels.h"

namespace ember::pim {
namespace {

// The sorter's indices on the host (a pim sorter is read back, charged, as for integer indexing),
// checked as NumPy does.
std::vector<uint64_t> sorter_indices(const Node& s, int64_t len) {
  Data d = s.device == DeviceType::PIM ? download(tensor_of(s), s.dtype, s.shape) : s.data;
  std::vector<uint64_t> idx(static_cast<size_t>(len));
  for (int64_t i = 0; i < len; ++i) {
    const int64_t j = d.ptr<int64_t>()[i * d.strides[0]];
    if (j < 0 || j >= len)
      throw ValueError("searchsorted: sorter index " + std::to_string(j) + " is out of bounds for size " +
                       std::to_string(len));
    idx[size_t(i)] = uint64_t(j);
  }
  return idx;
}

void searchsorted_kernel(Node& n) {
  const Node& x = *n.inputs[0];
  const Node& v = *n.inputs[1];
  const DType t = to_pim(x.dtype);
  to_pim(v.dtype);
  const bool right = n.params.flag;
  const int64_t len = x.shape.at(0), m = n.size();
  std::vector<uint64_t> order(static_cast<size_t>(len));
  for (int64_t i = 0; i < len; ++i) order[size_t(i)] = uint64_t(i);
  if (n.inputs.size() > 2) order = sorter_indices(*n.inputs[2], len);
  if (m == 0) return set_tensor(n, empty_tensor(DType::I64));
  if (len == 0) {
    Tensor out = alloc(uint64_t(m), DType::I64);
    fill(out, 0);
    return set_tensor(n, out);
  }
  // The grid: pair p = j * len + i compares x1[order[i]] with v[j]; line j is value j's count.
  const uint64_t P = uint64_t(m) * uint64_t(len);
  std::vector<uint64_t> ix(P), iv(P), all(P);
  for (int64_t j = 0; j < m; ++j)
    for (int64_t i = 0; i < len; ++i) {
      const uint64_t p = uint64_t(j * len + i);
      ix[p] = order[size_t(i)], iv[p] = uint64_t(j), all[p] = p;
    }
  Temps tmp;
  // A 0-d host value (a Python scalar may join a pim op) is uploaded: one charged transfer.
  auto on_pim = [&](const Node& a) {
    return a.device == DeviceType::PIM ? tensor_of(a) : tmp.keep(upload(a.data, a.dtype, a.shape));
  };
  const Tensor place = placement_for(P, dtype_bits(t) > 32 ? 28 : 20);  // three tensors + a compare
  const Tensor gx = tmp.keep(gather(on_pim(x), ix, place));
  const Tensor gv = tmp.keep(gather(on_pim(v), iv, place));
  auto bools = [&] { return tmp.keep(alloc_like(place, DType::Bool)); };
  Tensor pred = bools();
  run(right ? Macro::Le : Macro::Lt, pred, {gx, gv});
  if (is_float(t)) {  // NaN sorts last: left counts every non-NaN below a NaN value, right every element
    const Tensor nv = bools();
    run(Macro::IsNan, nv, {gv});
    Tensor extra = nv;
    if (!right) {
      const Tensor nx = bools(), notx = bools();
      extra = bools();
      run(Macro::IsNan, nx, {gx});
      run(Macro::Not, notx, {nx});
      run(Macro::And, extra, {nv, notx});
    }
    const Tensor both = bools();
    run(Macro::Or, both, {pred, extra});
    pred = both;
  }
  const Tensor counts = tmp.keep(alloc_like(place, DType::I64));
  run(Macro::Cast, counts, {pred});
  set_tensor(n, reduce_lines(counts, all, m, len, Reduce::Sum));
}

}  // namespace

void register_search() { register_kernel(DeviceType::PIM, "searchsorted", profiled<searchsorted_kernel>); }

}  // namespace ember::pim
