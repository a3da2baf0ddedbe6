// The platform's tty path under the byte-stream framing: ttys libserialport cannot describe.
#include <fmt/format.h>

#include "platform/tty.hpp"
#include "transports/serial_backends.hpp"
#include "transports/uart_line_stream.hpp"

namespace dfu::transports {
namespace {

class TtyStream final : public UartLineStream {
public:
    TtyStream(std::unique_ptr<platform::Tty> tty, UartSettings s) : UartLineStream(std::move(s)), tty_(std::move(tty)) {}

    void write_all(std::span<const std::uint8_t> bytes) override { tty_->write_all(bytes); }
    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        return tty_->read_some(buffer, deadline);
    }
    void flush_input() override { tty_->flush_input(); }
    std::string setup_note() const override { return tty_->setup_note(); }
    void set_modem_line(bool dtr, bool on) override {
        tty_->set_modem_line(dtr ? platform::Tty::ModemLine::dtr : platform::Tty::ModemLine::rts, on);
    }

private:
    std::unique_ptr<platform::Tty> tty_;
};

}  // namespace

std::unique_ptr<ByteStream> open_tty(const UartSettings& s) {
    if (s.stop_bits == StopBits::one_and_half)
        throw OpenError(fmt::format("{}: 1.5 stop bits are not supported on this kind of tty", s.port));
    platform::TtyLine line;
    line.baud = s.baud;
    line.data_bits = s.data_bits;
    line.parity = s.parity == Parity::none ? 'N' : s.parity == Parity::odd ? 'O' : 'E';
    line.two_stop_bits = s.stop_bits == StopBits::two;
    return std::make_unique<TtyStream>(platform::Tty::open(s.port, line), s);
}

}  // namespace dfu::transports
