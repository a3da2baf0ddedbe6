#pragma once
// Ctrl-C and termination requests: they set a flag the engine reads between packets, so a
// run stops at a packet boundary, says where it stopped, and exits 130.
#include <atomic>

namespace dfu::platform {

// Routes Ctrl-C and termination requests (SIGINT/SIGTERM on POSIX; Ctrl-C, Ctrl-Break and
// console close on Windows) to `interrupted`. Process-wide; call once, early.
void install_interrupt_handlers(std::atomic<bool>& interrupted);

}  // namespace dfu::platform
