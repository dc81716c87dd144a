#include "ember/graph/control.h"

#include <cstring>
#include <optional>
#include <stdexcept>

#include "ember/array.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/graph/program.h"
#include "ember/ops/creation.h"
#include "ember/ops/manipulation.h"

namespace ember {
namespace {

const ControlSpec& spec_of(const Node& n) { return *static_cast<const ControlSpec*>(n.params.blob.get()); }

// Builds the control node over `inputs` (followed by every plan's captured values) and one
// control_output node per result type.
// A plan made for one control node gives its captured values to the node (`keep_captured` false:
// replays of an enclosing plan substitute their own); a jit plan called many times keeps them.
std::vector<NodePtr> build(std::string_view op, std::vector<NodePtr> inputs, std::vector<std::shared_ptr<Plan>> plans,
                           int num_carry, int64_t length, const TypeList& out_types, bool keep_captured = false) {
  auto spec = std::make_shared<ControlSpec>();
  spec->num_carry = num_carry;
  spec->length = length;
  for (auto& plan : plans) {
    spec->captured_at.push_back(static_cast<int>(inputs.size()));
    for (auto& c : plan->captured) inputs.push_back(c);
    if (!keep_captured) plan->captured.clear();
    spec->plans.push_back(std::move(plan));
  }
  Params p;
  p.blob = spec;
  NodePtr ctl = make_node(op, Kind::Control, std::move(inputs), DType::Bool, {}, std::move(p));
  std::vector<NodePtr> outs;
  for (size_t i = 0; i < out_types.size(); ++i) {
    Params q;
    q.ints = {static_cast<int64_t>(i)};
    outs.push_back(make_node("control_output", Kind::Control, {ctl}, out_types[i].first, out_types[i].second, q));
  }
  return outs;
}

TypeList types_of(const std::vector<NodePtr>& nodes) {
  TypeList t;
  for (auto& n : nodes) t.emplace_back(n->dtype, n->shape);
  return t;
}

std::vector<NodePtr> slice(const std::vector<NodePtr>& v, size_t begin, size_t count) {
  return {v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(begin + count)};
}

// Runs plan `k` of `node` on `args`, with the captured values from the node's inputs.
std::vector<NodePtr> run_plan(const Node& node, int k, const std::vector<NodePtr>& args) {
  const ControlSpec& spec = spec_of(node);
  const Plan& plan = *spec.plans[k];
  std::vector<NodePtr> caps = slice(node.inputs, spec.captured_at[k], static_cast<size_t>(plan.num_captured));
  std::vector<NodePtr> inputs = args;
  inputs.insert(inputs.end(), caps.begin(), caps.end());
  if (auto out = plan.program->run(plan, inputs)) return std::move(*out);
  std::vector<NodePtr> out = instantiate(plan, args, &caps);  // the program is busy (a recursive run)
  eval_now(out);
  return out;
}

// A 0-d value read on the host.
template <class T>
T read_scalar(const NodePtr& n) {
  NodePtr host = n;
  if (n->device != DeviceType::CPU) {
    host = to_device(Array(n), DeviceType::CPU).node();
    eval_now({host});
  }
  if (n->dtype == DType::Bool) return static_cast<T>(*host->data.ptr<bool>());
  if (n->dtype == DType::Int64) return static_cast<T>(*host->data.ptr<int64_t>());
  throw std::runtime_error("ember: a control-flow condition or bound is not bool or int64");
}

NodePtr int64_leaf(int64_t v) {
  auto buf = allocate_buffer(sizeof(int64_t));
  std::memcpy(buf->data(), &v, sizeof v);
  return make_leaf(DType::Int64, {}, Data{buf, 0, {}});
}

// An argument a call may run on now: an evaluated cpu value, or a view of one (an array's
// strided window, computed without copying).
bool ready(const Node& n) {
  if (n.device != DeviceType::CPU) return false;
  if (n.evaluated) return true;
  return n.kind == Kind::View && n.inputs.size() == 1 && n.inputs[0]->evaluated;
}

// A small plan (Plan::small) called on ready arguments, run now through its program: the
// evaluated results, or nothing, and the call becomes a lazy node as usual. Never while tracing (a
// nested jit call stays a node of the outer plan), nor while asynchronous work is pending (this
// thread runs no kernels beside it), nor while the program is busy. A failure is not raised here:
// the lazy node raises it at the sync point, as any lazy error.
std::optional<std::vector<NodePtr>> call_now(const Plan& plan, const std::vector<NodePtr>& args) {
  if (!plan.small || tracing()) return std::nullopt;
  for (auto& a : args)
    if (!ready(*a)) return std::nullopt;
  if (async_pending()) return std::nullopt;
  try {
    std::vector<NodePtr> inputs;
    inputs.reserve(args.size() + plan.captured.size());
    inputs.insert(inputs.end(), args.begin(), args.end());
    inputs.insert(inputs.end(), plan.captured.begin(), plan.captured.end());
    eval_now(inputs);  // views, and the captured values at the first call; nothing to do after
    return plan.program->run(plan, inputs);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<NodePtr> make_cond(const NodePtr& pred, std::shared_ptr<Plan> on_true, std::shared_ptr<Plan> on_false,
                               const std::vector<NodePtr>& operands, const TypeList& out_types) {
  std::vector<NodePtr> inputs{pred};
  inputs.insert(inputs.end(), operands.begin(), operands.end());
  return build("cond", std::move(inputs), {std::move(on_true), std::move(on_false)},
               static_cast<int>(operands.size()), 0, out_types);
}

std::vector<NodePtr> make_while(std::shared_ptr<Plan> cond, std::shared_ptr<Plan> body,
                                const std::vector<NodePtr>& init) {
  return build("while_loop", init, {std::move(cond), std::move(body)}, static_cast<int>(init.size()), 0,
               types_of(init));
}

std::vector<NodePtr> make_fori(const NodePtr& lower, const NodePtr& upper, std::shared_ptr<Plan> body,
                               const std::vector<NodePtr>& init) {
  std::vector<NodePtr> inputs{lower, upper};
  inputs.insert(inputs.end(), init.begin(), init.end());
  return build("fori_loop", std::move(inputs), {std::move(body)}, static_cast<int>(init.size()), 0, types_of(init));
}

std::vector<NodePtr> make_scan(std::shared_ptr<Plan> body, const std::vector<NodePtr>& init,
                               const std::vector<NodePtr>& xs, int64_t length, const TypeList& y_types) {
  TypeList out = types_of(init);
  for (auto& [dt, shape] : y_types) {
    Shape s{length};
    s.insert(s.end(), shape.begin(), shape.end());
    out.emplace_back(dt, s);
  }
  std::vector<NodePtr> inputs = init;
  inputs.insert(inputs.end(), xs.begin(), xs.end());
  return build("scan", std::move(inputs), {std::move(body)}, static_cast<int>(init.size()), length, out);
}

std::vector<NodePtr> make_call(const std::shared_ptr<Plan>& plan, const std::vector<NodePtr>& args) {
  if (auto out = call_now(*plan, args)) return std::move(*out);
  TypeList types;
  int base = plan->num_params + plan->num_captured;
  for (int s : plan->outputs) {
    const Node& n = s < plan->num_params ? *args[s]
                    : s < base           ? *plan->captured[s - plan->num_params]
                                         : *plan->steps[s - base].proto;
    types.emplace_back(n.dtype, n.shape);
  }
  return build("call", args, {plan}, static_cast<int>(args.size()), 0, types, /*keep_captured=*/true);
}

void run_control(Node& node) {
  const ControlSpec& spec = spec_of(node);
  const int k = spec.num_carry;
  std::vector<NodePtr> result;
  if (node.op == "call") {
    result = run_plan(node, 0, slice(node.inputs, 0, k));
  } else if (node.op == "cond") {
    bool pred = read_scalar<bool>(node.inputs[0]);
    result = run_plan(node, pred ? 0 : 1, slice(node.inputs, 1, k));
  } else if (node.op == "while_loop") {
    result = slice(node.inputs, 0, k);
    while (read_scalar<bool>(run_plan(node, 0, result)[0])) result = run_plan(node, 1, result);
  } else if (node.op == "fori_loop") {
    int64_t lower = read_scalar<int64_t>(node.inputs[0]), upper = read_scalar<int64_t>(node.inputs[1]);
    result = slice(node.inputs, 2, k);
    for (int64_t i = lower; i < upper; ++i) {
      std::vector<NodePtr> args{int64_leaf(i)};
      args.insert(args.end(), result.begin(), result.end());
      result = run_plan(node, 0, args);
    }
  } else if (node.op == "scan") {
    const Plan& body = *spec.plans[0];
    const int num_xs = spec.captured_at[0] - k;
    const int num_ys = static_cast<int>(body.outputs.size()) - k;
    std::vector<NodePtr> carry = slice(node.inputs, 0, k);
    std::vector<std::vector<Array>> ys(num_ys);
    for (int64_t i = 0; i < spec.length; ++i) {
      std::vector<NodePtr> args = carry;
      for (int j = 0; j < num_xs; ++j) {
        // xs[j][i]: a view of row i (evaluated inputs are contiguous windows or strided data).
        const Node& x = *node.inputs[k + j];
        Data row = x.data;
        row.offset += i * x.data.strides[0];
        row.strides.erase(row.strides.begin());
        args.push_back(make_leaf(x.dtype, Shape(x.shape.begin() + 1, x.shape.end()), row));
        args.back()->device = x.device;
      }
      std::vector<NodePtr> out = run_plan(node, 0, args);
      carry = slice(out, 0, k);
      for (int j = 0; j < num_ys; ++j) ys[j].push_back(Array(out[k + j]));
    }
    result = carry;
    // The ys stacked along a new first axis; none for a scan of length 0 (run_control_output
    // makes the empty result from its type).
    for (int j = 0; j < num_ys; ++j) {
      NodePtr stacked;
      if (spec.length > 0) {
        stacked = stack(ys[j], 0).node();
        eval_now({stacked});
      }
      result.push_back(stacked);
    }
  } else {
    throw std::runtime_error("ember: unknown control node " + std::string(node.op));
  }
  node.results.clear();
  for (auto& r : result) node.results.push_back(r ? r->data : Data{});
}

const ControlSpec* control_spec(const Node& node) {
  if (node.kind != Kind::Control || node.op == "control_output" || !node.params.blob) return nullptr;
  return &spec_of(node);
}

std::string describe_control(const Node& node) {
  if (node.kind != Kind::Control || node.op == "control_output" || !node.params.blob) return {};
  const ControlSpec& spec = spec_of(node);
  static const std::vector<std::string> cond_names{"true branch", "false branch"}, while_names{"cond", "body"};
  std::string out;
  for (size_t i = 0; i < spec.plans.size(); ++i) {
    std::string name = node.op == "cond" ? cond_names[i] : node.op == "while_loop" ? while_names[i]
                       : node.op == "call" ? std::string("function") : std::string("body");
    out += name + ": " + describe(*spec.plans[i]);
  }
  return out;
}

void run_control_output(Node& node) {
  const Node& ctl = *node.inputs[0];
  const Data& d = ctl.results.at(static_cast<size_t>(node.params.ints[0]));
  if (!d.buffer) {  // an empty stack (a scan of length 0)
    node.data = Data{allocate_buffer(0), 0, contiguous_strides(node.shape)};
    return;
  }
  if (d.offset == 0 && is_contiguous(node.shape, d.strides)) {
    node.data = d;
    return;
  }
  // A strided result (a view passed through a branch): storages expect contiguous buffers.
  NodePtr copy = make_node("copy", Kind::Elementwise, {make_leaf(node.dtype, node.shape, d)}, node.dtype, node.shape);
  copy->device = node.device;
  eval_now({copy});
  node.data = copy->data;
}

}  // namespace ember
