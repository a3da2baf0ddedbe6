// Win32 COM ports: CreateFile on \\.\COMn, a DCB for the line, COMMTIMEOUTS for the waits.
// Synchronous I/O only: it is what every Windows serial driver (and wine's mapping of a COM
// port onto a tty) implements the same way.
#include "platform/tty.hpp"

#include <windows.h>

#include <fmt/format.h>

#include <algorithm>

#include "platform/errors.hpp"
#include "platform/windows/error_text.hpp"

namespace dfu::platform {
namespace {

using Clock = std::chrono::steady_clock;

class ComPort final : public Tty {
public:
    ComPort(HANDLE h, std::string name) : h_(h), name_(std::move(name)) {}
    ~ComPort() override { ::CloseHandle(h_); }

    void write_all(std::span<const std::uint8_t> bytes) override {
        std::size_t done = 0;
        while (done < bytes.size()) {
            DWORD n = 0;
            const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(bytes.size() - done, 1u << 20));
            if (!::WriteFile(h_, bytes.data() + done, chunk, &n, nullptr))
                throw IoError(fmt::format("{}: write failed: {}", name_, windows_error_text(::GetLastError())));
            if (n == 0) throw IoError(fmt::format("{}: write timed out", name_));
            done += n;
        }
    }

    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        for (;;) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            // Wait up to the deadline for the first byte, then return once the line has been
            // quiet for a millisecond: a frame arrives as one burst. (The documented
            // MAXDWORD/MAXDWORD/T "return with the first byte" setting waits the whole T
            // under wine's COM-to-tty mapping.)
            COMMTIMEOUTS t{};
            t.ReadIntervalTimeout = left > 0 ? 1 : MAXDWORD;
            t.ReadTotalTimeoutConstant = left > 0 ? static_cast<DWORD>(std::min<long long>(left, MAXDWORD - 1)) : 0;
            t.WriteTotalTimeoutConstant = 5000;
            if (!::SetCommTimeouts(h_, &t))
                throw IoError(fmt::format("{}: cannot set timeouts: {}", name_, windows_error_text(::GetLastError())));
            DWORD n = 0;
            if (!::ReadFile(h_, buffer.data(), static_cast<DWORD>(std::min<std::size_t>(buffer.size(), MAXDWORD)), &n,
                            nullptr)) {
                const DWORD e = ::GetLastError();
                if (e == ERROR_OPERATION_ABORTED || e == ERROR_BAD_COMMAND || e == ERROR_DEVICE_NOT_CONNECTED ||
                    e == ERROR_GEN_FAILURE)
                    throw IoError(fmt::format("{}: device disconnected", name_));
                throw IoError(fmt::format("{}: read failed: {}", name_, windows_error_text(e)));
            }
            if (n > 0) return n;
            if (left <= 0 || Clock::now() >= deadline) return 0;
        }
    }

    void flush_input() override { ::PurgeComm(h_, PURGE_RXCLEAR); }

    void set_modem_line(ModemLine line, bool on) override {
        const DWORD function = line == ModemLine::dtr ? (on ? SETDTR : CLRDTR) : (on ? SETRTS : CLRRTS);
        if (!::EscapeCommFunction(h_, function))
            throw IoError(fmt::format("{}: cannot {} {}: {}", name_, on ? "set" : "clear",
                                      line == ModemLine::dtr ? "DTR" : "RTS", windows_error_text(::GetLastError())));
    }

private:
    HANDLE h_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Tty> Tty::open(const std::string& path, const TtyLine& line) {
    // COM10 and above are reachable only through the device namespace; COM1-9 through it too.
    const std::string device = path.starts_with("\\\\.\\") ? path : "\\\\.\\" + path;
    // Share mode 0: Windows refuses every other open while this one lasts (the port lock).
    const HANDLE h = ::CreateFileA(device.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        const DWORD e = ::GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
            throw OpenError(fmt::format("{}: no such serial port (`dfuhost list` shows the COM ports present)", path));
        if (e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION)
            throw OpenError(fmt::format("{}: busy: in use by another process", path));
        throw OpenError(fmt::format("{}: cannot open: {}", path, windows_error_text(e)));
    }
    DCB dcb{};
    dcb.DCBlength = sizeof dcb;
    if (!::GetCommState(h, &dcb)) {
        const DWORD e = ::GetLastError();
        ::CloseHandle(h);
        throw OpenError(fmt::format("{}: not a serial port: {}", path, windows_error_text(e)));
    }
    dcb.BaudRate = line.baud;
    dcb.ByteSize = static_cast<BYTE>(line.data_bits);
    dcb.Parity = line.parity == 'O' ? ODDPARITY : line.parity == 'E' ? EVENPARITY : NOPARITY;
    dcb.fParity = line.parity != 'N';
    dcb.StopBits = line.two_stop_bits ? TWOSTOPBITS : ONESTOPBIT;
    dcb.fBinary = TRUE;
    dcb.fOutxCtsFlow = FALSE;
    dcb.fOutxDsrFlow = FALSE;
    dcb.fDtrControl = DTR_CONTROL_ENABLE;
    dcb.fRtsControl = RTS_CONTROL_ENABLE;
    dcb.fDsrSensitivity = FALSE;
    dcb.fOutX = FALSE;
    dcb.fInX = FALSE;
    dcb.fNull = FALSE;
    dcb.fAbortOnError = FALSE;
    if (!::SetCommState(h, &dcb)) {
        const DWORD e = ::GetLastError();
        ::CloseHandle(h);
        throw OpenError(fmt::format("{}: cannot set {} baud {}{}{}: {}", path, line.baud, line.data_bits, line.parity,
                                    line.two_stop_bits ? 2 : 1, windows_error_text(e)));
    }
    ::PurgeComm(h, PURGE_RXCLEAR | PURGE_TXCLEAR);
    return std::make_unique<ComPort>(h, path);
}

bool Tty::opens_every_port() noexcept {
    return true;
}

}  // namespace dfu::platform
