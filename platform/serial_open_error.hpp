#pragma once
// The words for a serial port that will not open, the same from both serial backends
// (libserialport and termios): what to do next, not just the errno.
#include <string>

#include "platform/errors.hpp"

namespace dfu::platform {

// `error` is the errno of the failed open. A missing port points at `dfuhost list`; a
// permission error names the real node behind a symbolic link (/dev/serial/by-id/...,
// a pty's link) and the group that owns it, which is the group to join.
OpenError serial_open_error(const std::string& port, int error);

}  // namespace dfu::platform
