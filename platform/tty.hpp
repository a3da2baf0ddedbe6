#pragma once
// A serial port or terminal opened by path. POSIX: termios, for the ttys libserialport cannot
// describe (the pseudo-terminals of socat, ser2net setups and dfu-sim); libserialport opens
// the rest. Windows: every COM port, through Win32 synchronous I/O (libserialport's overlapped
// I/O does not work over wine's COM-to-tty mapping, which the Windows tests use); libserialport
// still lists them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace dfu::platform {

struct TtyLine {
    unsigned baud = 115200;
    unsigned data_bits = 8;
    char parity = 'N';  // 'N', 'O' or 'E'
    bool two_stop_bits = false;
};

class Tty {
public:
    virtual ~Tty() = default;

    // Opens `path` raw, non-blocking and exclusively (another dfuhost is refused as busy),
    // and sets the line. Throws OpenError naming the path and saying what to do.
    static std::unique_ptr<Tty> open(const std::string& path, const TtyLine& line);
    // True where this path opens every serial port (Windows), false where it is only the
    // fallback after libserialport (POSIX).
    static bool opens_every_port() noexcept;

    // Throws IoError.
    virtual void write_all(std::span<const std::uint8_t> bytes) = 0;
    // Whatever has arrived, waiting until `deadline` for at least one byte; 0 when it passed.
    // Throws IoError "device disconnected" once the other end has gone.
    virtual std::size_t read_some(std::span<std::uint8_t> buffer, std::chrono::steady_clock::time_point deadline) = 0;
    // Drops input received and not read.
    virtual void flush_input() = 0;
    // Sets (true) or clears the DTR or RTS output (--before/--after reset sequences). Throws
    // IoError naming the port when it has no such line (a pseudo-terminal).
    enum class ModemLine { dtr, rts };
    virtual void set_modem_line(ModemLine line, bool on) = 0;
    // What opening could not set up (low-latency mode), for --debug; empty when all went well.
    virtual std::string setup_note() const { return {}; }
};

}  // namespace dfu::platform
