#include "ember/graph/node.h"

#include <algorithm>

#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/graph/trace.h"

namespace ember {
namespace {
OriginProvider g_origin = nullptr;
DeviceType g_default_device = DeviceType::CPU;
constexpr int kMaxLazyDepth = 512;  // deeper graphs are evaluated as they are built
}  // namespace

DeviceType default_device() { return g_default_device; }
void set_default_device(DeviceType d) { g_default_device = d; }

namespace {
// A node runs where its array inputs live; they must agree. 0-d host arrays (Python scalars) may
// join any device (as PyTorch's cpu scalars do); nodes without inputs go to the default device.
DeviceType resolve_device(std::string_view op, const std::vector<NodePtr>& inputs) {
  if (inputs.empty()) return g_default_device;
  bool found = false;
  DeviceType d = DeviceType::CPU;
  for (auto& in : inputs) {
    if (in->device == DeviceType::CPU && in->shape.empty()) continue;
    if (!found) d = in->device, found = true;
    else if (in->device != d)
      throw ValueError("ember." + std::string(op) + ": operands are on different devices ('" +
                       std::string(device_name(d)) + "' and '" + std::string(device_name(in->device)) +
                       "'); move one with .to(device)");
  }
  return d;
}
}  // namespace

void set_origin_provider(OriginProvider provider) { g_origin = provider; }

NodePtr make_node(std::string_view op, Kind kind, std::vector<NodePtr> inputs, DType dtype, Shape shape,
                  Params params) {
  auto n = std::make_shared<Node>();
  n->op = op;
  n->kind = kind;
  n->dtype = dtype;
  n->shape = std::move(shape);
  n->params = std::move(params);
  n->device = resolve_device(op, inputs);
  int depth = 0;
  for (auto& in : inputs)
    if (!in->evaluated) depth = std::max(depth, in->depth);
  n->inputs = std::move(inputs);
  n->depth = depth + 1;
  if (g_origin) n->origin = g_origin();
  if (n->depth > kMaxLazyDepth && !tracing()) eval({n});  // a traced graph may hold parameters
  return n;
}

NodePtr copy_header(const Node& n) {
  auto p = std::make_shared<Node>();
  p->op = n.op;
  p->kind = n.kind;
  p->params = n.params;
  p->dtype = n.dtype;
  p->shape = n.shape;
  p->device = n.device;
  p->origin = n.origin;
  return p;
}

bool is_write(const Node& n) {
  static const std::weak_ptr<Storage> none;
  return n.writes.owner_before(none) || none.owner_before(n.writes);
}

NodePtr make_leaf(DType dtype, Shape shape, Data data) {
  auto n = std::make_shared<Node>();
  n->op = "leaf";
  n->kind = Kind::Leaf;
  n->dtype = dtype;
  n->shape = std::move(shape);
  n->data = std::move(data);
  n->evaluated = true;
  return n;
}

}  // namespace ember
