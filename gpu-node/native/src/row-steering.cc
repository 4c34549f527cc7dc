#include "row-steering.h"

#include <algorithm>

namespace steer {

RowSteering::RowSteering(int n_layer, int n_embd, int n_batch, size_t slots)
    : n_layer_(n_layer),
      n_embd_(n_embd),
      n_batch_(n_batch),
      slots_(static_cast<size_t>(n_layer - 1) * static_cast<size_t>(n_embd), slots) {}

RowVector RowSteering::hold(const Napi::Float32Array& vector, int first, int last) {
  return RowVector{slots_.hold(vector), first, last};
}

void RowSteering::begin(std::vector<RowVector> vectors, const std::vector<int32_t>& rows,
                        const std::vector<uint8_t>& outputs) {
  const auto layers = static_cast<size_t>(n_layer_);
  used_.clear();
  wanted_.assign(layers, 0);
  for (const RowVector& v : vectors) {
    used_.push_back(v.slot);
    for (int layer = v.first; layer <= v.last; layer++) wanted_[static_cast<size_t>(layer)] = 1;
  }
  // The columns of a layer's output walk the batch's tokens in order, the last layer's only the
  // tokens with logits (layer-output.h).
  ids_.assign(layers * static_cast<size_t>(n_batch_), 0);
  columns_.assign(layers, 0);
  cursor_.assign(layers, 0);
  for (int layer = 1; layer < n_layer_; layer++) {
    if (!wanted_[static_cast<size_t>(layer)]) continue;
    size_t& column = columns_[static_cast<size_t>(layer)];
    for (size_t token = 0; token < rows.size(); token++) {
      if (layer == n_layer_ - 1 && !outputs[token]) continue;
      const int32_t row = rows[token];
      const bool steered = row >= 0 && vectors[static_cast<size_t>(row)].steers(layer);
      const size_t slot = steered ? vectors[static_cast<size_t>(row)].slot : 0;
      ids_[static_cast<size_t>(layer) * static_cast<size_t>(n_batch_) + column++] = static_cast<int32_t>(slot);
    }
  }
  prepared_.clear();
  error_.clear();
}

std::string RowSteering::end() {
  wanted_.clear();
  return std::move(error_);
}

bool RowSteering::add(ggml_tensor* tensor, int layer) {
  if (!error_.empty()) return false;
  if (tensor->buffer == nullptr || !ggml_is_contiguous(tensor)) return fail("a layer output is not a whole tensor");
  const size_t first = cursor_[static_cast<size_t>(layer)];
  const auto count = static_cast<size_t>(tensor->ne[1]);
  if (first + count > columns_[static_cast<size_t>(layer)]) return fail("a layer output has more columns than the batch");
  cursor_[static_cast<size_t>(layer)] += count;

  DeviceRows* device = device_for(tensor->buffer);
  if (std::find(prepared_.begin(), prepared_.end(), device) == prepared_.end()) {
    if (!device->prepare(slots_, used_, ids_)) return fail("could not copy the steering vectors to the device");
    prepared_.push_back(device);
  }
  if (!device->add(tensor, layer, first)) return fail("could not add the steering vectors on the device");
  return true;
}

DeviceRows* RowSteering::device_for(ggml_backend_buffer_t buffer) {
  for (const auto& device : devices_) {
    if (device->serves(buffer)) return device.get();
  }
  devices_.push_back(std::make_unique<DeviceRows>(buffer, n_layer_, n_embd_, n_batch_));
  return devices_.back().get();
}

bool RowSteering::fail(std::string why) {
  error_ = "row steering: " + why;
  return false;
}

}  // namespace steer
