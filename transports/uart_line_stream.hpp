#pragma once
// What every byte stream under --uart shares (libserialport, the platform's tty, a TCP
// serial server): it carries a UART's settings, from which its wire time and its description
// come. A backend adds only how bytes move.
#include <fmt/format.h>

#include <utility>

#include "transports/byte_stream.hpp"
#include "transports/uart.hpp"

namespace dfu::transports {

class UartLineStream : public ByteStream {
public:
    std::chrono::microseconds wire_time(std::size_t bytes) const noexcept final {
        return uart_wire_time(settings_, bytes);
    }
    // "/dev/ttyUSB0 @ 115200 8N1"
    std::string description() const final { return fmt::format("{} @ {}", settings_.port, uart_format(settings_)); }

protected:
    explicit UartLineStream(UartSettings settings) : settings_(std::move(settings)) {}
    const UartSettings& settings() const noexcept { return settings_; }

private:
    UartSettings settings_;
};

}  // namespace dfu::transports
