#pragma once
// A connected TCP socket (BSD sockets on POSIX, Winsock on Windows), for `--uart
// socket://HOST:PORT`. Non-blocking underneath so every wait is bounded by a deadline.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace dfu::platform {

class TcpConnection {
public:
    virtual ~TcpConnection() = default;

    // Resolves `host` and connects to the first address that answers within `timeout`, with
    // Nagle's delay off (every packet is a small write answered before the next). Throws
    // OpenError naming `shown` (the URL the user gave).
    static std::unique_ptr<TcpConnection> connect(const std::string& host, const std::string& port,
                                                  std::chrono::milliseconds timeout, const std::string& shown);

    // Sends every byte; throws IoError.
    virtual void send_all(std::span<const std::uint8_t> bytes) = 0;
    // Whatever has arrived, waiting until `deadline` for at least one byte; 0 when it passed.
    // Throws IoError when the peer closed the connection or the socket failed.
    virtual std::size_t receive_some(std::span<std::uint8_t> buffer, std::chrono::steady_clock::time_point deadline) = 0;
    // Drops whatever has arrived and not been read, without waiting.
    virtual void drain() = 0;
};

}  // namespace dfu::platform
