// How fast this machine's cores read memory, without ember: one thread against two, each summing its
// half of a 160 MB array (huge pages asked for, as ember's and NumPy's large arrays). A reduction over
// an array this size can run at most (2-thread rate / 1-thread rate) times faster than NumPy's
// single-threaded sum here, whatever the library does.
//
//     g++ -O3 -march=native -ffast-math -pthread benchmarks/read_bandwidth.cpp -o /tmp/read_bandwidth && /tmp/read_bandwidth
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

double sum(const double* p, long n) {  // eight independent sums: the loop vectorizes (-ffast-math)
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (long i = 0; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += p[i + j];
  double t = 0;
  for (double v : s) t += v;
  return t;
}

double gb_per_s(const double* a, long n, int threads) {
  std::vector<double> part(threads);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { part[t] = sum(a + n / threads * t, n / threads); });
  for (auto& th : pool) th.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (part[0] < 0) std::puts("");  // (keeps the sums)
  return n * 8.0 / s / 1e9;
}

}  // namespace

int main() {
  const long n = 20'000'000;
  const size_t bytes = (n * 8 + (size_t{2} << 20) - 1) / (size_t{2} << 20) * (size_t{2} << 20);
  auto* a = static_cast<double*>(std::aligned_alloc(size_t{2} << 20, bytes));
  madvise(a, bytes, MADV_HUGEPAGE);
  std::fill(a, a + n, 1.0);
  for (int round = 0; round < 5; ++round) {
    std::vector<double> one, two;
    for (int i = 0; i < 5; ++i) {
      one.push_back(gb_per_s(a, n, 1));
      two.push_back(gb_per_s(a, n, 2));
    }
    std::sort(one.begin(), one.end());
    std::sort(two.begin(), two.end());
    std::printf("1 thread %.1f GB/s, 2 threads %.1f GB/s (medians of 5): ratio %.2f\n", one[2], two[2], two[2] / one[2]);
  }
  std::free(a);
}
