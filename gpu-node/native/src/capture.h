// Hidden-state capture: the columns of the wanted layers' outputs at the batch tokens the caller
// keeps, copied out during the decode (see layer-output.h for which column is which token).
#pragma once
#include <cstdint>
#include <vector>

#include "ggml.h"
#include "layer-output.h"

namespace steer {

class Capture {
 public:
  Capture(int n_layer, int n_embd) : n_layer_(n_layer), n_embd_(n_embd) {}

  // Per wanted layer, in the order asked for: kept columns, n_embd floats each, in batch order.
  std::vector<std::vector<float>> states;

  void begin(const std::vector<int>& layers, std::vector<uint8_t> keep, const std::vector<uint8_t>& outputs);
  void end() { slot_of_layer_.clear(); }
  bool wants(int layer) const { return !slot_of_layer_.empty() && slot_of_layer_[static_cast<size_t>(layer)] >= 0; }
  void copy(ggml_tensor* tensor, int layer);

 private:
  int n_layer_;
  int n_embd_;
  std::vector<uint8_t> keep_;       // per batch token
  std::vector<int> slot_of_layer_;  // layer -> position in `states`, or -1 (empty: not capturing)
  ColumnWalk walk_;
};

}  // namespace steer
