#include "log.h"

#include <cstdio>
#include <deque>
#include <mutex>

#include "llama.h"

namespace steer {
namespace {

std::mutex mutex;
std::deque<std::string> recent;  // bounded: only the last few lines matter
bool verbose_log = false;
constexpr size_t kMaxRecent = 8;

void on_log(ggml_log_level level, const char* text, void*) {
  if (verbose_log) fputs(text, stderr);
  if (level != GGML_LOG_LEVEL_ERROR && level != GGML_LOG_LEVEL_WARN) return;
  std::string line(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  if (line.empty()) return;
  std::lock_guard<std::mutex> lock(mutex);
  recent.push_back(std::move(line));
  if (recent.size() > kMaxRecent) recent.pop_front();
}

}  // namespace

void install_log(bool verbose) {
  verbose_log = verbose;
  llama_log_set(on_log, nullptr);
}

std::string take_recent_errors() {
  std::lock_guard<std::mutex> lock(mutex);
  std::string joined;
  for (const auto& line : recent) {
    if (!joined.empty()) joined += "; ";
    joined += line;
  }
  recent.clear();
  return joined;
}

}  // namespace steer
