#include "ember/backend/cuda/context.h"

#include <array>
#include <cstdlib>
#include <string>

#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/transfer.h"

namespace ember::cuda {
namespace {

constexpr int kMaxDevices = 64;
std::mutex g_mu;
// Never destroyed: at exit the driver may already be torn down, and a pool freeing its cache in a
// static destructor would call into it (the driver reclaims everything when the process ends).
std::array<Context*, kMaxDevices> g_contexts{};
int g_current = -1;

thread_local CUcontext t_current = nullptr;

CUdevice device_handle(int index) {
  require_available();
  if (index < 0 || index >= device_count())
    throw CudaError("cuda device " + std::to_string(index) + " does not exist (the driver reports " +
                    std::to_string(device_count()) + ")");
  CUdevice d = 0;
  EMBER_CU(cuDeviceGet, &d, index);
  return d;
}

std::unique_ptr<Context> create(int index) {
  auto c = std::make_unique<Context>();
  c->index = index;
  EMBER_CU(cuDeviceGet, &c->device, index);
  EMBER_CU(cuDevicePrimaryCtxRetain, &c->ctx, c->device);
  EMBER_CU(cuCtxSetCurrent, c->ctx);
  t_current = c->ctx;
  EMBER_CU(cuStreamCreate, &c->stream, CU_STREAM_NON_BLOCKING);
  EMBER_CU(cuDeviceGetAttribute, &c->cc_major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, c->device);
  EMBER_CU(cuDeviceGetAttribute, &c->cc_minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, c->device);
  char name[256] = {};
  EMBER_CU(cuDeviceGetName, name, int(sizeof name), c->device);
  c->name = name;
  c->pool = std::make_unique<MemoryPool>(device_pool_backend(*c));
  c->staging = make_staging();
  return c;
}

}  // namespace

void Context::make_current() const {
  if (t_current == ctx) return;
  EMBER_CU(cuCtxSetCurrent, ctx);
  t_current = ctx;
}

void Context::synchronize() const {
  make_current();
  EMBER_CU(cuStreamSynchronize, stream);
}

void Context::wait_for(const Context& other) const {
  if (&other == this) return;
  other.make_current();
  CUevent e = nullptr;
  EMBER_CU(cuEventCreate, &e, CU_EVENT_DISABLE_TIMING);
  EMBER_CU(cuEventRecord, e, other.stream);
  make_current();
  EMBER_CU(cuStreamWaitEvent, stream, e, 0);
  EMBER_CU(cuEventDestroy, e);  // safe: destruction is deferred until the wait is satisfied
}

Context& context(int index) {
  (void)device_handle(index);
  Context* c;
  {
    std::lock_guard lock(g_mu);
    if (!g_contexts[index]) g_contexts[index] = create(index).release();
    c = g_contexts[index];
  }
  c->make_current();
  return *c;
}

Context* existing_context(int index) {
  if (index < 0 || index >= kMaxDevices) return nullptr;
  std::lock_guard lock(g_mu);
  return g_contexts[index];
}

int current_device() {
  std::lock_guard lock(g_mu);
  if (g_current < 0) {
    const char* env = std::getenv("EMBER_CUDA_DEVICE");
    g_current = env ? std::atoi(env) : 0;
  }
  return g_current;
}

void set_device(int index) {
  (void)device_handle(index);
  std::lock_guard lock(g_mu);
  g_current = index;
}

std::string device_name(int index) {
  const CUdevice d = device_handle(index);
  char name[256] = {};
  EMBER_CU(cuDeviceGetName, name, int(sizeof name), d);
  return name;
}

int compute_capability(int index) {
  // Attributes need no context: the compiler may ask before the device is used.
  const CUdevice d = device_handle(index);
  int major = 0, minor = 0;
  EMBER_CU(cuDeviceGetAttribute, &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
  EMBER_CU(cuDeviceGetAttribute, &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
  return major * 10 + minor;
}

void synchronize_all() {
  if (!available()) return;
  for (int i = 0; i < device_count() && i < kMaxDevices; ++i)
    if (Context* c = existing_context(i)) c->synchronize();
}

}  // namespace ember::cuda
