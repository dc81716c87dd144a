#include <mutex>

#include "ember/backend/device.h"
#include "kernels.h"

namespace ember::pim {

void record(const Node& n, const Metrics& cost, const Transfer& t, bool fallback) {
  auto& s = state();
  if (!s.profiling) return;
  auto& e = s.profile[{std::string(n.op), n.origin}];
  e.op = n.op, e.origin = n.origin;
  ++e.count;
  e.cost += cost;
  e.transfer += t;
  e.fallback = e.fallback || fallback;
}

namespace {
void no_kernel(Node& n) { cpu_fallback(n, "no pim kernel"); }
}  // namespace

void register_device() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_kernel(DeviceType::PIM, "to_device", profiled<to_device_kernel>);
    register_elementwise();
    register_reductions();
    register_views();
    register_movement();
    register_arg_reductions();
    register_search();
    register_fallback(DeviceType::PIM, profiled<no_kernel>);
  });
}

}  // namespace ember::pim
