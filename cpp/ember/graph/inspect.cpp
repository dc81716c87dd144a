#include "ember/graph/inspect.h"

#include "ember/graph/control.h"

#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "ember/backend/device.h"
#include "ember/graph/eval.h"

namespace ember {

GraphInfo inspect(const std::vector<NodePtr>& roots) { return inspect(roots, plan(roots)); }

std::vector<NodePtr> graph_order(const std::vector<NodePtr>& roots, const std::unordered_set<const Node*>& known) {
  std::vector<NodePtr> order;
  std::vector<std::pair<NodePtr, size_t>> stack;
  std::unordered_set<const Node*> seen;
  for (const NodePtr& r : roots) {
    if (known.count(r.get()) || !seen.insert(r.get()).second) continue;
    stack.push_back({r, 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (!node->evaluated && next < node->inputs.size()) {
        const NodePtr& in = node->inputs[next++];
        if (!known.count(in.get()) && seen.insert(in.get()).second) stack.push_back({in, 0});
        continue;
      }
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

GraphInfo inspect(const std::vector<NodePtr>& roots, const std::vector<KernelDesc>& kernels) {
  GraphInfo g;
  std::unordered_map<const Node*, int> ids;
  for (const NodePtr& np : graph_order(roots)) {  // a node gets its id after its inputs
    const Node* node = np.get();
    NodeRecord rec;
    rec.id = static_cast<int>(g.nodes.size());
    rec.op = std::string(node->op);
    rec.kind = node->kind;
    rec.dtype = node->dtype;
    rec.shape = node->shape;
    rec.device = node->device;
    rec.origin = node->origin;
    rec.evaluated = node->evaluated;
    if (node->kind == Kind::Control && !node->evaluated) rec.detail = describe_control(*node);
    if (!node->evaluated)
      for (const NodePtr& in : node->inputs) rec.inputs.push_back(ids.at(in.get()));
    ids[node] = rec.id;
    g.nodes.push_back(std::move(rec));
  }
  for (const NodePtr& r : roots) g.roots.push_back(ids.at(r.get()));

  auto id_of = [&](const Node* n) {
    auto it = ids.find(n);
    return it == ids.end() ? -1 : it->second;
  };
  for (const KernelDesc& k : kernels) {
    KernelRecord kr;
    kr.fused = k.single == nullptr;
    kr.shape = k.single ? k.single->shape : k.shape;
    if (k.single) {
      kr.nodes.push_back(id_of(k.single));
      for (const NodePtr& in : k.single->inputs) kr.inputs.push_back(id_of(in.get()));
      kr.outputs.push_back(id_of(k.single));
    } else {
      for (const Instr& in : k.code) kr.nodes.push_back(id_of(in.node));
      if (k.reduction) kr.nodes.push_back(id_of(k.reduction));
      if (k.matvec.transposed)  // the two products a matvec kernel absorbed are its members
        for (const Node* n : {k.matvec.gemv, k.matvec.transposed}) kr.nodes.push_back(id_of(n));
      for (const Node* in : k.inputs) kr.inputs.push_back(id_of(in));
      for (const Node* out : k.produced()) kr.outputs.push_back(id_of(out));
    }
    int index = static_cast<int>(g.kernels.size());
    for (int id : kr.nodes)
      if (id >= 0) g.nodes[id].kernel = index;
    g.kernels.push_back(std::move(kr));
  }
  return g;
}

std::string graph_listing(const GraphInfo& g) {
  std::ostringstream s;
  for (const NodeRecord& n : g.nodes) {
    s << "%" << n.id << " = " << n.op << "(";
    for (size_t i = 0; i < n.inputs.size(); ++i) s << (i ? ", %" : "%") << n.inputs[i];
    s << ") " << dtype_name(n.dtype) << " " << shape_str(n.shape) << " " << device_name(n.device);
    if (n.evaluated) s << " evaluated";
    else if (n.kernel >= 0) s << " [k" << n.kernel << "]";
    if (!n.origin.empty()) s << " " << n.origin;
    s << "\n";
  }
  return s.str();
}

}  // namespace ember
