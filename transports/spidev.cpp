// Linux spidev: one SPI_IOC_MESSAGE with one transfer per transaction, so chip select
// frames exactly one packet out, or one poll of 0xFF bytes clocked out.
#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "transports/bus_open.hpp"
#include "transports/i2c_dev.hpp"
#include "transports/linux_dev_node.hpp"
#include "transports/transport.hpp"

#include <linux/spi/spidev.h>
#include <sys/ioctl.h>

namespace dfu::transports {
namespace {

// "0.0", "1.2": bus number, dot, chip select.
bool is_bus_dot_cs(std::string_view s) {
    const auto dot = s.find('.');
    if (dot == 0 || dot == std::string_view::npos || dot + 1 == s.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != dot && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

}  // namespace

std::vector<FoundNode> find_spi_nodes() {
    std::vector<FoundNode> found;
    for (auto& path : list_dev_nodes("spidev", is_bus_dot_cs)) {
        // The SPI device the node stands for says what it was declared as ("spi:spidev",
        // "spi:rohm,dh2228fv"): the closest thing to a name the kernel keeps.
        std::string name = read_sysfs_line("/sys/class/spidev/" + dev_node_name(path) + "/device/modalias");
        if (name.rfind("spi:", 0) == 0) name.erase(0, 4);
        found.push_back({std::move(path), std::move(name)});
    }
    return found;
}

namespace {

// spidev's own default for its transfer buffer (module parameter bufsiz).
constexpr std::size_t kDefaultBufsiz = 4096;

std::size_t spidev_bufsiz() {
    const std::string text = read_sysfs_line("/sys/module/spidev/parameters/bufsiz");
    try {
        const unsigned long n = std::stoul(text);
        if (n > 0) return n;
    } catch (const std::exception&) {
    }
    return kDefaultBufsiz;
}

class SpidevPort final : public BusPort {
public:
    SpidevPort(FileDescriptor fd, std::string path, unsigned clock_hz, std::size_t max, std::string description)
        : fd_(std::move(fd)),
          path_(std::move(path)),
          clock_hz_(clock_hz),
          max_(max),
          idle_(max, 0xFF),
          description_(std::move(description)) {}

    void write(std::span<const std::uint8_t> bytes) override {
        // No receive buffer: what MISO carries while the packet goes out is dropped.
        transfer(bytes.data(), nullptr, bytes.size(), "writing a packet");
    }

    bool read(std::span<std::uint8_t> buffer) override {
        // 0xFF out, as the protocol's dummy byte; spidev would shift zeroes without a tx buffer.
        transfer(idle_.data(), buffer.data(), buffer.size(), "reading");
        return true;
    }

    std::size_t max_transfer() const noexcept override { return max_; }
    std::string description() const override { return description_; }

private:
    void transfer(const std::uint8_t* tx, std::uint8_t* rx, std::size_t len, const char* what) {
        if (len > max_) throw IoError(fmt::format("{}: {} bytes do not fit spidev's {}-byte buffer", path_, len, max_));
        spi_ioc_transfer t{};
        t.tx_buf = reinterpret_cast<std::uintptr_t>(tx);
        t.rx_buf = reinterpret_cast<std::uintptr_t>(rx);
        t.len = static_cast<__u32>(len);
        t.speed_hz = clock_hz_;
        t.bits_per_word = 8;
        t.cs_change = 0;  // on the last transfer, non-zero would leave chip select asserted
        int r;
        do r = ::ioctl(fd_.get(), SPI_IOC_MESSAGE(1), &t);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            const int err = errno;
            throw IoError(fmt::format(
                "{}: {} {} bytes failed: {}", path_, what, len,
                err == EMSGSIZE ? "longer than spidev's buffer (module parameter bufsiz)" : std::strerror(err)));
        }
    }

    FileDescriptor fd_;
    std::string path_;
    unsigned clock_hz_;
    std::size_t max_;
    std::vector<std::uint8_t> idle_;
    std::string description_;
};

// The mode word with CPOL/CPHA and LSB-first as the kernel has them now. MODE32 since
// Linux 3.15; before that only the low 8 bits exist, which hold the same flags.
struct ModeAccess {
    bool wide = true;
    std::uint32_t mode = 0;
};

ModeAccess read_mode(int fd, const std::string& path) {
    ModeAccess m;
    if (::ioctl(fd, SPI_IOC_RD_MODE32, &m.mode) == 0) return m;
    std::uint8_t narrow = 0;
    if (::ioctl(fd, SPI_IOC_RD_MODE, &narrow) < 0)
        throw OpenError(
            fmt::format("{}: not a spidev node (SPI_IOC_RD_MODE failed: {}); SPI devices are "
                        "/dev/spidevB.C",
                        path, std::strerror(errno)));
    m.wide = false;
    m.mode = narrow;
    return m;
}

int write_mode(int fd, const ModeAccess& m) {
    if (m.wide) return ::ioctl(fd, SPI_IOC_WR_MODE32, &m.mode);
    const auto narrow = static_cast<std::uint8_t>(m.mode);
    return ::ioctl(fd, SPI_IOC_WR_MODE, &narrow);
}

std::string mode_text(unsigned mode, bool lsb_first, unsigned clock_hz) {
    return fmt::format("mode {} (CPOL {}, CPHA {}), {}, {} first", mode, mode >> 1, mode & 1, format_hz(clock_hz),
                       lsb_first ? "LSB" : "MSB");
}

}  // namespace

std::unique_ptr<BusPort> open_spidev(const SpiSettings& settings) {
    const std::string& path = settings.device;
    if (settings.mode > 3)
        throw OpenError(fmt::format("SPI mode {} does not exist: use 0..3 (--spi-mode)", settings.mode));
    if (settings.clock_hz == 0) throw OpenError("an SPI clock of 0 Hz cannot move data: set --spi-clock");
    FileDescriptor fd = open_dev_node(path, {"SPI device", "spidev", "spi"});
    const int f = fd.get();
    const std::string wanted = mode_text(settings.mode, settings.lsb_first, settings.clock_hz);

    // Keep every other mode bit (chip select polarity, 3-wire, no-CS) as the device tree
    // set it; only clock polarity/phase and bit order are ours to choose.
    ModeAccess m = read_mode(f, path);
    constexpr std::uint32_t kOurs = SPI_CPOL | SPI_CPHA | SPI_LSB_FIRST;
    m.mode = (m.mode & ~kOurs) | settings.mode;
    if (write_mode(f, m) < 0)
        throw OpenError(
            fmt::format("{}: the SPI controller refused mode {} ({})", path, settings.mode, std::strerror(errno)));
    const std::uint8_t lsb = settings.lsb_first ? 1 : 0;
    if (::ioctl(f, SPI_IOC_WR_LSB_FIRST, &lsb) < 0) {
        const int err = errno;
        if (settings.lsb_first)
            throw OpenError(fmt::format(
                "{}: the SPI controller cannot shift LSB first ({}): drop --spi-lsb-first if the device takes "
                "MSB first, or use a bridge that can (--spi kitprog3|mcp2210)",
                path, std::strerror(err)));
        throw OpenError(fmt::format("{}: cannot select MSB-first bit order: {}", path, std::strerror(err)));
    }
    const std::uint8_t bits = 8;
    if (::ioctl(f, SPI_IOC_WR_BITS_PER_WORD, &bits) < 0)
        throw OpenError(fmt::format("{}: the SPI controller refused 8-bit words: {}", path, std::strerror(errno)));
    const std::uint32_t hz = settings.clock_hz;
    if (::ioctl(f, SPI_IOC_WR_MAX_SPEED_HZ, &hz) < 0)
        throw OpenError(fmt::format("{}: the SPI controller refused a {} clock ({}): try a lower --spi-clock", path,
                                    format_hz(hz), std::strerror(errno)));

    // Read back: a controller that drops a mode bit quietly would otherwise garble every byte.
    const ModeAccess now = read_mode(f, path);
    std::uint8_t lsb_now = 0;
    const bool lsb_known = ::ioctl(f, SPI_IOC_RD_LSB_FIRST, &lsb_now) == 0;
    if ((now.mode & (SPI_CPOL | SPI_CPHA)) != settings.mode || (lsb_known && (lsb_now != 0) != settings.lsb_first))
        throw OpenError(fmt::format("{}: asked the SPI controller for {} but it kept mode {}, {} first", path, wanted,
                                    now.mode & (SPI_CPOL | SPI_CPHA), lsb_now ? "LSB" : "MSB"));

    const std::size_t max = spidev_bufsiz();
    return std::make_unique<SpidevPort>(std::move(fd), path, settings.clock_hz, max,
                                        fmt::format("spi {} {}", path, wanted));
}

}  // namespace dfu::transports
