#include "condition-gates.h"

#include <cmath>

namespace steer {

void ConditionGates::begin(std::vector<Gate> gates, const std::vector<uint8_t>& outputs) {
  gates_ = std::move(gates);
  for (Gate& gate : gates_) gate.read.assign(static_cast<size_t>(n_embd_), 0.0f);
  walk_.begin(n_layer_, outputs);
}

std::vector<Gate> ConditionGates::end() { return std::move(gates_); }

// A gate reads its own layer, and steers those above it once it has fired: whether it has is known
// by the time llama.cpp asks about a layer above.
bool ConditionGates::wants(int layer) const {
  for (const Gate& gate : gates_) {
    if (gate.layer == layer) return true;
    if (gate.fired && layer > gate.layer && gate.vector.steers(layer)) return true;
  }
  return false;
}

void ConditionGates::apply(ggml_tensor* tensor, int layer) {
  char* data = columns_.open(tensor);
  const size_t offset = static_cast<size_t>(layer - 1) * static_cast<size_t>(n_embd_);
  bool changed = false;
  for (int64_t c = 0; c < tensor->ne[1]; c++) {
    const size_t token = walk_.next(layer);
    auto* column = reinterpret_cast<float*>(data + static_cast<size_t>(c) * tensor->nb[1]);
    for (Gate& gate : gates_) {
      if (token >= gate.member.size() || !gate.member[token]) continue;
      if (gate.fired && layer > gate.layer && gate.vector.steers(layer)) {
        const float* direction = gate.vector.data + offset;
        for (int j = 0; j < n_embd_; j++) column[j] += direction[j];
        changed = true;
      }
      if (layer == gate.layer) {
        for (int j = 0; j < n_embd_; j++) gate.read[static_cast<size_t>(j)] += column[j];
      }
    }
  }
  columns_.commit(tensor, changed);
  for (Gate& gate : gates_) {
    if (gate.layer == layer && gate.decide) decide(gate);
  }
}

// The cosine of the mean state with the direction is that of the summed states: the count cancels.
void ConditionGates::decide(Gate& gate) const {
  double dot = 0, states = 0, direction = 0;
  for (size_t j = 0; j < static_cast<size_t>(n_embd_); j++) {
    const double x = static_cast<double>(gate.prior[j]) + static_cast<double>(gate.read[j]);
    const double d = gate.direction[j];
    dot += x * d;
    states += x * x;
    direction += d * d;
  }
  const double norms = std::sqrt(states * direction);
  gate.value = norms > 0 ? dot / norms : 0;
  gate.fired = gate.above ? gate.value > gate.threshold : gate.value < gate.threshold;
}

}  // namespace steer
