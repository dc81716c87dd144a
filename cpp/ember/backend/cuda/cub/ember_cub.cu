// libember_cub: cub::DeviceRadixSort and cub::DeviceScan behind the C ABI of ember_cub.h. Few
// instantiations on purpose (build time): unsigned keys of 1/2/4/8 bytes (the cuda device maps
// every dtype to such keys with an order-preserving transform, ops_sort_keys.h), keys alone or
// with int64 values, and one int64 inclusive sum.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <cstdint>

#include "ember_cub.h"

namespace {

template <class K>
cudaError_t radix_sort(void* temp, size_t* bytes, void* k0, void* k1, int64_t* v0, int64_t* v1, int* selector,
                       int64_t n, int begin_bit, int end_bit, cudaStream_t s) {
  cub::DoubleBuffer<K> keys(static_cast<K*>(k0), static_cast<K*>(k1));
  cudaError_t err;
  if (v0) {
    cub::DoubleBuffer<int64_t> vals(v0, v1);
    err = cub::DeviceRadixSort::SortPairs(temp, *bytes, keys, vals, n, begin_bit, end_bit, s);
  } else {
    err = cub::DeviceRadixSort::SortKeys(temp, *bytes, keys, n, begin_bit, end_bit, s);
  }
  if (selector) *selector = keys.selector;
  return err;
}

}  // namespace

extern "C" {

int ember_cub_abi(void) { return EMBER_CUB_ABI; }

const char* ember_cub_error_string(int err) { return cudaGetErrorString(static_cast<cudaError_t>(err)); }

int ember_cub_radix_sort(int width, void* temp, size_t* temp_bytes, void* keys0, void* keys1, int64_t* vals0,
                         int64_t* vals1, int* selector, int64_t n, int begin_bit, int end_bit, void* stream) {
  auto s = static_cast<cudaStream_t>(stream);
  switch (width) {
    case 1: return radix_sort<uint8_t>(temp, temp_bytes, keys0, keys1, vals0, vals1, selector, n, begin_bit, end_bit, s);
    case 2: return radix_sort<uint16_t>(temp, temp_bytes, keys0, keys1, vals0, vals1, selector, n, begin_bit, end_bit, s);
    case 4: return radix_sort<uint32_t>(temp, temp_bytes, keys0, keys1, vals0, vals1, selector, n, begin_bit, end_bit, s);
    case 8: return radix_sort<uint64_t>(temp, temp_bytes, keys0, keys1, vals0, vals1, selector, n, begin_bit, end_bit, s);
    default: return cudaErrorInvalidValue;
  }
}

int ember_cub_inclusive_sum_i64(void* temp, size_t* temp_bytes, const int64_t* in, int64_t* out, int64_t n,
                                void* stream) {
  return cub::DeviceScan::InclusiveSum(temp, *temp_bytes, in, out, n, static_cast<cudaStream_t>(stream));
}

}  // extern "C"
