#include "ember/backend/cuda/cusolver.h"

#include <mutex>
#include <unordered_map>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/dynlib.h"
#include "ember/backend/cuda/status.h"

namespace ember::cuda {
namespace {

struct Loaded {
  DynLib lib{"libcusolver.so.12", "libcusolver.so.11", "libcusolver.so"};
  Cusolver fns;
  std::vector<std::string> missing;
  Loaded() {
#define EMBER_CUSOLVER_LOAD(name)                                        \
  fns.name = lib.get<decltype(&::name)>(#name);                          \
  if (lib.ok() && !fns.name) missing.push_back(#name);
    EMBER_CUSOLVER_FUNCTIONS(EMBER_CUSOLVER_LOAD)
#undef EMBER_CUSOLVER_LOAD
  }
};

// Leaked on purpose, as cuBLAS: the library must outlive every handle.
const Loaded& loaded() {
  static const Loaded* l = new Loaded;
  return *l;
}

struct Handles {
  cusolverDnHandle_t h = nullptr;
  cusolverDnParams_t p = nullptr;
};

const Handles& handles(const Context& c) {
  static std::mutex mu;
  static std::unordered_map<int, Handles> all;
  std::lock_guard lock(mu);
  auto it = all.find(c.index);
  if (it != all.end()) return it->second;
  const Cusolver& s = cusolver();
  c.make_current();
  Handles h;
  check_solver(s.cusolverDnCreate(&h.h), "cusolverDnCreate");
  check_solver(s.cusolverDnSetStream(h.h, reinterpret_cast<cudaStream_t>(c.stream)), "cusolverDnSetStream");
  check_solver(s.cusolverDnCreateParams(&h.p), "cusolverDnCreateParams");
  return all.emplace(c.index, h).first->second;
}

}  // namespace

const Cusolver& cusolver() {
  if (!cusolver_loadable()) throw CudaError("cuSOLVER is unavailable: " + cusolver_why_unavailable());
  return loaded().fns;
}

bool cusolver_loadable() { return loaded().lib.ok() && loaded().missing.empty(); }

std::string cusolver_why_unavailable() {
  const Loaded& l = loaded();
  if (!l.lib.ok()) return "no cuSOLVER library could be loaded (" + l.lib.error() + ")";
  if (l.missing.empty()) return {};
  return l.lib.name() + " lacks " + l.missing.front() + (l.missing.size() > 1 ? " and others" : "");
}

std::vector<std::string> cusolver_missing() { return loaded().missing; }

cusolverDnHandle_t cusolver_handle(const Context& c) { return handles(c).h; }
cusolverDnParams_t cusolver_params(const Context& c) { return handles(c).p; }

void check_solver(cusolverStatus_t s, const char* call) {
  if (s != CUSOLVER_STATUS_SUCCESS) throw CudaError(std::string(call) + " failed: cusolverStatus " + std::to_string(int(s)));
}

}  // namespace ember::cuda
