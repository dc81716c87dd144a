#pragma once
// Reading ember's environment switches (EMBER_GRAPH_PASSES, EMBER_PLAN_CACHE, ...).
#include <cstdlib>
#include <string_view>

namespace ember {

// A switch that is on unless the variable is set to "0" (the form every EMBER_* on/off flag takes).
inline bool env_switch_on(const char* name) {
  const char* v = std::getenv(name);
  return !(v && std::string_view(v) == "0");
}

}  // namespace ember
