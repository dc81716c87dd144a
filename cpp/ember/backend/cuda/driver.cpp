#include "ember/backend/cuda/driver.h"

#include <algorithm>
#include <dlfcn.h>

#include "ember/backend/cuda/dynlib.h"

namespace ember::cuda {
namespace {

// Names for the results that matter when the driver itself cannot name them (the stub library
// answers every call, cuGetErrorName included, with CUDA_ERROR_STUB_LIBRARY).
const char* known_name(CUresult r) {
  switch (r) {
    case CUDA_SUCCESS: return "CUDA_SUCCESS";
    case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case CUDA_ERROR_STUB_LIBRARY: return "CUDA_ERROR_STUB_LIBRARY";
    case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE: return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
    case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH: return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
    case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    default: return nullptr;
  }
}

std::string describe(const Driver& fn, CUresult r) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (fn.cuGetErrorName_ && fn.cuGetErrorName_(r, &name) != CUDA_SUCCESS) name = nullptr;
  if (fn.cuGetErrorString_ && fn.cuGetErrorString_(r, &text) != CUDA_SUCCESS) text = nullptr;
  if (!name) name = known_name(r);
  std::string s = name ? name : "CUresult " + std::to_string(int(r));
  if (text) s += std::string(" (") + text + ")";
  return s;
}

using GetProc = CUresult (*)(const char*, void**, int, cuuint64_t, CUdriverProcAddressQueryResult*);

// One driver function: through cuGetProcAddress at our headers' ABI when the driver has it (it picks
// the variant matching that ABI), else dlsym of the versioned name the headers' macros produce.
template <class F>
void resolve(const DynLib& lib, GetProc get_proc, int version, const char* base, const char* versioned, F* slot) {
  void* p = nullptr;
  CUdriverProcAddressQueryResult status{};
  if (get_proc && get_proc(base, &p, version, CU_GET_PROC_ADDRESS_DEFAULT, &status) == CUDA_SUCCESS &&
      status == CU_GET_PROC_ADDRESS_SUCCESS && p) {
    *slot = reinterpret_cast<F>(p);
    return;
  }
  *slot = lib.get<F>(versioned);
}

#define EMBER_STR(x) #x
#define EMBER_XSTR(x) EMBER_STR(x)

}  // namespace

DriverLoad load_driver(std::initializer_list<const char*> names) {
  DriverLoad out;
  // Leaked on purpose: the driver's atexit work must find it loaded (see DynLib's destructor).
  auto* lib = new DynLib(names);
  if (!lib->ok()) {
    out.why = "no CUDA driver library could be loaded (" + lib->error() +
              "); install the NVIDIA driver to use device 'cuda'";
    return out;
  }
  out.library = lib->name();
  Driver& fn = out.fn;
  fn.cuInit_ = lib->get<decltype(fn.cuInit_)>("cuInit");
  fn.cuGetErrorName_ = lib->get<decltype(fn.cuGetErrorName_)>("cuGetErrorName");
  fn.cuGetErrorString_ = lib->get<decltype(fn.cuGetErrorString_)>("cuGetErrorString");
  fn.cuDriverGetVersion_ = lib->get<decltype(fn.cuDriverGetVersion_)>("cuDriverGetVersion");
  if (!fn.cuInit_) {
    out.why = out.library + " has no cuInit; it is not a CUDA driver";
    return out;
  }
  if (CUresult r = fn.cuInit_(0); r != CUDA_SUCCESS) {
    out.why = "cuInit failed: " + describe(fn, r);
    if (r == CUDA_ERROR_STUB_LIBRARY)
      out.why += "; " + out.library + " is the CUDA toolkit's stub library, not a driver (no NVIDIA driver is installed)";
    else if (r == CUDA_ERROR_NO_DEVICE)
      out.why += "; no CUDA-capable GPU was found";
    return out;
  }
  if (fn.cuDriverGetVersion_) fn.cuDriverGetVersion_(&out.version);
  const int abi = out.version > 0 ? std::min(out.version, CUDA_VERSION) : CUDA_VERSION;
  auto get_proc = lib->get<GetProc>("cuGetProcAddress_v2");
#define EMBER_CUDA_RESOLVE(name) resolve(*lib, get_proc, abi, #name, EMBER_XSTR(name), &fn.name##_);
  EMBER_CUDA_DRIVER_FUNCTIONS(EMBER_CUDA_RESOLVE)
#undef EMBER_CUDA_RESOLVE
#define EMBER_CUDA_MISSING(name) \
  if (!fn.name##_) missing += std::string(missing.empty() ? "" : ", ") + EMBER_XSTR(name);
  std::string missing;
  EMBER_CUDA_DRIVER_FUNCTIONS(EMBER_CUDA_MISSING)
#undef EMBER_CUDA_MISSING
  if (!missing.empty()) {
    out.why = out.library + " (driver version " + std::to_string(out.version) + ") lacks " + missing +
              "; update the NVIDIA driver";
    return out;
  }
  if (CUresult r = fn.cuDeviceGetCount_(&out.devices); r != CUDA_SUCCESS) {
    out.why = "cuDeviceGetCount failed: " + describe(fn, r);
    return out;
  }
  if (out.devices == 0) {
    out.why = "the CUDA driver (" + out.library + ") reports no devices";
    return out;
  }
  out.ok = true;
  return out;
}

const DriverLoad& driver_load() {
  static const DriverLoad load = load_driver({"libcuda.so.1", "libcuda.so"});
  return load;
}

const Driver& driver() {
  const DriverLoad& d = driver_load();
  if (!d.ok) throw CudaError("the cuda device is unavailable: " + d.why);
  return d.fn;
}

bool available() { return driver_load().ok; }
std::string why_unavailable() { return driver_load().ok ? std::string() : driver_load().why; }
int device_count() { return driver_load().ok ? driver_load().devices : 0; }
void require_available() { (void)driver(); }

std::string error_name(CUresult r) {
  const DriverLoad& d = driver_load();
  if (d.ok) return describe(d.fn, r);
  const char* n = known_name(r);
  return n ? n : "CUresult " + std::to_string(int(r));
}

void check(CUresult r, const char* call) {
  if (r == CUDA_SUCCESS) return;
  std::string msg = std::string(call) + " failed: " + error_name(r);
  if (r == CUDA_ERROR_OUT_OF_MEMORY) throw CudaMemoryError(msg);
  throw CudaError(msg);
}

}  // namespace ember::cuda
