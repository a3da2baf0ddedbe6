#include "transports/uart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "platform/tty.hpp"
#include "transports/line_sequence.hpp"
#include "transports/serial_backends.hpp"
#include "transports/serial_list.hpp"
#include "transports/socket_stream.hpp"
#include "transports/stream_transport.hpp"

namespace dfu::transports {

double uart_bits_per_char(const UartSettings& s) noexcept {
    const double stop = s.stop_bits == StopBits::one ? 1.0 : s.stop_bits == StopBits::two ? 2.0 : 1.5;
    return 1.0 + s.data_bits + (s.parity == Parity::none ? 0.0 : 1.0) + stop;
}

std::chrono::microseconds uart_wire_time(const UartSettings& s, std::size_t bytes) noexcept {
    return std::chrono::microseconds(std::lround(static_cast<double>(bytes) * uart_bits_per_char(s) * 1e6 / s.baud));
}

std::string uart_format(const UartSettings& s) {
    const char parity = s.parity == Parity::none ? 'N' : s.parity == Parity::odd ? 'O' : 'E';
    const char* stop = s.stop_bits == StopBits::one ? "1" : s.stop_bits == StopBits::two ? "2" : "1.5";
    return fmt::format("{} {}{}{}", s.baud, s.data_bits, parity, stop);
}

std::unique_ptr<Transport> open_uart(const UartSettings& requested) {
    if (requested.baud == 0) throw OpenError(fmt::format("{}: baud rate must be positive", requested.port));
    UartSettings settings = requested;
    if (is_usb_serial_selector(settings.port)) settings.port = choose_usb_serial_port(settings.port);
    std::unique_ptr<ByteStream> stream;
    if (is_socket_url(settings.port)) {
        stream = open_socket_stream(settings);
    } else if (platform::Tty::opens_every_port()) {
        stream = open_tty(settings);
    } else {
        stream = open_libserialport(settings);
        if (!stream) stream = open_tty(settings);
    }
    if (!settings.before.empty() || !settings.after.empty())
        stream = with_line_sequences(std::move(stream), settings.before, settings.after);

    Capabilities caps;
    // The device closes a packet after ~1 ms of silence; leave a few ms, and never
    // less than 20 character times so slow baud rates keep the same margin.
    const double char_us = uart_bits_per_char(settings) * 1e6 / settings.baud;
    caps.gap_after_unanswered = std::chrono::microseconds(std::max<long>(3000, std::lround(20 * char_us)));
    caps.char_time = std::chrono::nanoseconds(std::llround(char_us * 1000));
    return std::make_unique<StreamTransport>(std::move(stream), caps);
}

}  // namespace dfu::transports
