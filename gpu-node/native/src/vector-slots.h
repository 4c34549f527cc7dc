// Where row steering's composed vectors live in device memory: each vector a decode steers with is
// given a slot, and every device that adds vectors keeps a copy of the slots it has used (see
// device-rows.h). A vector keeps its slot across decodes, so a steering that stays in use is
// copied to a device once, not at every token; the least recently used one gives its slot up when
// a new vector needs one.
//
// A slot is known by the JS Float32Array that holds its vector: composed vectors are cached by
// steering on the JS side and never changed, so the same array means the same floats. The slot
// holds a reference to the array, so that neither it nor its memory can go while the slot is in
// use. Slot 0 is all zeros: the vector of tokens that a layer does not steer.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace steer {

class VectorSlots {
 public:
  VectorSlots(size_t floats, size_t capacity);

  // On the JS thread, between decodes. `decode` numbers the decode being prepared: a slot taken
  // for it is not given up to another vector of the same decode (the slots grow instead).
  void start(uint64_t decode) { decode_ = decode; }
  size_t hold(const Napi::Float32Array& vector);

  size_t floats() const { return floats_; }
  // The number of slots, the zero slot included: grows when one decode needs more.
  size_t capacity() const { return slots_.size(); }
  const float* data(size_t slot) const { return slots_[slot].data; }
  // Changes whenever the slot takes another vector: a device copy of another version is stale.
  uint64_t version(size_t slot) const { return slots_[slot].version; }

 private:
  struct Slot {
    Napi::ObjectReference owner;
    const float* data = nullptr;
    uint64_t version = 0;
    uint64_t used = 0;  // the last decode that held it
  };

  size_t free_slot();

  size_t floats_;
  uint64_t decode_ = 0;
  uint64_t versions_ = 0;
  std::vector<Slot> slots_;
  std::unordered_map<const float*, size_t> slot_of_;
};

}  // namespace steer
