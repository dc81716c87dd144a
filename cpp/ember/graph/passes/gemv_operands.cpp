#include "ember/graph/passes/gemv_operands.h"

#include <unordered_map>

namespace ember {
namespace {

// Above this many elements the copy costs more than the slower products save (the matrix no
// longer sits in L2, and large products are split over rows by the cpu device anyway).
constexpr int64_t kMaxCopiedElements = int64_t{1} << 17;
constexpr int kMinProducts = 2;

// A 2-d cpu view reading its (row-major) input transposed: strides (1, rows).
bool transposed_matrix(const Node& v) {
  if (v.kind != Kind::View || v.op != "as_strided" || v.device != DeviceType::CPU || v.ndim() != 2) return false;
  if (v.size() > kMaxCopiedElements || v.size() == 0 || v.inputs.size() != 1) return false;
  const Node& in = *v.inputs[0];
  if (in.kind == Kind::View || in.size() != v.size()) return false;
  const Params& p = v.params;
  return p.offset == 0 && p.strides.size() == 2 && p.strides[0] == 1 && p.strides[1] == v.shape[0] && v.shape[0] > 1;
}

// A matrix-vector product whose matrix (left operand) is `v`.
bool gemv_on(const Node& n, const Node* v) {
  return n.op == "matmul" && n.device == DeviceType::CPU && n.ndim() == 2 && n.shape[1] == 1 &&
         n.inputs.size() == 2 && n.inputs[0].get() == v && n.inputs[1].get() != v;
}

}  // namespace

void contiguous_gemv_operands(std::vector<Node*>& order) {
  std::unordered_map<const Node*, int> products;
  for (Node* n : order)
    if (n->op == "matmul" && !n->inputs.empty() && transposed_matrix(*n->inputs[0]) && gemv_on(*n, n->inputs[0].get()))
      ++products[n->inputs[0].get()];
  if (products.empty()) return;
  std::unordered_map<const Node*, NodePtr> copies;
  for (Node* n : order) {
    if (n->op != "matmul" || n->inputs.empty()) continue;
    const Node* v = n->inputs[0].get();
    auto it = products.find(v);
    if (it == products.end() || it->second < kMinProducts || !gemv_on(*n, v)) continue;
    NodePtr& c = copies[v];
    if (!c) {
      c = std::make_shared<Node>();
      c->op = "copy";
      c->kind = Kind::Elementwise;
      c->dtype = v->dtype;
      c->shape = v->shape;
      c->device = v->device;
      c->origin = v->origin;
      c->depth = v->depth + 1;
      c->inputs = {n->inputs[0]};
    }
    n->inputs[0] = c;
  }
  std::vector<Node*> with_copies;
  with_copies.reserve(order.size() + copies.size());
  for (Node* n : order) {
    with_copies.push_back(n);
    if (auto it = copies.find(n); it != copies.end()) with_copies.push_back(it->second.get());
  }
  order.swap(with_copies);
}

}  // namespace ember
