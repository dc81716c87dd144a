#include "ember/runtime/profiler.h"

#include <map>
#include <mutex>
#include <tuple>

namespace ember::runtime {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // op, origin, device

struct Table {
  std::mutex mu;
  std::map<Key, OpCounters> rows;
};

Table& table() {
  static Table* t = new Table;  // never destroyed: the dispatcher thread may outlive static teardown
  return *t;
}

}  // namespace

void set_profiling(bool on) { detail::set_watcher(detail::kProfiling, on); }

void profile_add(std::string_view op, const std::string& origin, std::string_view device, const OpCounters& c) {
  Table& t = table();
  std::lock_guard<std::mutex> lock(t.mu);
  OpCounters& r = t.rows[Key{std::string(op), origin, std::string(device)}];
  r.calls += c.calls;
  r.time_ns += c.time_ns;
  r.bytes_read += c.bytes_read;
  r.bytes_written += c.bytes_written;
  r.flops += c.flops;
}

std::vector<ProfileRow> profile_rows() {
  Table& t = table();
  std::lock_guard<std::mutex> lock(t.mu);
  std::vector<ProfileRow> out;
  out.reserve(t.rows.size());
  for (auto& [key, c] : t.rows) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), c});
  return out;
}

void profile_reset() {
  Table& t = table();
  std::lock_guard<std::mutex> lock(t.mu);
  t.rows.clear();
}

}  // namespace ember::runtime
