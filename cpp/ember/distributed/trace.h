// A per-rank log of the collectives this rank ran (name, start, duration, bytes moved), kept only while
// enabled. Python merges the ranks' logs into one Chrome trace with a track per rank.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ember::distributed {

struct TraceEvent {
  std::string name;
  double start = 0;     // seconds, wtime()
  double duration = 0;  // seconds
  int64_t bytes = 0;    // payload this rank sent or received
};

void set_tracing(bool on);
bool tracing();
void record(TraceEvent e);
std::vector<TraceEvent> take_trace();  // returns and clears the log

}  // namespace ember::distributed
