#include "ember/graph/program.h"

#include <atomic>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "ember/graph/eval.h"
#include "ember/graph/observe.h"
#include "ember/runtime/env.h"

namespace ember {
namespace {

std::atomic<int64_t> g_programs{0}, g_regions{0}, g_rolled_kernels{0}, g_trips{0};

}  // namespace

ProgramInfo program_info() {
  return {g_programs.load(), g_regions.load(), g_rolled_kernels.load(), g_trips.load()};
}

Program::Program(const Plan& plan, const std::vector<NodePtr>& inputs) {
  const int n_args = plan.num_params;
  std::vector<NodePtr> args, caps;
  for (size_t i = 0; i < inputs.size(); ++i) {
    // Evaluated, but without data until run() binds it: fusion never treats its value as a constant.
    const Node& in = *inputs[i];
    NodePtr p = make_leaf(in.dtype, in.shape, Data{});
    p->device = in.device;
    params_.push_back(p);
    (static_cast<int>(i) < n_args ? args : caps).push_back(p);
  }
  outputs_ = instantiate(plan, args, &caps);
  // Schedule and fuse while only the outputs hold the graph: fusion materializes what has holders.
  std::vector<Node*> order = schedule_unevaluated(outputs_);
  kernels_ = compile_kernels(order, outputs_);
  // Owning pointers to the nodes the Kernels compute, found through their readers' inputs. (Taken
  // from the Kernels, not the schedule: the graph passes replace nodes and add new ones, such as the
  // views they push down and the copies they make.)
  std::unordered_set<const Node*> wanted;
  for (const KernelDesc& k : kernels_) {
    if (k.single) wanted.insert(k.single);
    for (const Instr& ins : k.code) wanted.insert(ins.node);
    if (k.reduction) wanted.insert(k.reduction);
    if (k.matvec.transposed) wanted.insert(k.matvec.transposed);
  }
  // (Walked through every node: a computed node may sit below one that no Kernel computes, such as
  // the matrix below a product a matvec kernel absorbed.)
  std::unordered_set<const Node*> seen;
  std::vector<NodePtr> stack(outputs_.begin(), outputs_.end());
  while (!stack.empty()) {
    NodePtr n = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(n.get()).second) continue;
    for (auto& in : n->inputs) stack.push_back(in);
    if (wanted.count(n.get())) nodes_.push_back(std::move(n));
  }
  // Free each intermediate after the last Kernel that reads it, so a long program (an unrolled
  // loop) recycles its buffers as it goes instead of holding every step's value to the end.
  std::unordered_map<Node*, size_t> last_read;
  for (size_t i = 0; i < kernels_.size(); ++i) {
    const KernelDesc& k = kernels_[i];
    if (k.single)
      for (auto& in : k.single->inputs) last_read[in.get()] = i;
    for (Node* in : k.inputs) last_read[in] = i;
  }
  std::unordered_set<const Node*> kept(outputs_.size());
  for (auto& o : outputs_) kept.insert(o.get());
  release_after_.resize(kernels_.size());
  for (auto& n : nodes_)
    if (!kept.count(n.get()) && last_read.count(n.get())) release_after_[last_read[n.get()]].push_back(n.get());
  for (auto& o : outputs_) {
    int which = -1;
    for (size_t i = 0; i < params_.size(); ++i)
      if (params_[i] == o) which = static_cast<int>(i);
    output_param_.push_back(which);
  }
  if (env_switch_on("EMBER_REROLL")) rolled_ = find_rolled_regions(kernels_, outputs_, params_);
  // The nodes only the trips after a template produce are never set: runs leave them alone.
  std::unordered_set<const Node*> idle;
  for (const RolledRegion& r : rolled_) {
    for (size_t i = r.start + r.period; i < r.start + r.period * r.trips; ++i) {
      const KernelDesc& k = kernels_[i];
      k.each_produced([&](Node* n) { idle.insert(n); });
      for (const Instr& ins : k.code) idle.insert(ins.node);
    }
    for (auto& res : r.results) idle.erase(res.first);
    g_rolled_kernels += static_cast<int64_t>(r.period * r.trips);
  }
  for (auto& n : nodes_)
    if (!idle.count(n.get())) touched_.push_back(n.get());
  // The order of a run: stretches of Kernels and rolled regions (with their runs one by one, for a
  // call whose per-trip constants differ).
  size_t next = 0;
  for (size_t r = 0; r <= rolled_.size(); ++r) {
    const size_t start = r < rolled_.size() ? rolled_[r].start : kernels_.size();
    if (next < start) segments_.push_back({-1, runs_of(next, start)});
    if (r == rolled_.size()) break;
    const RolledRegion& region = rolled_[r];
    next = region.start + region.period * region.trips;
    segments_.push_back({static_cast<int>(r), runs_of(region.start, next)});
    trip_runs_.push_back(runs_of(region.start, region.start + region.period));
  }
  g_regions += static_cast<int64_t>(rolled_.size());
  ++g_programs;
  if (debug_level() > 0) {  // EMBER_DEBUG: what the program became
    std::string text = "[ember] compiled program: " + std::to_string(kernels_.size()) + " kernel(s)\n";
    for (const RolledRegion& r : rolled_)
      text += "[ember]   rolled: kernels " + std::to_string(r.start) + ".." +
              std::to_string(r.start + r.period * r.trips - 1) + " run as " + std::to_string(r.period) +
              " kernel(s) x " + std::to_string(r.trips) + " trips (" + std::to_string(r.carries.size()) +
              " carried value(s))\n";
    std::fputs(text.c_str(), stderr);
  }
}

