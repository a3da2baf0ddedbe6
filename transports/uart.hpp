#pragma once
// UART (and USB-CDC, which looks the same to the host): a serial port under the
// byte-stream framing. Real adapters go through libserialport; ttys it cannot
// describe (pseudo-terminals from socat, ser2net setups or dfu-sim) go through the
// platform's tty path (termios).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "transports/transport.hpp"

namespace dfu::transports {

enum class Parity : std::uint8_t { none, odd, even };
enum class StopBits : std::uint8_t { one, one_and_half, two };

// One step of a DTR/RTS sequence run when the port opens (--before) or closes (--after):
// set or clear a line, or wait, as esptool's reset sequences do.
struct LineStep {
    enum class Kind : std::uint8_t { dtr, rts, wait_ms } kind = Kind::wait_ms;
    unsigned value = 0;  // 1 sets the line, 0 clears it; milliseconds for wait_ms
    bool operator==(const LineStep&) const = default;
};

struct UartSettings {
    std::string port;
    unsigned baud = 115200;
    Parity parity = Parity::none;
    unsigned data_bits = 8;
    StopBits stop_bits = StopBits::one;
    std::vector<LineStep> before;  // run once the port is open, before the first packet
    std::vector<LineStep> after;   // run when the port closes, whatever the outcome
};

// Bits one character occupies on the line: start + data + parity + stop.
double uart_bits_per_char(const UartSettings& s) noexcept;
// How long `bytes` take to leave the line.
std::chrono::microseconds uart_wire_time(const UartSettings& s, std::size_t bytes) noexcept;
// "115200 8N1"
std::string uart_format(const UartSettings& s);

// Throws OpenError with a message that names the port and says what to do.
std::unique_ptr<Transport> open_uart(const UartSettings& settings);

}  // namespace dfu::transports
