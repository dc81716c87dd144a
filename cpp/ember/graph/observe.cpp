#include "ember/graph/observe.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "ember/backend/device.h"
#include "ember/graph/inspect.h"

namespace ember {
namespace {

int debug_from_env() {
  const char* env = std::getenv("EMBER_DEBUG");
  if (!env || !*env) return 0;
  char* end = nullptr;
  long v = std::strtol(env, &end, 10);
  return end == env ? 1 : static_cast<int>(v);  // EMBER_DEBUG=yes means level 1
}

std::atomic<int> g_debug{debug_from_env()};

int64_t bytes(const Node& n) { return n.size() * itemsize(n.dtype); }

// Ops that move or select data rather than compute on it: no flops.
bool arithmetic(const Node& n) {
  if (n.kind != Kind::Elementwise || n.inputs.empty()) return false;
  return n.op != "copy" && n.op != "astype" && n.op != "where" && n.op != "positive";
}

int64_t node_flops(const Node& n) {
  if (n.op == "matmul" && !n.inputs.empty() && !n.inputs[0]->shape.empty())
    return 2 * n.size() * n.inputs[0]->shape.back();  // (..., m, k) @ (..., k, n): 2mnk
  if (n.kind == Kind::Reduction && !n.inputs.empty()) return n.inputs[0]->size();
  return arithmetic(n) ? n.size() : 0;
}

DeviceType device_of(const KernelDesc& k) { return k.single ? k.single->device : k.produced().front()->device; }

std::vector<Node*> computed(const KernelDesc& k) {
  if (k.single) return {k.single};
  std::vector<Node*> out;
  for (const Instr& in : k.code) out.push_back(in.node);
  if (k.reduction) out.push_back(k.reduction);
  return out;
}

}  // namespace

int debug_level() { return g_debug.load(std::memory_order_relaxed); }
void set_debug_level(int level) { g_debug.store(level, std::memory_order_relaxed); }

void debug_compiled(const std::vector<NodePtr>& roots, const std::vector<KernelDesc>& kernels) {
  int level = debug_level();
  if (level <= 0 || kernels.empty()) return;
  std::string text = "[ember] compiled " + std::to_string(kernels.size()) + " kernel(s) for " +
                     std::to_string(roots.size()) + " root(s)\n" + describe(kernels);
  if (level >= 2) text += "[ember] graph:\n" + graph_listing(inspect(roots, kernels));
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

std::vector<runtime::OpCounters> kernel_counters(const KernelDesc& k, int64_t ns) {
  if (k.single) {
    const Node& n = *k.single;
    runtime::OpCounters c;
    c.calls = 1;
    c.time_ns = ns;
    if (n.kind != Kind::View) {  // zero-copy views move no bytes
      for (const NodePtr& in : n.inputs) c.bytes_read += bytes(*in);
      c.bytes_written = bytes(n);
    }
    c.flops = node_flops(n);
    return {c};
  }
  std::vector<Node*> nodes = computed(k);
  const int count = static_cast<int>(nodes.size());
  const int ninputs = static_cast<int>(k.inputs.size());
  std::vector<runtime::OpCounters> rows(count);
  for (int i = 0; i < count; ++i) {
    rows[i].calls = 1;
    rows[i].time_ns = ns / count + (i < ns % count ? 1 : 0);
    rows[i].flops = node_flops(*nodes[i]);
  }
  // Which row reads register r first: an instruction, else the reduction.
  for (int r = 0; r < ninputs; ++r) {
    int reader = -1;
    for (size_t i = 0; i < k.code.size() && reader < 0; ++i)
      for (int a : k.code[i].args)
        if (a == r) reader = static_cast<int>(i);
    if (reader < 0 && k.reduction && k.result == r) reader = count - 1;
    if (reader >= 0) rows[reader].bytes_read += bytes(*k.inputs[r]);
  }
  for (int r : k.outputs)
    if (r >= ninputs) rows[r - ninputs].bytes_written += bytes(*k.code[r - ninputs].node);
  if (k.reduction) rows[count - 1].bytes_written += bytes(*k.reduction);
  return rows;
}

void KernelWatch::start(bool async) {
  runtime::name_thread(async ? "ember dispatcher" : "python");
  if (runtime::tracing()) {
    label_.pid = 1 + static_cast<int>(device_of(k_));
    if (k_.single) {
      label_.name = std::string(k_.single->op);
    } else {
      std::vector<Node*> nodes = computed(k_);
      for (size_t i = 0; i < nodes.size() && i < 6; ++i) {
        if (i) label_.name += '+';
        label_.name += nodes[i]->op;
      }
      if (nodes.size() > 6) label_.name.append("+... (").append(std::to_string(nodes.size())).append(" ops)");
    }
    runtime::set_current_kernel(&label_);
  }
  t0_ = runtime::now_ns();
}

void KernelWatch::finish() {
  int64_t t1 = runtime::now_ns();
  std::vector<Node*> nodes = computed(k_);
  std::string_view device = device_name(device_of(k_));
  if (runtime::profiling()) {
    std::vector<runtime::OpCounters> rows = kernel_counters(k_, t1 - t0_);
    for (size_t i = 0; i < nodes.size(); ++i) runtime::profile_add(nodes[i]->op, nodes[i]->origin, device, rows[i]);
  }
  if (runtime::tracing() && runtime::current_kernel() == &label_) {
    std::string ops, origins;
    std::set<std::string> seen;
    for (Node* n : nodes) {
      ops.append(ops.empty() ? "" : ", ").append(n->op);
      if (!n->origin.empty() && seen.insert(n->origin).second)
        origins.append(origins.empty() ? "" : ", ").append(n->origin);
    }
    const Shape& space = k_.single ? k_.single->shape : k_.shape;
    runtime::trace_event(label_.name, k_.single ? "kernel" : "fused kernel", t0_, t1, label_.pid,
                         {{"ops", ops},
                          {"origins", origins},
                          {"shape", shape_str(space)},
                          {"dtype", std::string(dtype_name(nodes.back()->dtype))},
                          {"device", std::string(device)}});
  }
}

}  // namespace ember
