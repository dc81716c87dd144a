#include "ember/backend/cuda/launch.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/kernel_cache.h"
#include "ember/backend/cuda/memory.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

struct Module {
  std::shared_ptr<const std::string> cubin;  // keeps the binary (and so its address, the key) alive
  CUmodule module = nullptr;
  std::map<std::string, CUfunction> functions;
};

struct Loaded {
  std::mutex mu;
  // (device, kernel name) -> function. A name is a hash of the kernel's text, and the arch and
  // options are fixed per device, so it identifies the binary. Modules are never unloaded: the
  // set of kernels a program uses is small and bounded by its code.
  std::map<std::pair<int, std::string>, CUfunction> functions;
  std::map<std::pair<int, const std::string*>, Module> modules;  // (device, binary) -> its module
  std::map<int, int> sms;
};

Loaded& loaded() {
  static Loaded* l = new Loaded;  // leaked: the driver may be gone before static destructors run
  return *l;
}

}  // namespace

const std::vector<std::string>& kernel_options() {
  static const std::vector<std::string> o{"-std=c++17"};
  return o;
}

std::string device_arch(int device) { return "sm_" + std::to_string(compute_capability(device)); }

int sm_count(int device) {
  Loaded& l = loaded();
  {
    std::lock_guard lock(l.mu);
    auto it = l.sms.find(device);
    if (it != l.sms.end()) return it->second;
  }
  CUdevice d = 0;
  EMBER_CU(cuDeviceGet, &d, device);
  int n = 0;
  EMBER_CU(cuDeviceGetAttribute, &n, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d);
  n = std::max(1, n);
  std::lock_guard lock(l.mu);
  l.sms[device] = n;
  return n;
}

CUfunction load_function(int device, const std::string& source, const std::string& name,
                         const std::vector<std::string>& options) {
  Loaded& l = loaded();
  const auto key = std::make_pair(device, name);
  {
    std::lock_guard lock(l.mu);
    auto it = l.functions.find(key);
    if (it != l.functions.end()) return it->second;
  }
  // Compile outside the lock (NVRTC takes long; the cache has its own lock). Two threads may compile
  // the same kernel once each; the first load wins.
  auto cubin = KernelCache::global().get(source, name, device_arch(device), options);
  CUfunction f = function_in(device, cubin, name);
  std::lock_guard lock(l.mu);
  return l.functions.emplace(key, f).first->second;
}

CUfunction function_in(int device, const std::shared_ptr<const std::string>& cubin, const std::string& symbol) {
  Context& c = context(device);
  Loaded& l = loaded();
  std::lock_guard lock(l.mu);
  Module& m = l.modules[{device, cubin.get()}];
  if (!m.module) {
    c.make_current();
    EMBER_CU(cuModuleLoadData, &m.module, cubin->data());
    m.cubin = cubin;
  }
  auto it = m.functions.find(symbol);
  if (it != m.functions.end()) return it->second;
  CUfunction f = nullptr;
  CUresult r = driver().cuModuleGetFunction_(&f, m.module, symbol.c_str());
  if (r == CUDA_ERROR_NOT_FOUND)
    throw ValueError("the module has no kernel named '" + symbol +
                     "' (declare it extern \"C\", or give its template instance in name_expressions)");
  check(r, "cuModuleGetFunction");
  return m.functions.emplace(symbol, f).first->second;
}

LaunchDims elementwise_dims(int device, int64_t n, unsigned block) {
  LaunchDims d;
  d.block = block;
  const int64_t need = (n + block - 1) / block;
  // Enough blocks for every SM to hold several; the kernels' grid-stride loops cover the rest.
  const int64_t cap = int64_t(sm_count(device)) * 32;
  d.grid = unsigned(std::max<int64_t>(1, std::min(need, cap)));
  return d;
}

void launch(const Context& c, CUfunction f, LaunchDims d, void** params) {
  c.make_current();
  EMBER_CU(cuLaunchKernel, f, d.grid, 1, 1, d.block, 1, 1, d.shared, c.stream, params, nullptr);
}

void launch_words(const Context& c, CUfunction f, LaunchDims d, const std::vector<uint64_t>& words) {
  // The driver copies the parameter's bytes (its size comes from the binary) at the call.
  void* params[] = {const_cast<uint64_t*>(words.data())};
  launch(c, f, d, params);
}

ErrorWord::ErrorWord(const Context& c) : c_(c), buf_(device_buffer(c.index, sizeof(int))) {
  EMBER_CU(cuMemsetD8Async, ptr(), 0, sizeof(int), c.stream);
}

CUdeviceptr ErrorWord::ptr() const { return static_cast<const DeviceMemory*>(buf_->device.get())->ptr; }

int ErrorWord::read() {
  int bits = 0;
  c_.make_current();
  EMBER_CU(cuMemcpyDtoHAsync, &bits, ptr(), sizeof(int), c_.stream);
  EMBER_CU(cuStreamSynchronize, c_.stream);
  return bits;
}

void raise_error_word(int bits) {
  if (bits & 1) throw ValueError("Integers to negative integer powers are not allowed.");
}

}  // namespace ember::cuda
