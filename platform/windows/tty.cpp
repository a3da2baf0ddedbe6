#include "platform/tty.hpp"

#include <fmt/format.h>

#include "platform/errors.hpp"

namespace dfu::platform {

// Every serial port Windows has is a COM port, and libserialport opens those (serial
// port names it cannot open are reported by it). This path is reached only for a name
// libserialport did not accept at all.
std::unique_ptr<Tty> Tty::open(const std::string& path, const TtyLine&) {
    throw OpenError(fmt::format("{}: not a serial port name; Windows names them COM1, COM2, ... "
                                "(`dfuhost list` shows those present)",
                                path));
}

}  // namespace dfu::platform
