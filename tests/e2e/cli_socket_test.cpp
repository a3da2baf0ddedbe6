// `--uart socket://HOST:PORT`: the real dfuhost binary through a TCP serial server
// (a relay in this test, as ser2net would be) to dfu-sim's pty.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

// Accepts one TCP connection and relays its bytes to and from a tty, like ser2net.
class TcpSerialServer {
public:
    explicit TcpSerialServer(const std::string& tty) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(listen_fd_, 1) == 0);
        socklen_t len = sizeof a;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        tty_fd_ = ::open(tty.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        REQUIRE(tty_fd_ >= 0);
        termios t{};
        ::tcgetattr(tty_fd_, &t);
        ::cfmakeraw(&t);
        ::tcsetattr(tty_fd_, TCSANOW, &t);
        thread_ = std::thread([this] { serve(); });
    }
    ~TcpSerialServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
        ::close(tty_fd_);
    }
    std::string url() const { return "socket://127.0.0.1:" + std::to_string(port_); }

private:
    void serve() {
        int conn = -1;
        while (!stop_) {
            std::vector<pollfd> p{{listen_fd_, POLLIN, 0}, {tty_fd_, POLLIN, 0}};
            if (conn >= 0) p.push_back({conn, POLLIN, 0});
            if (::poll(p.data(), p.size(), 20) <= 0) continue;
            if (p[0].revents & POLLIN) conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            std::uint8_t buf[4096];
            if (p[1].revents & POLLIN) {
                const ssize_t n = ::read(tty_fd_, buf, sizeof buf);
                if (n > 0 && conn >= 0) (void)!::send(conn, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            }
            if (conn >= 0 && p.size() > 2 && (p[2].revents & (POLLIN | POLLHUP))) {
                const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
                if (n <= 0) {
                    ::close(conn);
                    conn = -1;
                } else {
                    (void)!::write(tty_fd_, buf, static_cast<std::size_t>(n));
                }
            }
        }
        if (conn >= 0) ::close(conn);
    }

    int listen_fd_ = -1;
    int tty_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("program through a TCP serial server: socket://HOST:PORT") {
    TempDir dir;
    Simulator sim(dir, {"--flash-size", "65536"});
    TcpSerialServer server(sim.pty());
    Segments image;
    image[0x10000000] = random_bytes(3000, 7);
    write_text(dir / "app.hex", to_intel_hex(image));
    const auto r = dfuhost({"program", (dir / "app.hex").string(), "--uart", server.url(), "--product-id", "01020304"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    FlashModel model(0x10000000, 65536, 512);
    model.program(image);
    CHECK(sim.flash() == model.bytes);
}

TEST_CASE("socket: nobody listening is exit 4 naming the address") {
    // Bind and close a port so nothing listens on it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    const std::string url = "socket://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    ::close(fd);
    const auto r = dfuhost({"info", "--uart", url});
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, url));
    CHECK(contains(r.err, "cannot connect"));
}

TEST_CASE("socket: a malformed address is exit 4 saying the expected form") {
    for (const char* url : {"socket://nohost", "socket://host:0", "socket://host:99999", "socket://[::1]80"}) {
        CAPTURE(url);
        const auto r = dfuhost({"info", "--uart", url});
        CHECK(r.exit_code == 4);
        CHECK(contains(r.err, url));
    }
}
