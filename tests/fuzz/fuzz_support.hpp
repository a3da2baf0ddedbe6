// Shared by the libFuzzer targets: a check that stays on in release builds, and a heap
// meter so a target can insist that what it allocates stays proportional to its input.
#pragma once

#include <sanitizer/allocator_interface.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace fuzz {

// assert() is compiled out under NDEBUG (RelWithDebInfo); a broken invariant must always
// stop the fuzzer with the input that broke it.
#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (false)

// Peak live heap bytes between start() and stop(), counted through the sanitizer
// allocator's hooks (one process, one thread: the fuzz targets run single-threaded).
// Blocks freed inside the window that were allocated before it lower the count, so the peak
// is never overstated.
class HeapMeter {
public:
    static void install() {
        static const bool done = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
        (void)done;
    }
    static void start() {
        install();
        live_ = 0;
        peak_ = 0;
        active_ = true;
    }
    static std::size_t stop() {
        active_ = false;
        return peak_;
    }

private:
    static void on_malloc(const volatile void*, std::size_t size) {
        if (!active_) return;
        live_ += static_cast<long long>(size);
        if (live_ > 0 && static_cast<std::size_t>(live_) > peak_) peak_ = static_cast<std::size_t>(live_);
    }
    static void on_free(const volatile void* p) {
        if (!active_ || p == nullptr) return;
        live_ -= static_cast<long long>(__sanitizer_get_allocated_size(const_cast<const void*>(p)));
    }
    static inline bool active_ = false;
    static inline long long live_ = 0;
    static inline std::size_t peak_ = 0;
};

// Fails when the heap peak measured by HeapMeter exceeds `per_input_byte` times the input
// plus `slack` bytes: a small input must not make a parser allocate without bound.
inline void check_heap_peak(std::size_t peak, std::size_t input_size, std::size_t per_input_byte, std::size_t slack) {
    const std::size_t budget = input_size * per_input_byte + slack;
    if (peak > budget) {
        std::fprintf(stderr, "fuzz check failed: peak heap %zu bytes for a %zu-byte input (budget %zu)\n", peak,
                     input_size, budget);
        std::abort();
    }
}

// Reads an input front to back; past its end every byte reads as 0, so any input is usable.
class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    // Little-endian. (Two calls in one expression would be read in an unspecified order.)
    std::uint16_t u16() {
        const unsigned low = byte();
        return static_cast<std::uint16_t>(low | unsigned{byte()} << 8);
    }
    std::uint32_t u32() {
        const std::uint32_t low = u16();
        return low | std::uint32_t{u16()} << 16;
    }
    // Up to n bytes in place; returns how many there were.
    std::size_t take(std::size_t n, const std::uint8_t** out) {
        n = pos_ < size_ ? std::min(n, size_ - pos_) : 0;
        *out = data_ + pos_;
        pos_ += n;
        return n;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

// The two checksum bytes of a packet, in wire order, written from docs/protocol.md ("Packet frame") in the
// plainest form (bit by bit) so the targets do not check the code under test against itself.
// type 0: 16-bit two's-complement sum, low byte first; type 1: CRC-16/X-25, high byte first.
inline std::array<std::uint8_t, 2> reference_checksum(int type, const std::uint8_t* bytes, std::size_t n) {
    if (type == 0) {
        unsigned sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += bytes[i];
        const auto v = static_cast<std::uint16_t>(0x10000u - (sum & 0xFFFFu));
        return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
    }
    std::uint16_t crc = 0xFFFF;
    for (std::size_t i = 0; i < n; ++i) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; ++bit) crc = static_cast<std::uint16_t>(crc & 1u ? (crc >> 1) ^ 0x8408u : crc >> 1);
    }
    const auto v = static_cast<std::uint16_t>(~crc);
    return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

}  // namespace fuzz
