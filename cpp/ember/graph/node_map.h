// Flat hash tables for the graph walks that run on every evaluation (schedule, fusion): one
// allocation each instead of one per entry, which matters for programs of many small ops.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace ember {

// Mixes `v` into the hash `h` (boost's hash_combine step).
inline void hash_mix(size_t& h, size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); }

// Open addressing over pointers or hashes: `Key` 0 marks an empty slot, so 0 is never a key (make
// hashes odd). Grows as it fills.
template <class Key, class Value>
class FlatMap {
 public:
  explicit FlatMap(size_t expected = 8) { reset(expected); }

  // Empties the table, sized for `expected` entries.
  void reset(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2) cap *= 2;
    slots_.assign(cap, Slot{});
    size_ = 0;
  }
  size_t size() const { return size_; }

  // The value stored under `key`, or null.
  Value* find(Key key) {
    for (size_t i = start(key);; i = (i + 1) & mask()) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == Key{}) return nullptr;
    }
  }
  const Value* find(Key key) const { return const_cast<FlatMap*>(this)->find(key); }
  // Inserts (key, value) unless `key` is present; returns the stored value and whether it is new.
  std::pair<Value*, bool> insert(Key key, Value value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = start(key);; i = (i + 1) & mask()) {
      if (slots_[i].key == key) return {&slots_[i].value, false};
      if (slots_[i].key == Key{}) {
        slots_[i] = Slot{key, value};
        ++size_;
        return {&slots_[i].value, true};
      }
    }
  }
  // Calls f(value) for every entry stored under `key` by add() (a multimap) until f returns true.
  template <class F>
  bool any_of(Key key, F&& f) const {
    for (size_t i = start(key);; i = (i + 1) & mask()) {
      if (slots_[i].key == Key{}) return false;
      if (slots_[i].key == key && f(slots_[i].value)) return true;
    }
  }
  // Adds an entry even if `key` is present (use with any_of).
  void add(Key key, Value value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t i = start(key);
    while (slots_[i].key != Key{}) i = (i + 1) & mask();
    slots_[i] = Slot{key, value};
    ++size_;
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
  };
  size_t mask() const { return slots_.size() - 1; }
  size_t start(Key key) const {
    uint64_t h = static_cast<uint64_t>(reinterpret_cast_or_value(key)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 20) & mask();
  }
  template <class K>
  static uint64_t reinterpret_cast_or_value(K k) {
    if constexpr (std::is_pointer_v<K>) return reinterpret_cast<uintptr_t>(k);
    else return static_cast<uint64_t>(k);
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != Key{}) add(s.key, s.value);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace ember
