#include "row-steering.h"

namespace steer {

void RowSteering::begin(std::vector<LayerVector> vectors, std::vector<int32_t> rows,
                        const std::vector<uint8_t>& outputs) {
  vectors_ = std::move(vectors);
  rows_ = std::move(rows);
  wanted_.assign(static_cast<size_t>(n_layer_), 0);
  for (const LayerVector& v : vectors_) {
    for (int layer = v.first; layer <= v.last; layer++) wanted_[static_cast<size_t>(layer)] = 1;
  }
  walk_.begin(n_layer_, outputs);
}

void RowSteering::end() {
  vectors_.clear();
  rows_.clear();
  wanted_.clear();
}

void RowSteering::add(ggml_tensor* tensor, int layer) {
  char* data = columns_.open(tensor);
  const size_t offset = static_cast<size_t>(layer - 1) * static_cast<size_t>(n_embd_);
  bool changed = false;
  for (int64_t c = 0; c < tensor->ne[1]; c++) {
    const size_t token = walk_.next(layer);
    if (token >= rows_.size() || rows_[token] < 0) continue;
    const LayerVector& v = vectors_[static_cast<size_t>(rows_[token])];
    if (layer < v.first || layer > v.last) continue;
    auto* column = reinterpret_cast<float*>(data + static_cast<size_t>(c) * tensor->nb[1]);
    const float* direction = v.data + offset;
    for (int j = 0; j < n_embd_; j++) column[j] += direction[j];
    changed = true;
  }
  columns_.commit(tensor, changed);
}

}  // namespace steer
