#include "layer-output.h"

#include <cstdio>
#include <cstring>

#include "ggml-backend.h"

namespace steer {

int layer_of_output(const ggml_tensor* tensor, int n_layer, int n_embd) {
  // Called for every node of every graph: rule out the others with a cheap prefix test first.
  if (std::strncmp(tensor->name, "l_out-", 6) != 0) return -1;
  int layer = -1;
  if (std::sscanf(tensor->name + 6, "%d", &layer) != 1 || layer < 0 || layer >= n_layer) return -1;
  if (tensor->type != GGML_TYPE_F32 || tensor->ne[0] != n_embd) return -1;
  return layer;
}

char* HostColumns::open(ggml_tensor* tensor) {
  const ggml_tensor* owner = tensor->view_src != nullptr ? tensor->view_src : tensor;
  staged_ = !ggml_backend_buffer_is_host(owner->buffer);
  if (!staged_) return static_cast<char*>(tensor->data);
  staging_.resize(ggml_nbytes(tensor) / sizeof(float));
  ggml_backend_tensor_get(tensor, staging_.data(), 0, ggml_nbytes(tensor));
  return reinterpret_cast<char*>(staging_.data());
}

void HostColumns::commit(ggml_tensor* tensor, bool changed) {
  if (staged_ && changed) ggml_backend_tensor_set(tensor, staging_.data(), 0, ggml_nbytes(tensor));
}

void ColumnWalk::begin(int n_layer, const std::vector<uint8_t>& outputs) {
  n_layer_ = n_layer;
  n_tokens_ = outputs.size();
  cursor_.assign(static_cast<size_t>(n_layer), 0);
  output_tokens_.clear();
  for (size_t i = 0; i < outputs.size(); i++) {
    if (outputs[i]) output_tokens_.push_back(i);
  }
}

size_t ColumnWalk::next(int layer) {
  const size_t column = cursor_[static_cast<size_t>(layer)]++;
  if (layer == n_layer_ - 1) return column < output_tokens_.size() ? output_tokens_[column] : kNone;
  return column < n_tokens_ ? column : kNone;
}

}  // namespace steer
