// The layer outputs `l_out-N` that llama.cpp's eval callback shows us, and which batch token each
// of their columns belongs to. Capture reads these columns; row steering adds to them.
//
// Column order: contexts are created with a unified KV cache and ubatches as large as batches, so a
// decode is one ubatch (or, were it split, contiguous chunks in order) and each layer's columns walk
// the batch from first token to last. The last layer is the exception: llama.cpp computes it only
// for tokens that produce logits, so its columns walk those tokens alone.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ggml.h"

namespace steer {

// A vector added to layer outputs: (n_layer - 1) rows of n_embd floats, row i for layer i + 1
// (llama.cpp's control vector layout); only layers first..last are added. Borrowed, not copied: the
// floats are those of the JS Float32Array the decode was given (about 0.5 MB for an 8B model), which
// the decode holds a reference to while it runs, and which JS never changes (a composed vector is
// cached by its steering).
struct LayerVector {
  const float* data = nullptr;
  size_t size = 0;
  int first = 0;
  int last = -1;

  bool steers(int layer) const { return data != nullptr && layer >= first && layer <= last; }
};

// The layer whose output `tensor` is (an F32 `l_out-N` of width n_embd), or -1.
int layer_of_output(const ggml_tensor* tensor, int n_layer, int n_embd);

// A layer output's floats where this process can change them: the tensor's own memory when it
// lives on the host, else a copy taken here, written back by `commit` when it was changed.
class HostColumns {
 public:
  char* open(ggml_tensor* tensor);
  void commit(ggml_tensor* tensor, bool changed);

 private:
  std::vector<float> staging_;
  bool staged_ = false;
};

class ColumnWalk {
 public:
  static constexpr size_t kNone = SIZE_MAX;

  void begin(int n_layer, const std::vector<uint8_t>& outputs);
  // The batch token of the next column of layer `layer`'s output (kNone past the batch's end).
  size_t next(int layer);

 private:
  int n_layer_ = 0;
  size_t n_tokens_ = 0;
  std::vector<size_t> cursor_;         // per layer: columns walked so far
  std::vector<size_t> output_tokens_;  // batch indices of tokens with logits, in order
};

}  // namespace steer
