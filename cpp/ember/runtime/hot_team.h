// A hot team: helper threads that stay awake for a short while after each job, for kernels too small
// to pay a oneTBB wake-up (~15 us) but big enough to split (a few microseconds of work, called again
// and again by a replayed program). runtime::parallel_for stays the way for everything larger.
#pragma once
#include <cstdint>
#include <type_traits>

namespace ember::runtime {

// How long a helper spins after its last job before it sleeps (so an idle process burns no CPU).
inline constexpr int64_t kHotSpinNs = 100'000;

// Calls body(begin, end) over [0, n) split into min(num_threads(), n) even parts (part i is
// [n*i/parts, n*(i+1)/parts), whoever runs it), the calling thread taking parts too, and returns
// when all have finished. Parts a helper has not claimed yet are run by the caller, so a sleeping
// helper costs no wait. An exception from a part is rethrown here (the first one) after the other
// parts finished. Runs body(0, n) on the calling thread when there is one thread, from inside a part,
// on a oneTBB worker, or while another thread's call is running.
template <class F>
void hot_for(int64_t n, F&& body);

namespace detail {
using PartFn = void (*)(void* ctx, int64_t begin, int64_t end);
void hot_for(int64_t n, void* ctx, PartFn fn);
}  // namespace detail

// (A function pointer and a context rather than std::function: no allocation per call.)
template <class F>
void hot_for(int64_t n, F&& body) {
  using Body = std::remove_reference_t<F>;
  detail::hot_for(n, const_cast<void*>(static_cast<const void*>(&body)),
                  [](void* ctx, int64_t b, int64_t e) { (*static_cast<Body*>(ctx))(b, e); });
}

}  // namespace ember::runtime
