#include "ember/backend/cuda/kernel_cache.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/backend/cuda/nvrtc.h"

namespace ember::cuda {
namespace {

constexpr char kMagic[] = "ember-cubin-v1\n";

uint64_t fnv1a(const std::string& s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

KernelCache::KernelCache(std::string dir) : dir_(std::move(dir)) {}

std::string KernelCache::default_dir() {
  if (const char* d = std::getenv("EMBER_CUDA_CACHE_DIR")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/ember/cuda";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/ember/cuda";
  return "";
}

KernelCache& KernelCache::global() {
  static KernelCache cache(default_dir());
  return cache;
}

std::string KernelCache::key_text(const std::string& source, const std::string& arch,
                                  const std::vector<std::string>& options, int nvrtc_version) {
  std::ostringstream k;
  k << "nvrtc " << nvrtc_version << "\narch " << arch << "\n";
  for (auto& o : options) k << "option " << o << "\n";
  k << "source " << source.size() << "\n" << source;
  return k.str();
}

std::string KernelCache::key_hash(const std::string& key) {
  // Two FNV-1a streams with different offset bases: a name, not a guarantee (the file holds the key).
  char out[40];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(fnv1a(key, 1469598103934665603ull)),
                static_cast<unsigned long long>(fnv1a(key, 0x9e3779b97f4a7c15ull)));
  return out;
}

std::shared_ptr<const std::string> KernelCache::get(const std::string& source, const std::string& name,
                                                    const std::string& arch, const std::vector<std::string>& options) {
  const std::string key = key_text(source, arch, options, nvrtc_version());
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = memory_.find(key);
    if (it != memory_.end()) {
      ++stats_.memory_hits;
      return it->second;
    }
  }
  const std::string hash = key_hash(key);
  auto cubin = read_disk(hash, key);
  bool compiled = false;
  if (!cubin) {
    cubin = std::make_shared<const std::string>(nvrtc_compile(source, name, arch, options).cubin);
    compiled = true;
    write_disk(hash, key, *cubin);
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++(compiled ? stats_.compiles : stats_.disk_hits);
  return memory_.emplace(key, cubin).first->second;  // another thread may have stored it first
}

std::shared_ptr<const std::string> KernelCache::read_disk(const std::string& hash, const std::string& key) const {
  if (dir_.empty()) return nullptr;
  std::ifstream f(dir_ + "/" + hash + ".cubin", std::ios::binary);
  if (!f) return nullptr;
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // magic, key length, key, cubin: anything else (a different key, a truncated file) is a miss
  const size_t m = sizeof kMagic - 1;
  if (data.compare(0, m, kMagic) != 0) return nullptr;
  size_t nl = data.find('\n', m);
  if (nl == std::string::npos) return nullptr;
  size_t len = std::strtoull(data.c_str() + m, nullptr, 10);
  if (data.size() < nl + 1 + len || data.compare(nl + 1, len, key) != 0) return nullptr;
  return std::make_shared<const std::string>(data.substr(nl + 1 + len));
}

void KernelCache::write_disk(const std::string& hash, const std::string& key, const std::string& cubin) {
  if (dir_.empty()) return;
  static std::atomic<uint64_t> serial{0};
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  const std::string final_path = dir_ + "/" + hash + ".cubin";
  const std::string tmp = final_path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  bool ok = false;
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f) {
      f << kMagic << key.size() << "\n" << key << cubin;
      f.flush();
      ok = static_cast<bool>(f);
    }
  }
  // A cache that cannot be written only costs a later compile; the kernel is still returned.
  if (ok) fs::rename(tmp, final_path, ec);
  if (!ok || ec) {
    fs::remove(tmp, ec);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.disk_errors;
  }
}

CacheStats KernelCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void KernelCache::clear_memory() {
  std::lock_guard<std::mutex> lock(mu_);
  memory_.clear();
}

}  // namespace ember::cuda
