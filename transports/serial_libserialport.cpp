// libserialport path: real adapters and native UARTs on Linux, macOS and Windows.
#include <libserialport.h>

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "platform/low_latency.hpp"
#include "platform/port_lock.hpp"
#include "transports/serial_backends.hpp"
#include "transports/uart_line_stream.hpp"
#include "platform/serial_open_error.hpp"

namespace dfu::transports {
namespace {

std::string last_error() {
    char* msg = sp_last_error_message();
    std::string text = msg ? msg : "unknown error";
    sp_free_error_message(msg);
    return text;
}

class LibSerialPort final : public UartLineStream {
public:
    LibSerialPort(sp_port* port, UartSettings s) : UartLineStream(std::move(s)), port_(port), low_latency_(port) {}
    ~LibSerialPort() override {
        low_latency_.restore();  // before the descriptor goes
        sp_close(port_);
        sp_free_port(port_);
    }

    void write_all(std::span<const std::uint8_t> bytes) override {
        // Generous: the time the bytes take on the wire plus a second for the OS.
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wire_time(bytes.size())).count() + 1000;
        const sp_return r = sp_blocking_write(port_, bytes.data(), bytes.size(), static_cast<unsigned>(ms));
        if (r < 0) throw IoError(fmt::format("{}: write failed: {}", settings().port, last_error()));
        if (static_cast<std::size_t>(r) != bytes.size())
            throw IoError(fmt::format("{}: write timed out ({} of {} bytes sent)", settings().port, static_cast<int>(r),
                                      bytes.size()));
    }

    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        // A timeout of 0 means "forever" to libserialport: poll instead when time is up.
        const sp_return r =
            left > 0 ? sp_blocking_read_next(port_, buffer.data(), buffer.size(), static_cast<unsigned>(left))
                     : sp_nonblocking_read(port_, buffer.data(), buffer.size());
        if (r < 0) throw IoError(fmt::format("{}: read failed: {}", settings().port, last_error()));
        return static_cast<std::size_t>(r);
    }

    void flush_input() override { sp_flush(port_, SP_BUF_INPUT); }

    std::string setup_note() const override { return low_latency_.note(); }
    void set_modem_line(bool dtr, bool on) override {
        const sp_return r = dtr ? sp_set_dtr(port_, on ? SP_DTR_ON : SP_DTR_OFF)
                                : sp_set_rts(port_, on ? SP_RTS_ON : SP_RTS_OFF);
        if (r != SP_OK)
            throw IoError(fmt::format("{}: cannot {} {}: {}", settings().port, on ? "set" : "clear", dtr ? "DTR" : "RTS",
                                      last_error()));
    }

private:
    sp_port* port_;
    platform::LowLatency low_latency_;
};

}  // namespace

std::unique_ptr<ByteStream> open_libserialport(const UartSettings& s) {
    sp_port* port = nullptr;
    if (sp_get_port_by_name(s.port.c_str(), &port) != SP_OK) return nullptr;
    auto fail = [&](const std::string& what) {
        const std::string why = last_error();
        sp_close(port);
        sp_free_port(port);
        return OpenError(fmt::format("{}: {}: {}", s.port, what, why));
    };
    if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
        // sp_last_error_code() is the system's error number of the failed open.
        const int error = sp_last_error_code();
        sp_free_port(port);
        throw platform::serial_open_error(s.port, error);
    }
    try {
        platform::lock_serial_port(port, s.port);
    } catch (...) {
        sp_close(port);
        sp_free_port(port);
        throw;
    }
    if (s.stop_bits == StopBits::one_and_half) {
        sp_close(port);
        sp_free_port(port);
        throw OpenError(fmt::format("{}: 1.5 stop bits are not supported by this port", s.port));
    }
    const sp_parity parity = s.parity == Parity::none  ? SP_PARITY_NONE
                             : s.parity == Parity::odd ? SP_PARITY_ODD
                                                       : SP_PARITY_EVEN;
    if (sp_set_baudrate(port, static_cast<int>(s.baud)) != SP_OK) throw fail(fmt::format("cannot set {} baud", s.baud));
    if (sp_set_bits(port, static_cast<int>(s.data_bits)) != SP_OK) throw fail("cannot set the data bits");
    if (sp_set_parity(port, parity) != SP_OK) throw fail("cannot set the parity");
    if (sp_set_stopbits(port, s.stop_bits == StopBits::two ? 2 : 1) != SP_OK) throw fail("cannot set the stop bits");
    if (sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE) != SP_OK) throw fail("cannot turn flow control off");
    sp_flush(port, SP_BUF_BOTH);
    return std::make_unique<LibSerialPort>(port, s);
}

}  // namespace dfu::transports