// Runs the region's first trip again and again: before each later trip, the nodes it read from
// before the loop take the values the previous trip left in their template nodes; after the last,
// the nodes of the last trip that later Kernels and the results read take their template's values.
// The nodes the loop read are given back their own values however the loop ends.
void Program::run_rolled(const RolledRegion& r, const std::vector<KernelRun>& trip, bool side) {
  struct Restore {
    const RolledRegion& r;
    std::vector<Data> saved;
    ~Restore() {
      for (size_t i = 0; i < saved.size(); ++i) r.carries[i].first->data = std::move(saved[i]);
    }
  } restore{r, {}};
  restore.saved.reserve(r.carries.size());
  for (auto& c : r.carries) restore.saved.push_back(c.first->data);
  for (size_t t = 0; t < r.trips; ++t) {
    if (t)
      for (auto& [in, next] : r.carries) in->data = next->data;
    run_runs(trip, side, false);
  }
  for (auto& [last, tmpl] : r.results) {
    last->data = tmpl->data;
    last->evaluated = true;
  }
  g_trips += static_cast<int64_t>(r.trips);
}

std::vector<NodePtr> Program::run(const std::vector<NodePtr>& inputs) {
  for (size_t i = 0; i < params_.size(); ++i) params_[i]->data = inputs[i]->data;
  if (dirty_) reset_nodes();  // an earlier run stopped at an error
  dirty_ = true;
  const bool side = side_by_side();
  for (const Segment& seg : segments_) {
    if (seg.region >= 0) {
      const RolledRegion& r = rolled_[seg.region];
      if (r.inputs_agree()) {
        run_rolled(r, trip_runs_[seg.region], side);  // (the intermediates it frees go when the run ends)
        continue;
      }
      reset_all_ = true;  // its later trips' nodes get values too
    }
    run_runs(seg.runs, side, true);
  }
  std::vector<NodePtr> out;
  out.reserve(outputs_.size());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    if (output_param_[i] >= 0) {
      out.push_back(inputs[output_param_[i]]);
      continue;
    }
    const Node& o = *outputs_[i];
    NodePtr leaf = make_leaf(o.dtype, o.shape, o.data);
    leaf->device = o.device;
    out.push_back(std::move(leaf));
  }
  for (size_t i = 0; i < params_.size(); ++i) params_[i]->data = {};  // hold no caller buffers
  reset_nodes();  // nor intermediates: the allocator gets them back now
  dirty_ = false;
  return out;
}

// Runs of independent cpu Kernels go side by side when `side` (as an evaluation's would), the
// others one by one; with `release`, each Kernel's last reads are freed once it (or its run) is done.
void Program::run_runs(const std::vector<KernelRun>& runs, bool side, bool release) {
  auto free_reads = [&](size_t b, size_t e) {
    if (release)
      for (size_t k = b; k < e; ++k)
        for (Node* n : release_after_[k]) n->data = {};
  };
  for (const KernelRun& r : runs) {
    if (r.together && side) {
      run_together_keep_inputs(kernels_, r.begin, r.end);
      free_reads(r.begin, r.end);  // (after the whole run: its Kernels may still read them till then)
      continue;
    }
    for (size_t k = r.begin; k < r.end; ++k) {
      run_kernel_keep_inputs(kernels_[k]);
      free_reads(k, k + 1);
    }
  }
}

std::vector<KernelRun> Program::runs_of(size_t b, size_t e) const {
  std::vector<KernelRun> runs;
  for (size_t i = b; i < e; i = runs.back().end) runs.push_back(next_run(kernels_, i, e));
  return runs;
}

void Program::reset_nodes() {
  auto reset = [](Node* n) {
    n->evaluated = false;
    n->data = {};
    n->results.clear();
  };
  if (reset_all_)
    for (auto& n : nodes_) reset(n.get());
  else
    for (Node* n : touched_) reset(n);
  reset_all_ = false;
}

std::optional<std::vector<NodePtr>> ProgramCache::run(const Plan& plan, const std::vector<NodePtr>& inputs) {
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  if (!program_) program_ = std::make_unique<Program>(plan, inputs);
  return program_->run(inputs);
}

}  // namespace ember
