#include "capture.h"

#include "ggml-backend.h"

namespace steer {

void Capture::begin(const std::vector<int>& layers, std::vector<uint8_t> keep, const std::vector<uint8_t>& outputs) {
  keep_ = std::move(keep);
  slot_of_layer_.assign(static_cast<size_t>(n_layer_), -1);
  for (size_t i = 0; i < layers.size(); i++) slot_of_layer_[static_cast<size_t>(layers[i])] = static_cast<int>(i);
  states.assign(layers.size(), {});
  walk_.begin(n_layer_, outputs);
}

void Capture::copy(ggml_tensor* tensor, int layer) {
  std::vector<float>& out = states[static_cast<size_t>(slot_of_layer_[static_cast<size_t>(layer)])];
  const size_t row_bytes = static_cast<size_t>(n_embd_) * sizeof(float);
  for (int64_t c = 0; c < tensor->ne[1]; c++) {
    const size_t token = walk_.next(layer);
    if (token >= keep_.size() || !keep_[token]) continue;
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(n_embd_));
    ggml_backend_tensor_get(tensor, out.data() + at, static_cast<size_t>(c) * tensor->nb[1], row_bytes);
  }
}

}  // namespace steer
