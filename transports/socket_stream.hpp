#pragma once
// `--uart socket://HOST:PORT`: a raw TCP serial server (ser2net, socat, an RFC 2217-less
// terminal server) carrying the device's UART bytes, under the same byte-stream framing.
#include <memory>
#include <string>
#include <string_view>

#include "transports/byte_stream.hpp"
#include "transports/uart.hpp"

namespace dfu::transports {

inline constexpr std::string_view kSocketScheme = "socket://";

bool is_socket_url(std::string_view port) noexcept;

// Splits "socket://host:port" (host may be "[v6addr]"); throws OpenError naming the URL.
std::pair<std::string, std::string> parse_socket_url(std::string_view url);

// Connects within `connect_timeout`. The settings' baud still matters: it is the rate on the
// server's far side, which sets how long a packet takes to reach the device.
std::unique_ptr<ByteStream> open_socket_stream(const UartSettings& settings,
                                               std::chrono::milliseconds connect_timeout = std::chrono::seconds(5));

}  // namespace dfu::transports
