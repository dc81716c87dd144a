// Compiled kernels, cached in memory and on disk. The key is a hash of everything that decides the
// binary: the source, the options, the architecture and NVRTC's version (no compiler runs to make
// it). Disk entries live in EMBER_CUDA_CACHE_DIR (default $XDG_CACHE_HOME/ember/cuda, else
// ~/.cache/ember/cuda; an empty value turns the disk cache off). Each file holds its full key
// text and is compared on reading, so a hash collision is a miss, never a wrong binary. Files are
// written to a unique temporary name and renamed into place (atomic on POSIX), so processes
// sharing the directory never see a partial file.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::cuda {

struct CacheStats {
  int64_t memory_hits = 0, disk_hits = 0, compiles = 0, disk_errors = 0;
};

class KernelCache {
 public:
  // `dir` empty: memory only.
  explicit KernelCache(std::string dir);
  // The directory the environment selects (see above); "" when disabled.
  static std::string default_dir();
  // The process-wide cache over default_dir().
  static KernelCache& global();

  // The CUBIN of `source` for `arch` with `options`: from memory, else from disk, else compiled
  // with NVRTC (CompileError carries the log) and stored in both.
  std::shared_ptr<const std::string> get(const std::string& source, const std::string& name, const std::string& arch,
                                         const std::vector<std::string>& options = {});

  // The text a key hashes, and its 32-hex-digit hash (the file name).
  static std::string key_text(const std::string& source, const std::string& arch,
                              const std::vector<std::string>& options, int nvrtc_version);
  static std::string key_hash(const std::string& key_text);

  const std::string& dir() const { return dir_; }
  CacheStats stats() const;
  void clear_memory();

 private:
  std::shared_ptr<const std::string> read_disk(const std::string& hash, const std::string& key) const;
  void write_disk(const std::string& hash, const std::string& key, const std::string& cubin);

  std::string dir_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> memory_;  // key text -> cubin
  CacheStats stats_;
};

}  // namespace ember::cuda
