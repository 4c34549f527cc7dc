// Row steering: a control vector per batch token, so that requests steering differently can share
// one decode. llama.cpp holds one control vector per context and adds it to every token's layer
// output; here, in the eval callback, each token's column of `l_out-N` gets its own request's
// vector added before the next layer reads it. It is the same float addition llama.cpp's control
// vector makes at the same place, so a request gets the same numbers either way.
#pragma once
#include <cstdint>
#include <vector>

#include "ggml.h"
#include "layer-output.h"

namespace steer {

// One composed vector: (n_layer - 1) rows of n_embd floats, row i for layer i + 1; only layers
// first..last are added. Borrowed, not copied: the floats are those of the JS Float32Array the
// decode was given (about 0.5 MB for an 8B model), which the decode holds a reference to while it
// runs, and which JS never changes (a composed vector is cached by its steering).
struct LayerVector {
  const float* data = nullptr;
  size_t size = 0;
  int first = 0;
  int last = -1;
};

class RowSteering {
 public:
  RowSteering(int n_layer, int n_embd) : n_layer_(n_layer), n_embd_(n_embd) {}

  // `rows`: per batch token, the index of its vector in `vectors`, or -1 for none.
  void begin(std::vector<LayerVector> vectors, std::vector<int32_t> rows, const std::vector<uint8_t>& outputs);
  void end();
  bool wants(int layer) const { return !wanted_.empty() && wanted_[static_cast<size_t>(layer)]; }
  void add(ggml_tensor* tensor, int layer);

 private:
  int n_layer_;
  int n_embd_;
  std::vector<LayerVector> vectors_;
  std::vector<int32_t> rows_;
  std::vector<uint8_t> wanted_;  // per layer: some vector steers it (empty: not steering)
  ColumnWalk walk_;
  HostColumns columns_;
};

}  // namespace steer
