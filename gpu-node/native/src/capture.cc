#include "capture.h"

#include <cstdio>
#include <cstring>

namespace steer {

void Capture::begin(std::vector<int> wanted, std::vector<uint8_t> keep_mask,
                    std::vector<uint8_t> outputs) {
  layers = std::move(wanted);
  keep = std::move(keep_mask);
  has_output = std::move(outputs);
  slot_of_layer_.assign(static_cast<size_t>(n_layer), -1);
  for (size_t i = 0; i < layers.size(); i++) slot_of_layer_[static_cast<size_t>(layers[i])] = static_cast<int>(i);
  cursor_.assign(layers.size(), 0);
  states.assign(layers.size(), {});
  output_tokens_.clear();
  for (size_t i = 0; i < has_output.size(); i++) {
    if (has_output[i]) output_tokens_.push_back(i);
  }
}

void Capture::end() {
  layers.clear();
  slot_of_layer_.clear();
}

int Capture::wanted_slot(const ggml_tensor* tensor) const {
  int il = -1;
  if (std::sscanf(tensor->name, "l_out-%d", &il) != 1) return -1;
  if (il < 0 || il >= n_layer) return -1;
  return slot_of_layer_[static_cast<size_t>(il)];
}

void Capture::copy_columns(ggml_tensor* tensor, int slot) {
  const bool last_layer = layers[static_cast<size_t>(slot)] == n_layer - 1;
  const size_t columns = static_cast<size_t>(tensor->ne[1]);
  const size_t row_bytes = static_cast<size_t>(n_embd) * sizeof(float);
  size_t& cursor = cursor_[static_cast<size_t>(slot)];
  std::vector<float>& out = states[static_cast<size_t>(slot)];
  for (size_t c = 0; c < columns; c++, cursor++) {
    const size_t token = last_layer ? output_tokens_.at(cursor) : cursor;
    if (token >= keep.size() || !keep[token]) continue;
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(n_embd));
    ggml_backend_tensor_get(tensor, out.data() + at, c * tensor->nb[1], row_bytes);
  }
}

bool Capture::callback(ggml_tensor* tensor, bool ask, void* user_data) {
  auto* self = static_cast<Capture*>(user_data);
  if (!self->active()) return !ask;  // asked: not wanted; data call: keep the graph running
  const int slot = self->wanted_slot(tensor);
  if (ask) return slot >= 0;
  if (slot >= 0 && tensor->type == GGML_TYPE_F32 && tensor->ne[0] == self->n_embd) {
    self->copy_columns(tensor, slot);
  }
  return true;
}

}  // namespace steer
