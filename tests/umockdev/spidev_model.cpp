#include "spidev_model.hpp"

#include <linux/spi/spidev.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>

namespace umock {
namespace {

std::uint8_t reversed(std::uint8_t b) {
    std::uint8_t r = 0;
    for (int i = 0; i < 8; ++i)
        if (b & (1u << i)) r = static_cast<std::uint8_t>(r | (0x80u >> i));
    return r;
}

template <typename T>
long read_into(IoctlCall& call, T value) {
    ClientMemory out = call.pointee(sizeof(T));
    if (!out.valid()) return -EFAULT;
    out.as<T>() = value;
    return 0;
}

template <typename T>
bool written(IoctlCall& call, T& value) {
    ClientMemory in = call.pointee(sizeof(T));
    if (!in.valid()) return false;
    value = in.as<T>();
    return true;
}

}  // namespace

std::vector<std::vector<SpidevModel::Transfer>> SpidevModel::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::uint32_t SpidevModel::mode_now() const {
    std::lock_guard lock(mutex_);
    return mode;
}

long SpidevModel::set_mode(std::uint32_t value) {
    if (value & ~static_cast<std::uint32_t>(SPI_MODE_USER_MASK)) return -EINVAL;
    // spi_setup() refuses mode bits the controller lacks; the old mode stays.
    if ((value & SPI_LSB_FIRST) && !can_lsb_first) return -EINVAL;
    std::lock_guard lock(mutex_);
    mode = value;
    return 0;
}

long SpidevModel::ioctl(IoctlCall& call) {
    const unsigned long request = call.request();
    switch (request) {
        case SPI_IOC_RD_MODE:
            return read_into<std::uint8_t>(call, static_cast<std::uint8_t>(mode_now()));
        case SPI_IOC_WR_MODE: {
            std::uint8_t v;
            if (!written(call, v)) return -EFAULT;
            return set_mode((mode_now() & ~0xFFu) | v);
        }
        case SPI_IOC_RD_MODE32:
            if (!has_mode32) return -ENOTTY;
            return read_into<std::uint32_t>(call, mode_now());
        case SPI_IOC_WR_MODE32: {
            if (!has_mode32) return -ENOTTY;
            std::uint32_t v;
            if (!written(call, v)) return -EFAULT;
            return set_mode(v);
        }
        case SPI_IOC_RD_LSB_FIRST:
            return read_into<std::uint8_t>(call, (mode_now() & SPI_LSB_FIRST) ? 1 : 0);
        case SPI_IOC_WR_LSB_FIRST: {
            std::uint8_t v;
            if (!written(call, v)) return -EFAULT;
            const std::uint32_t m = mode_now();
            return set_mode(v ? (m | SPI_LSB_FIRST) : (m & ~static_cast<std::uint32_t>(SPI_LSB_FIRST)));
        }
        case SPI_IOC_RD_BITS_PER_WORD:
            return read_into<std::uint8_t>(call, bits_per_word);
        case SPI_IOC_WR_BITS_PER_WORD: {
            std::uint8_t v;
            if (!written(call, v)) return -EFAULT;
            if (v != 0 && v != 8) return -EINVAL;  // this controller moves bytes only
            bits_per_word = 8;
            return 0;
        }
        case SPI_IOC_RD_MAX_SPEED_HZ:
            return read_into<std::uint32_t>(call, max_speed_hz);
        case SPI_IOC_WR_MAX_SPEED_HZ: {
            std::uint32_t v;
            if (!written(call, v)) return -EFAULT;
            max_speed_hz = v;
            return 0;
        }
        default:
            break;
    }
    // SPI_IOC_MESSAGE(N): a write request of type 'k', number 0, N transfers long.
    if (_IOC_TYPE(request) == SPI_IOC_MAGIC && _IOC_NR(request) == 0 && _IOC_DIR(request) == _IOC_WRITE) {
        const std::size_t size = _IOC_SIZE(request);
        if (size == 0 || size % sizeof(spi_ioc_transfer) != 0) return -EINVAL;
        return message(call, size / sizeof(spi_ioc_transfer));
    }
    return -ENOTTY;
}

long SpidevModel::message(IoctlCall& call, std::size_t count) {
    ClientMemory array = call.pointee(count * sizeof(spi_ioc_transfer));
    if (!array.valid()) return -EFAULT;
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i)
        total += reinterpret_cast<const spi_ioc_transfer*>(array.bytes().data())[i].len;
    if (total > bufsiz) return -EMSGSIZE;

    const std::uint32_t m = mode_now();
    const bool garbled_order = ((m & SPI_LSB_FIRST) != 0) != device_lsb_first;
    const bool wrong_edges = (m & (SPI_CPOL | SPI_CPHA)) != device_mode;
    std::vector<Transfer> seen;
    for (std::size_t i = 0; i < count; ++i) {
        const spi_ioc_transfer t = reinterpret_cast<const spi_ioc_transfer*>(array.bytes().data())[i];
        const std::size_t base = i * sizeof(spi_ioc_transfer);
        Transfer rec;
        rec.speed_hz = t.speed_hz ? t.speed_hz : max_speed_hz;
        rec.bits_per_word = t.bits_per_word ? t.bits_per_word : bits_per_word;
        rec.cs_change = t.cs_change;
        rec.mode = m;
        if (rec.bits_per_word != 8) return -EINVAL;
        ClientMemory tx = t.tx_buf ? array.pointee(base + offsetof(spi_ioc_transfer, tx_buf), t.len) : ClientMemory();
        ClientMemory rx = t.rx_buf ? array.pointee(base + offsetof(spi_ioc_transfer, rx_buf), t.len) : ClientMemory();
        rec.tx_given = tx.valid();
        rec.rx_given = rx.valid();
        // Without a tx buffer spidev shifts out zeroes.
        rec.mosi = tx.valid() ? std::vector<std::uint8_t>(tx.bytes().begin(), tx.bytes().end())
                              : std::vector<std::uint8_t>(t.len, 0x00);

        // What the device sees and says, in its own bit order.
        std::vector<std::uint8_t> at_device = rec.mosi;
        if (garbled_order) std::transform(at_device.begin(), at_device.end(), at_device.begin(), reversed);
        std::vector<std::uint8_t> from_device(t.len, 0xFF);
        if (!wrong_edges && t.len > 0) {
            const bool dummy =
                std::all_of(at_device.begin(), at_device.end(), [](std::uint8_t b) { return b == 0xFF; });
            if (dummy)
                target_.read(from_device);  // SPI: always "answers", 0xFF while busy
            else
                target_.write(at_device);  // a packet under this chip-select assertion
        }
        rec.miso = from_device;
        if (garbled_order) std::transform(rec.miso.begin(), rec.miso.end(), rec.miso.begin(), reversed);
        if (rx.valid()) std::copy(rec.miso.begin(), rec.miso.end(), rx.bytes().begin());
        seen.push_back(std::move(rec));
    }
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(seen));
    return static_cast<long>(total);
}

}  // namespace umock
