#include "transports/socket_stream.hpp"

#include <fmt/format.h>

#include "platform/tcp_connection.hpp"
#include "transports/uart_line_stream.hpp"

namespace dfu::transports {
namespace {

class SocketStream final : public UartLineStream {
public:
    SocketStream(std::unique_ptr<platform::TcpConnection> connection, UartSettings s)
        : UartLineStream(std::move(s)), connection_(std::move(connection)) {}

    void write_all(std::span<const std::uint8_t> bytes) override { connection_->send_all(bytes); }
    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        return connection_->receive_some(buffer, deadline);
    }
    void flush_input() override { connection_->drain(); }

private:
    std::unique_ptr<platform::TcpConnection> connection_;
};

}  // namespace

bool is_socket_url(std::string_view port) noexcept {
    return port.starts_with(kSocketScheme);
}

std::pair<std::string, std::string> parse_socket_url(std::string_view url) {
    std::string_view rest = url.substr(kSocketScheme.size());
    std::string host;
    std::string_view port;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            throw OpenError(fmt::format("{}: expected socket://[IPv6 address]:PORT", url));
        host = std::string(rest.substr(1, close - 1));
        port = rest.substr(close + 2);
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            throw OpenError(fmt::format("{}: expected socket://HOST:PORT", url));
        host = std::string(rest.substr(0, colon));
        port = rest.substr(colon + 1);
    }
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535)
        throw OpenError(fmt::format("{}: the port must be a number from 1 to 65535", url));
    return {host, std::string(port)};
}

std::unique_ptr<ByteStream> open_socket_stream(const UartSettings& settings,
                                               std::chrono::milliseconds connect_timeout) {
    const auto [host, port] = parse_socket_url(settings.port);
    return std::make_unique<SocketStream>(platform::TcpConnection::connect(host, port, connect_timeout, settings.port),
                                          settings);
}

}  // namespace dfu::transports
