#include "vector-slots.h"

namespace steer {

VectorSlots::VectorSlots(size_t floats, size_t capacity) : floats_(floats), slots_(capacity < 2 ? 2 : capacity) {}

size_t VectorSlots::hold(const Napi::Float32Array& vector) {
  const float* data = vector.Data();
  auto found = slot_of_.find(data);
  if (found != slot_of_.end()) {
    slots_[found->second].used = decode_;
    return found->second;
  }
  const size_t slot = free_slot();
  Slot& s = slots_[slot];
  if (s.data != nullptr) slot_of_.erase(s.data);
  s.owner = Napi::Persistent(vector.As<Napi::Object>());
  s.data = data;
  s.version = ++versions_;
  s.used = decode_;
  slot_of_[data] = slot;
  return slot;
}

// An empty slot, else the least recently used one that this decode does not hold, else a new one.
size_t VectorSlots::free_slot() {
  size_t oldest = 0;
  for (size_t slot = 1; slot < slots_.size(); slot++) {
    if (slots_[slot].data == nullptr) return slot;
    if (slots_[slot].used == decode_) continue;
    if (oldest == 0 || slots_[slot].used < slots_[oldest].used) oldest = slot;
  }
  if (oldest != 0) return oldest;
  slots_.emplace_back();
  return slots_.size() - 1;
}

}  // namespace steer
