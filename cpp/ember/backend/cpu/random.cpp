// The "random" kernel: Philox4x32-10 (Salmon et al., SC'11). Element i uses the block
// philox(key, counter + i), so any split of the work gives the same values.
#include <cmath>
#include <utility>

#include "ember/backend/cpu/convert.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/device.h"

namespace ember::cpu {
namespace {

struct Block {
  uint32_t w[4];
};

Block philox(uint64_t key, uint64_t counter) {
  uint32_t c[4] = {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0};
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int r = 0; r < 10; ++r) {
    uint64_t p0 = uint64_t{0xD2511F53} * c[0], p1 = uint64_t{0xCD9E8D57} * c[2];
    uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0, n2 = static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1;
    c[0] = n0, c[1] = static_cast<uint32_t>(p1), c[2] = n2, c[3] = static_cast<uint32_t>(p0);
    k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
  }
  return {{c[0], c[1], c[2], c[3]}};
}

uint64_t word64(const Block& b, int i) { return (uint64_t{b.w[2 * i]} << 32) | b.w[2 * i + 1]; }
double unit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }  // [0, 1), 53 bits

// A uniform integer in [0, range) by the multiply-high method (range 0 means 2^64); the bias is below
// range / 2^64.
uint64_t below(uint64_t bits, uint64_t range) {
  if (range == 0) return bits;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * range) >> 64);
}

void random_kernel(Node& n) {
  alloc_output(n);
  const auto& q = n.params.ints;
  int64_t kind = q.at(0), low = q.at(3);
  uint64_t key = static_cast<uint64_t>(q.at(1)), ctr = static_cast<uint64_t>(q.at(2)), range = static_cast<uint64_t>(q.at(4));
  int64_t size = n.size();
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = n.data.ptr<T>();
    if (kind == 3) {  // permutation: Fisher-Yates, step i drawing from block counter + i
      if constexpr (std::is_same_v<T, int64_t>) {
        for (int64_t i = 0; i < size; ++i) out[i] = i;
        for (int64_t i = size - 1; i > 0; --i)
          std::swap(out[i], out[below(word64(philox(key, ctr + i), 0), static_cast<uint64_t>(i + 1))]);
      }
      return;
    }
    for (int64_t i = 0; i < size; ++i) {
      Block b = philox(key, ctr + static_cast<uint64_t>(i));
      if (kind == 2) {
        uint64_t v = static_cast<uint64_t>(low) + below(word64(b, 0), range);
        out[i] = convert<T>(static_cast<int64_t>(v));
      } else if constexpr (is_float_v<T>) {
        double v;
        if (kind == 0) {
          v = unit(word64(b, 0));
          if constexpr (!std::is_same_v<T, double>) {  // rounding up to 1.0 would leave [0, 1)
            v = static_cast<double>(static_cast<float>(v));
            if (v >= 1.0) v = 0x1.fffffep-1;
          }
        } else {
          double u1 = 1.0 - unit(word64(b, 0)), u2 = unit(word64(b, 1));  // u1 in (0, 1]
          v = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        }
        out[i] = convert<T>(v);
      }
    }
  });
}

}  // namespace

void register_random() { register_kernel(DeviceType::CPU, "random", random_kernel); }

}  // namespace ember::cpu
