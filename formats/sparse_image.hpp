// A firmware image: bytes at 32-bit addresses, with gaps that cost no memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dfu::formats {

class SparseImage {
public:
    struct Segment {
        std::uint32_t address = 0;
        std::vector<std::uint8_t> data;  // never empty inside an image
        std::uint64_t end() const noexcept { return std::uint64_t{address} + data.size(); }
        bool operator==(const Segment&) const = default;
    };

    // One past the highest address a byte can have.
    static constexpr std::uint64_t kAddressLimit = std::uint64_t{1} << 32;

    // Adds bytes at [address, address + bytes.size()). Returns false and changes nothing
    // if any byte overlaps data already present or the range passes 0xFFFFFFFF. Adding no
    // bytes is a no-op that returns true (for an address <= 2^32). Appending at or after the
    // current end is amortised O(bytes); other inserts cost O(log segments) plus moving
    // the bytes of a segment that the new data is merged in front of.
    bool add(std::uint64_t address, std::span<const std::uint8_t> bytes);

    // Sorted by address; touching segments are merged, so there is a gap between any two.
    const std::vector<Segment>& segments() const noexcept { return segments_; }

    std::size_t size() const noexcept { return size_; }  // number of data bytes
    bool empty() const noexcept { return segments_.empty(); }
    std::uint32_t lowest() const;  // precondition !empty() (throws std::logic_error)
    std::uint64_t end() const;     // one past the highest byte; 0 when empty

    std::optional<std::uint8_t> at(std::uint32_t address) const;

    // Fills dst with the bytes of [address, address + dst.size()); `fill` where there is no
    // data (including any part past 0xFFFFFFFF).
    void copy_out(std::uint32_t address, std::span<std::uint8_t> dst, std::uint8_t fill) const;

    bool operator==(const SparseImage&) const = default;

private:
    std::vector<Segment> segments_;
    std::size_t size_ = 0;
};

}  // namespace dfu::formats
