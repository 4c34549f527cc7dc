// Conditional steering, decided inside the decode that reads its condition, as CAST does. A gate
// belongs to one request: it reads its batch tokens' outputs of one layer, adds them to what it
// read before (earlier chunks of a long prompt, or a window of generated tokens), and, where the
// decode is to decide, compares the cosine of that mean with its direction against a threshold.
// Once it fires, its vector is added to its tokens at every layer above its own, in this very
// forward pass: layers compute in order, and llama.cpp asks the eval callback about each layer's
// output only after the one below has been computed (and shown to us).
#pragma once
#include <cstdint>
#include <vector>

#include "ggml.h"
#include "layer-output.h"

namespace steer {

struct Gate {
  int layer = 0;                 // its condition reads this layer's output
  const float* direction = nullptr;  // n_embd floats, borrowed like a LayerVector's
  std::vector<uint8_t> member;   // per batch token: 1 where the gate reads (and may steer) it
  std::vector<float> prior;      // n_embd: the states it read before this decode, summed
  bool decide = false;           // compare once its layer is read (else only accumulate)
  double threshold = 0;
  bool above = true;
  LayerVector vector;            // added once it fires (no data: it steers nothing)

  // What the decode found.
  std::vector<float> read;       // n_embd: this decode's states, summed
  double value = 0;              // the cosine, where it decided
  bool fired = false;
};

class ConditionGates {
 public:
  ConditionGates(int n_layer, int n_embd) : n_layer_(n_layer), n_embd_(n_embd) {}

  void begin(std::vector<Gate> gates, const std::vector<uint8_t>& outputs);
  // The gates as the decode left them; empties this.
  std::vector<Gate> end();
  bool wants(int layer) const;
  // Adds the vectors of fired gates that steer `layer`, then reads the gates of `layer`.
  void apply(ggml_tensor* tensor, int layer);

 private:
  void decide(Gate& gate) const;

  int n_layer_;
  int n_embd_;
  std::vector<Gate> gates_;
  ColumnWalk walk_;
  HostColumns columns_;
};

}  // namespace steer
