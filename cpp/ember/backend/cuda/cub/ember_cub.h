// The C ABI of libember_cub, the small shared library of CUB's device-wide algorithms that nvcc
// builds when CMake finds CUDA (ember_cub.cu). The cuda device opens it with dlopen at first use
// (cub_lib.h), so `import ember` never needs it. Every call is stream-ordered on `stream` (ember's
// stream) and runs in the context current on the calling thread (ember's primary context, which
// the CUDA runtime uses too). Calls return a cudaError_t value (0 = success); with temp == nullptr
// they only write the scratch size they need to *temp_bytes (ember allocates it from its pool).
#pragma once
#include <stddef.h>
#include <stdint.h>

#define EMBER_CUB_ABI 1

#if defined(EMBER_CUB_BUILDING)
#define EMBER_CUB_API __attribute__((visibility("default")))
#else
#define EMBER_CUB_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

// The ABI version the library was built with (EMBER_CUB_ABI); the loader refuses a mismatch.
EMBER_CUB_API int ember_cub_abi(void);
// The text of a returned error (cudaGetErrorString of the library's runtime).
EMBER_CUB_API const char* ember_cub_error_string(int err);

// Stable LSD radix sort of n unsigned keys of `width` bytes (1, 2, 4, 8) over bits [begin_bit,
// end_bit), with int64 values carried along when vals0 is not null. keys0/vals0 hold the input;
// both buffers of each pair are scratch; on return *selector names the buffer (0 or 1) holding the
// sorted keys (and values).
EMBER_CUB_API int ember_cub_radix_sort(int width, void* temp, size_t* temp_bytes, void* keys0, void* keys1, int64_t* vals0,
                                       int64_t* vals1, int* selector, int64_t n, int begin_bit, int end_bit, void* stream);

// out[i] = in[0] + ... + in[i] over n int64 values (out may equal in).
EMBER_CUB_API int ember_cub_inclusive_sum_i64(void* temp, size_t* temp_bytes, const int64_t* in, int64_t* out, int64_t n,
                                              void* stream);

#ifdef __cplusplus
}
#endif
