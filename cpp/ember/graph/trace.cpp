#include "ember/graph/trace.h"

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "ember/errors.h"
#include "ember/graph/program.h"

namespace ember {
namespace {
thread_local int g_tracing = 0;

// A plan is small when all its values together (parameters, captured, steps) hold at most this many
// elements: running it costs microseconds, less than scheduling it later would.
constexpr int64_t kSmallPlanElements = int64_t{1} << 16;

bool is_small(const Plan& plan) {
  int64_t elements = 0;
  for (auto& t : plan.param_types) elements += shape_size(t.second);
  for (auto& c : plan.captured) {
    if (c->device != DeviceType::CPU) return false;
    elements += c->size();
  }
  for (auto& step : plan.steps) {
    const Node& n = *step.proto;
    // Loops may run long whatever their sizes; collectives must stay in every rank's graph order.
    if (n.device != DeviceType::CPU || n.kind == Kind::Control || n.kind == Kind::Collective) return false;
    elements += n.size();
  }
  return elements <= kSmallPlanElements;
}
}  // namespace

TracingScope::TracingScope() { begin_tracing(); }
TracingScope::~TracingScope() { end_tracing(); }
void begin_tracing() { ++g_tracing; }
void end_tracing() { --g_tracing; }
bool tracing() { return g_tracing > 0; }

NodePtr make_parameter(DType dtype, Shape shape, DeviceType device) {
  auto n = std::make_shared<Node>();
  n->op = "parameter";
  n->kind = Kind::Leaf;
  n->dtype = dtype;
  n->shape = std::move(shape);
  n->device = device;
  return n;
}

bool is_parameter(const Node& n) { return n.kind == Kind::Leaf && !n.evaluated && n.op == "parameter"; }

std::shared_ptr<Plan> capture(const std::vector<NodePtr>& params, const std::vector<NodePtr>& results) {
  auto plan = std::make_shared<Plan>();
  plan->num_params = static_cast<int>(params.size());
  for (auto& p : params) plan->param_types.emplace_back(p->dtype, p->shape);
  plan->program = std::make_shared<ProgramCache>();
  std::unordered_map<const Node*, int> slot;  // node -> its slot, for nodes placed so far
  for (size_t i = 0; i < params.size(); ++i) slot.emplace(params[i].get(), static_cast<int>(i));

  // Post-order of the graph under the results, stopping at parameters and evaluated nodes;
  // `depends` marks the nodes that (transitively) read a parameter.
  std::unordered_map<const Node*, bool> depends;
  for (auto& p : params) depends[p.get()] = true;
  std::vector<NodePtr> order;
  std::vector<std::pair<NodePtr, size_t>> stack;
  for (auto& r : results) {
    if (depends.count(r.get())) continue;
    stack.push_back({r, 0});
    depends[r.get()] = false;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (!node->evaluated && next < node->inputs.size()) {
        const NodePtr& in = node->inputs[next++];
        if (!depends.count(in.get())) {
          depends[in.get()] = false;
          stack.push_back({in, 0});
        }
        continue;
      }
      bool dep = false;
      if (!node->evaluated)
        for (auto& in : node->inputs) dep = dep || depends[in.get()];
      depends[node.get()] = dep;
      order.push_back(node);
      stack.pop_back();
    }
  }
  // Nodes free of parameters are captured whole: each outermost one gets a slot.
  std::vector<NodePtr> steps_nodes;
  for (auto& n : order)
    if (depends[n.get()]) steps_nodes.push_back(n);
  auto capture_slot = [&](const NodePtr& n) {
    auto it = slot.find(n.get());
    if (it != slot.end()) return it->second;
    plan->captured.push_back(n);
    plan->num_captured = static_cast<int>(plan->captured.size());
    return slot[n.get()] = -plan->num_captured;  // fixed up below
  };
  for (auto& n : steps_nodes)
    for (auto& in : n->inputs)
      if (!depends[in.get()]) capture_slot(in);
  for (auto& r : results)
    if (!depends[r.get()]) capture_slot(r);
  // Captured slots follow the parameters; steps follow both.
  int base = plan->num_params + plan->num_captured;
  auto resolve = [&](const Node* n) {
    int s = slot.at(n);
    return s < 0 ? plan->num_params + (-s - 1) : s;
  };
  for (size_t i = 0; i < steps_nodes.size(); ++i) {
    const NodePtr& n = steps_nodes[i];
    Plan::Step step{copy_header(*n), {}};
    for (auto& in : n->inputs) step.args.push_back(resolve(in.get()));
    plan->steps.push_back(std::move(step));
    slot[n.get()] = base + static_cast<int>(i);
  }
  for (auto& r : results) plan->outputs.push_back(resolve(r.get()));
  plan->small = is_small(*plan);
  return plan;
}

std::vector<NodePtr> instantiate(const Plan& plan, const std::vector<NodePtr>& args,
                                 const std::vector<NodePtr>* captured) {
  const std::vector<NodePtr>& caps = captured ? *captured : plan.captured;
  if (static_cast<int>(args.size()) != plan.num_params || static_cast<int>(caps.size()) != plan.num_captured)
    throw std::runtime_error("ember: a plan was given the wrong number of inputs");
  std::vector<NodePtr> slots;
  slots.reserve(args.size() + caps.size() + plan.steps.size());
  slots.insert(slots.end(), args.begin(), args.end());
  slots.insert(slots.end(), caps.begin(), caps.end());
  for (const Plan::Step& step : plan.steps) {
    NodePtr n = copy_header(*step.proto);
    n->inputs.reserve(step.args.size());
    int depth = 0;
    for (int a : step.args) {
      const NodePtr& in = slots[a];
      if (!in->evaluated) depth = std::max(depth, in->depth);
      n->inputs.push_back(in);
    }
    n->depth = depth + 1;
    slots.push_back(std::move(n));
  }
  std::vector<NodePtr> out;
  out.reserve(plan.outputs.size());
  for (int s : plan.outputs) out.push_back(slots[s]);
  return out;
}

std::string describe(const Plan& plan) {
  std::ostringstream os;
  auto name = [&](int s) {  // streamed, not concatenated (GCC 12 warns falsely on "%" + to_string)
    std::ostringstream n;
    if (s < plan.num_params) n << "%arg" << s;
    else if (s < plan.num_params + plan.num_captured) n << "%const" << s - plan.num_params;
    else n << "%" << s - plan.num_params - plan.num_captured;
    return n.str();
  };
  os << "plan: " << plan.num_params << " parameters, " << plan.num_captured << " captured, "
     << plan.steps.size() << " steps\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Plan::Step& st = plan.steps[i];
    const Node& p = *st.proto;
    os << "  %" << i << " = " << p.op << "(";
    for (size_t j = 0; j < st.args.size(); ++j) os << (j ? ", " : "") << name(st.args[j]);
    os << ")  " << dtype_name(p.dtype) << " (";
    for (size_t j = 0; j < p.shape.size(); ++j) os << (j ? ", " : "") << p.shape[j];
    os << (p.shape.size() == 1 ? ",)" : ")");
    if (!p.origin.empty()) os << "  at " << p.origin;
    os << "\n";
  }
  os << "  return ";
  for (size_t i = 0; i < plan.outputs.size(); ++i) os << (i ? ", " : "") << name(plan.outputs[i]);
  os << "\n";
  return os.str();
}

}  // namespace ember
