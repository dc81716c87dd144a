#include "ember/distributed/trace.h"

#include <mutex>
#include <utility>

namespace ember::distributed {
namespace {
std::mutex mu;
bool on = false;
std::vector<TraceEvent> events;
}  // namespace

void set_tracing(bool enable) {
  std::lock_guard lock(mu);
  on = enable;
}

bool tracing() {
  std::lock_guard lock(mu);
  return on;
}

void record(TraceEvent e) {
  std::lock_guard lock(mu);
  if (on) events.push_back(std::move(e));
}

std::vector<TraceEvent> take_trace() {
  std::lock_guard lock(mu);
  return std::exchange(events, {});
}

}  // namespace ember::distributed
