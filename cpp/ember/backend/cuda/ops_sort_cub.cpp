#include "ember/backend/cuda/ops_sort_cub.h"

#include <dlfcn.h>

#include <cstdlib>
#include <memory>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/cub/ember_cub.h"
#include "ember/backend/cuda/dynlib.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/status.h"

namespace ember::cuda {
namespace {

// The folder of the shared object (or executable) this code was linked into.
std::string own_folder() {
  Dl_info info{};
  if (!dladdr(reinterpret_cast<void*>(&cub_available), &info) || !info.dli_fname) return "";
  std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

struct CubLib {
  const char* env = std::getenv("EMBER_CUB_LIBRARY");
  std::string beside = own_folder() + "libember_cub.so";
  DynLib lib{env && *env ? env : beside.c_str(), "libember_cub.so"};
  decltype(&::ember_cub_abi) abi = lib.get<decltype(abi)>("ember_cub_abi");
  decltype(&::ember_cub_error_string) error_string = lib.get<decltype(error_string)>("ember_cub_error_string");
  decltype(&::ember_cub_radix_sort) radix_sort = lib.get<decltype(radix_sort)>("ember_cub_radix_sort");
  decltype(&::ember_cub_inclusive_sum_i64) inclusive_sum = lib.get<decltype(inclusive_sum)>("ember_cub_inclusive_sum_i64");
  bool ok() const { return lib.ok() && abi && abi() == EMBER_CUB_ABI && error_string && radix_sort && inclusive_sum; }
  std::string why() const {
    if (!lib.ok()) return "libember_cub.so could not be loaded (" + lib.error() +
                          "); build ember with nvcc on the PATH (EMBER_CUB=ON) or set EMBER_CUB_LIBRARY";
    if (!abi || !error_string || !radix_sort || !inclusive_sum) return lib.name() + " lacks an ember_cub_* function";
    return lib.name() + " has ABI " + std::to_string(abi()) + ", this ember needs " + std::to_string(EMBER_CUB_ABI);
  }
};

const CubLib& lib() {
  static const CubLib* l = new CubLib;  // leaked on purpose: its runtime must outlive every stream
  return *l;
}

const CubLib& usable() {
  const CubLib& l = lib();
  if (!l.ok()) throw CudaError("the cuda sort ops need libember_cub: " + l.why());
  return l;
}

void check(const CubLib& l, int err, const char* what) {
  if (err != 0) throw CudaError(std::string(what) + " failed: " + l.error_string(err) + " (cudaError " + std::to_string(err) + ")");
}

CUdeviceptr scratch(const Context& c, size_t bytes, std::shared_ptr<Buffer>& keep) {
  keep = device_buffer(c.index, bytes == 0 ? 1 : bytes);
  return static_cast<const DeviceMemory*>(keep->device.get())->ptr;
}

void* ptr(CUdeviceptr p) { return reinterpret_cast<void*>(static_cast<uintptr_t>(p)); }

}  // namespace

bool cub_available() { return lib().ok(); }
std::string cub_why_unavailable() { return lib().ok() ? "" : lib().why(); }

int cub_radix_sort(const Context& c, int width, const CUdeviceptr keys[2], const CUdeviceptr vals[2], int64_t n,
                   int end_bit) {
  const CubLib& l = usable();
  if (n == 0) return 0;
  c.make_current();  // the library's runtime adopts the current (primary) context
  auto* v0 = static_cast<int64_t*>(ptr(vals[0])), *v1 = static_cast<int64_t*>(ptr(vals[1]));
  size_t bytes = 0;
  int sel = 0;
  check(l, l.radix_sort(width, nullptr, &bytes, ptr(keys[0]), ptr(keys[1]), v0, v1, &sel, n, 0, end_bit, c.stream),
        "cub::DeviceRadixSort (scratch size)");
  std::shared_ptr<Buffer> keep;
  const CUdeviceptr temp = scratch(c, bytes, keep);
  check(l, l.radix_sort(width, ptr(temp), &bytes, ptr(keys[0]), ptr(keys[1]), v0, v1, &sel, n, 0, end_bit, c.stream),
        "cub::DeviceRadixSort");
  return sel;  // the scratch goes back to the pool ordered on the stream, after the sort
}

void cub_inclusive_sum(const Context& c, CUdeviceptr in, CUdeviceptr out, int64_t n) {
  const CubLib& l = usable();
  if (n == 0) return;
  c.make_current();
  size_t bytes = 0;
  check(l, l.inclusive_sum(nullptr, &bytes, static_cast<const int64_t*>(ptr(in)), static_cast<int64_t*>(ptr(out)), n,
                           c.stream),
        "cub::DeviceScan::InclusiveSum (scratch size)");
  std::shared_ptr<Buffer> keep;
  const CUdeviceptr temp = scratch(c, bytes, keep);
  check(l, l.inclusive_sum(ptr(temp), &bytes, static_cast<const int64_t*>(ptr(in)), static_cast<int64_t*>(ptr(out)), n,
                           c.stream),
        "cub::DeviceScan::InclusiveSum");
}

}  // namespace ember::cuda
