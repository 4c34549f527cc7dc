// Row steering on one device: the slots' vectors kept in that device's memory, and a one-node ggml
// graph, run on the device's own backend, that adds each column of a layer output its slot's row:
// ggml_add_id(out, table, ids) with out[:, c] += table[:, ids[c]], written in place over the layer
// output. Nothing is copied back to the host; what crosses per decode is the column-to-slot ids
// and any vector new to the device. It is the same float addition llama.cpp's control vector
// makes, so on the CPU the logits are identical to it (test/engine/row-steering.test.ts).
//
// The device is where the layer output lives: a GPU's memory, or host memory (CPU layers, also
// those of a partly offloaded model, whose outputs llama.cpp keeps in the GPU's pinned host
// buffers), where the CPU backend does the adding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ggml-backend.h"
#include "ggml.h"
#include "vector-slots.h"

namespace steer {

class DeviceRows {
 public:
  // For layer outputs held in `buffer`.
  DeviceRows(ggml_backend_buffer_t buffer, int n_layer, int n_embd, int n_batch);
  ~DeviceRows();
  DeviceRows(const DeviceRows&) = delete;
  DeviceRows& operator=(const DeviceRows&) = delete;

  // Whether layer outputs held in `buffer` are this device's to add to.
  bool serves(ggml_backend_buffer_t buffer) const;

  // Once per decode, before the first add: copies the slots `used` that this device holds no
  // current copy of, and the decode's ids (n_layer rows of n_batch: per layer, per column, a slot).
  bool prepare(const VectorSlots& slots, const std::vector<size_t>& used, const std::vector<int32_t>& ids);
  // out[:, c] += its slot's row of `layer`, for the columns of `out`, which are columns
  // first.. of the layer's output in this decode.
  bool add(ggml_tensor* out, int layer, size_t first);

 private:
  bool allocate(size_t capacity);
  void release_tables();

  ggml_backend_dev_t device_ = nullptr;
  ggml_backend_t backend_ = nullptr;
  int n_layer_;
  int n_embd_;
  int n_batch_;
  ggml_context* tables_ = nullptr;          // table and ids, no data of their own
  ggml_backend_buffer_t memory_ = nullptr;  // their data, in the device's memory
  ggml_tensor* table_ = nullptr;            // [n_embd, n_layer - 1, slots]: a slot is a vector
  ggml_tensor* ids_ = nullptr;              // [n_batch, n_layer] I32
  std::vector<uint64_t> versions_;          // per slot: the version copied here (0: none)
  std::vector<uint8_t> graph_memory_;       // each add's small graph is built in this
};

}  // namespace steer
