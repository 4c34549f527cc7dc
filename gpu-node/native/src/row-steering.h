// Row steering: a control vector per batch token, so that requests steering differently can share
// one decode. llama.cpp holds one control vector per context and adds it to every token's layer
// output; here, in the eval callback, each token's column of `l_out-N` gets its own request's
// vector added before the next layer reads it, on the device that holds the layer output
// (device-rows.h), from copies of the vectors kept there (vector-slots.h). It is the same float
// addition llama.cpp's control vector makes at the same place, so a request gets the same numbers
// either way.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device-rows.h"
#include "ggml.h"
#include "vector-slots.h"

namespace steer {

// A vector a decode steers with: its slot, and the layers it steers.
struct RowVector {
  size_t slot = 0;
  int first = 0;
  int last = -1;

  bool steers(int layer) const { return layer >= first && layer <= last; }
};

class RowSteering {
 public:
  // `slots`: how many vectors to keep on each device before the least recently used gives way.
  RowSteering(int n_layer, int n_embd, int n_batch, size_t slots);

  // On the JS thread, while a decode is prepared: `start` it, then `hold` each of its vectors, a
  // Float32Array of (n_layer - 1) * n_embd floats in llama.cpp's control vector layout.
  void start() { slots_.start(++decode_); }
  RowVector hold(const Napi::Float32Array& vector, int first, int last);

  // On the decode's thread. `rows`: per batch token, the index of its vector in `vectors`, or -1.
  void begin(std::vector<RowVector> vectors, const std::vector<int32_t>& rows, const std::vector<uint8_t>& outputs);
  // Ends the decode: why an addition failed, or empty.
  std::string end();
  bool wants(int layer) const { return !wanted_.empty() && wanted_[static_cast<size_t>(layer)]; }
  // False, with the reason kept for `end`, when the addition could not be made.
  bool add(ggml_tensor* tensor, int layer);

 private:
  DeviceRows* device_for(ggml_backend_buffer_t buffer);
  bool fail(std::string why);

  int n_layer_;
  int n_embd_;
  int n_batch_;
  uint64_t decode_ = 0;
  VectorSlots slots_;
  std::vector<std::unique_ptr<DeviceRows>> devices_;  // the first layer output on each made one

  // The decode under way.
  std::vector<size_t> used_;          // its vectors' slots
  std::vector<uint8_t> wanted_;       // per layer: some vector steers it (empty: not steering)
  std::vector<int32_t> ids_;          // per layer, per column of its output: a slot (0: none)
  std::vector<size_t> columns_;       // per layer: its output's columns in this decode
  std::vector<size_t> cursor_;        // per layer: columns added to so far
  std::vector<DeviceRows*> prepared_; // devices given this decode's vectors and ids
  std::string error_;
};

}  // namespace steer
