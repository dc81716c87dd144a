#include "ember/graph/node.h"

#include <algorithm>

#include "ember/graph/eval.h"

namespace ember {
namespace {
OriginProvider g_origin = nullptr;
constexpr int kMaxLazyDepth = 512;  // deeper graphs are evaluated as they are built
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
  int depth = 0;
  for (auto& in : inputs)
    if (!in->evaluated) depth = std::max(depth, in->depth);
  n->inputs = std::move(inputs);
  n->depth = depth + 1;
  if (g_origin) n->origin = g_origin();
  if (n->depth > kMaxLazyDepth) eval({n});
  return n;
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
