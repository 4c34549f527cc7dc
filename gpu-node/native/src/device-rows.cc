#include "device-rows.h"

#include "ggml-alloc.h"

namespace steer {

namespace {

ggml_backend_dev_t device_of(ggml_backend_buffer_t buffer) {
  if (ggml_backend_buffer_is_host(buffer)) return ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
  return ggml_backend_buft_get_device(ggml_backend_buffer_get_type(buffer));
}

// A CPU backend adds with one thread: a layer's addition is a few microseconds of work, less than
// waking more threads would cost (ggml's CPU backend would start them for every graph).
void use_one_thread(ggml_backend_dev_t device, ggml_backend_t backend) {
  ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(device);
  auto set_threads = reinterpret_cast<ggml_backend_set_n_threads_t>(
      ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads"));
  if (set_threads != nullptr) set_threads(backend, 1);
}

// A new tensor over memory a buffer already holds (none of the graph's own).
bool place(ggml_tensor* tensor, ggml_backend_buffer_t buffer, void* data) {
  return ggml_backend_tensor_alloc(buffer, tensor, data) == GGML_STATUS_SUCCESS;
}

}  // namespace

DeviceRows::DeviceRows(ggml_backend_buffer_t buffer, int n_layer, int n_embd, int n_batch)
    : device_(device_of(buffer)), n_layer_(n_layer), n_embd_(n_embd), n_batch_(n_batch) {
  if (device_ != nullptr) backend_ = ggml_backend_dev_init(device_, nullptr);
  if (backend_ != nullptr && ggml_backend_dev_type(device_) == GGML_BACKEND_DEVICE_TYPE_CPU) {
    use_one_thread(device_, backend_);
  }
  graph_memory_.resize(8 * ggml_tensor_overhead() + ggml_graph_overhead_custom(8, false));
}

DeviceRows::~DeviceRows() {
  release_tables();
  if (backend_ != nullptr) ggml_backend_free(backend_);
}

bool DeviceRows::serves(ggml_backend_buffer_t buffer) const { return device_of(buffer) == device_; }

void DeviceRows::release_tables() {
  if (memory_ != nullptr) ggml_backend_buffer_free(memory_);
  if (tables_ != nullptr) ggml_free(tables_);
  memory_ = nullptr;
  tables_ = nullptr;
  versions_.clear();
}

// The table for `capacity` slots, zeroed (slot 0 must be), and the ids.
bool DeviceRows::allocate(size_t capacity) {
  release_tables();
  ggml_init_params params = {2 * ggml_tensor_overhead(), nullptr, true};
  tables_ = ggml_init(params);
  if (tables_ == nullptr) return false;
  table_ = ggml_new_tensor_3d(tables_, GGML_TYPE_F32, n_embd_, n_layer_ - 1, static_cast<int64_t>(capacity));
  ids_ = ggml_new_tensor_2d(tables_, GGML_TYPE_I32, n_batch_, n_layer_);
  memory_ = ggml_backend_alloc_ctx_tensors_from_buft(tables_, ggml_backend_dev_buffer_type(device_));
  if (memory_ == nullptr) return false;
  ggml_backend_buffer_clear(memory_, 0);
  versions_.assign(capacity, 0);
  return true;
}

bool DeviceRows::prepare(const VectorSlots& slots, const std::vector<size_t>& used, const std::vector<int32_t>& ids) {
  if (backend_ == nullptr) return false;
  if (versions_.size() != slots.capacity() && !allocate(slots.capacity())) return false;
  const size_t vector_bytes = slots.floats() * sizeof(float);
  for (size_t slot : used) {
    if (versions_[slot] == slots.version(slot)) continue;
    ggml_backend_tensor_set(table_, slots.data(slot), slot * table_->nb[2], vector_bytes);
    versions_[slot] = slots.version(slot);
  }
  ggml_backend_tensor_set(ids_, ids.data(), 0, ids.size() * sizeof(int32_t));
  return true;
}

bool DeviceRows::add(ggml_tensor* out, int layer, size_t first) {
  ggml_init_params params = {graph_memory_.size(), graph_memory_.data(), true};
  ggml_context* ctx = ggml_init(params);
  if (ctx == nullptr) return false;
  const int64_t columns = out->ne[1];
  // The layer's rows of every slot, and the slots of these columns.
  ggml_tensor* rows = ggml_view_2d(ctx, table_, n_embd_, table_->ne[2], table_->nb[2],
                                   static_cast<size_t>(layer - 1) * table_->nb[1]);
  ggml_tensor* ids = ggml_view_1d(ctx, ids_, columns, static_cast<size_t>(layer) * ids_->nb[1] + first * sizeof(int32_t));
  // The layer output as a tensor of this graph, and the sum written over it.
  ggml_tensor* in = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, n_embd_, columns);
  ggml_tensor* sum = ggml_add_id(ctx, in, rows, ids);
  ggml_cgraph* graph = ggml_new_graph_custom(ctx, 8, false);
  ggml_build_forward_expand(graph, sum);
  const bool ok = ggml_backend_view_init(rows) == GGML_STATUS_SUCCESS &&
                  ggml_backend_view_init(ids) == GGML_STATUS_SUCCESS && place(in, out->buffer, out->data) &&
                  place(sum, out->buffer, out->data) &&
                  ggml_backend_graph_compute(backend_, graph) == GGML_STATUS_SUCCESS;
  ggml_free(ctx);
  return ok;
}

}  // namespace steer
