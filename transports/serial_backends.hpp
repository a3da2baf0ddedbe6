#pragma once
// The two ways to open a serial port as a ByteStream. Chosen by open_uart().
#include <memory>

#include "transports/byte_stream.hpp"
#include "transports/uart.hpp"

namespace dfu::transports {

// libserialport: USB-serial adapters, native UARTs, COM ports. Returns null when
// libserialport does not know the name (it refuses pseudo-terminals).
std::unique_ptr<ByteStream> open_libserialport(const UartSettings& settings);

// The platform's own tty path (termios on POSIX), for ttys libserialport cannot describe
// (ptys). Throws OpenError.
std::unique_ptr<ByteStream> open_tty(const UartSettings& settings);

}  // namespace dfu::transports
