// Hidden-state capture. llama.cpp calls cb_eval for every node of the compute graph; we ask for the
// layer outputs `l_out-N` of the wanted layers and copy out the columns of the tokens the caller
// keeps. The callback runs on the thread that calls llama_decode, inside that call.
//
// Column order: the context is created with a unified KV cache, so ubatches are contiguous chunks of
// the batch in order, and each layer's columns walk the batch from first token to last. The last
// layer is the exception: llama.cpp computes it only for tokens that request logits, so its columns
// walk those tokens alone. The engine asks for logits at every kept token, so both walks meet the
// same kept tokens in the same order.
#pragma once
#include <cstdint>
#include <vector>

#include "ggml-backend.h"

namespace steer {

struct Capture {
  int n_layer = 0;
  int n_embd = 0;

  // Per decode: which layers, and which batch tokens to keep (and which produce logits).
  std::vector<int> layers;          // wanted layer indices
  std::vector<uint8_t> keep;        // per batch token
  std::vector<uint8_t> has_output;  // per batch token

  // Per wanted layer, in the order of `layers`: kept columns, n_embd floats each, in batch order.
  std::vector<std::vector<float>> states;

  void begin(std::vector<int> wanted, std::vector<uint8_t> keep_mask, std::vector<uint8_t> outputs);
  void end();
  bool active() const { return !layers.empty(); }

  static bool callback(ggml_tensor* tensor, bool ask, void* user_data);

 private:
  std::vector<int> slot_of_layer_;  // layer index -> position in `layers`, or -1
  std::vector<size_t> cursor_;      // per wanted layer: how far its walk has come
  std::vector<size_t> output_tokens_;  // batch indices of tokens with logits, in order

  int wanted_slot(const ggml_tensor* tensor) const;
  void copy_columns(ggml_tensor* tensor, int slot);
};

}  // namespace steer
