// llama.cpp logs through one process-wide callback. We keep it quiet by default, and remember the
// recent warnings and errors so that a failure (a corrupt model file, say) can say why.
#pragma once
#include <string>

namespace steer {

// Installs the callback. With verbose, every log line also goes to stderr.
void install_log(bool verbose);

// The warnings and errors logged since the last call, joined; then forgets them.
std::string take_recent_errors();

}  // namespace steer
