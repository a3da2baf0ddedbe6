#include "formats/sparse_image.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace dfu::formats {

bool SparseImage::add(std::uint64_t address, std::span<const std::uint8_t> bytes) {
    if (address > kAddressLimit || bytes.size() > kAddressLimit - address) return false;
    if (bytes.empty()) return true;
    const std::uint64_t new_end = address + bytes.size();

    // Fast path: at or after the end (how a sorted file arrives).
    if (segments_.empty() || address >= segments_.back().end()) {
        if (!segments_.empty() && address == segments_.back().end()) {
            auto& data = segments_.back().data;
            data.insert(data.end(), bytes.begin(), bytes.end());
        } else {
            segments_.push_back(Segment{static_cast<std::uint32_t>(address), {bytes.begin(), bytes.end()}});
        }
        size_ += bytes.size();
        return true;
    }

    // First segment starting after `address`; the one before it may reach into the range.
    auto next = std::upper_bound(segments_.begin(), segments_.end(), address,
                                 [](std::uint64_t a, const Segment& s) { return a < s.address; });
    const bool has_prev = next != segments_.begin();
    if (has_prev && std::prev(next)->end() > address) return false;
    if (next != segments_.end() && next->address < new_end) return false;

    const bool join_prev = has_prev && std::prev(next)->end() == address;
    const bool join_next = next != segments_.end() && next->address == new_end;
    if (join_prev) {
        auto& data = std::prev(next)->data;
        data.insert(data.end(), bytes.begin(), bytes.end());
        if (join_next) {
            data.insert(data.end(), next->data.begin(), next->data.end());
            segments_.erase(next);
        }
    } else if (join_next) {
        next->data.insert(next->data.begin(), bytes.begin(), bytes.end());
        next->address = static_cast<std::uint32_t>(address);
    } else {
        segments_.insert(next, Segment{static_cast<std::uint32_t>(address), {bytes.begin(), bytes.end()}});
    }
    size_ += bytes.size();
    return true;
}

std::uint32_t SparseImage::lowest() const {
    if (segments_.empty()) throw std::logic_error("SparseImage::lowest() called on an empty image");
    return segments_.front().address;
}

std::uint64_t SparseImage::end() const {
    return segments_.empty() ? 0 : segments_.back().end();
}

std::optional<std::uint8_t> SparseImage::at(std::uint32_t address) const {
    auto next = std::upper_bound(segments_.begin(), segments_.end(), address,
                                 [](std::uint32_t a, const Segment& s) { return a < s.address; });
    if (next == segments_.begin()) return std::nullopt;
    const Segment& s = *std::prev(next);
    if (address >= s.end()) return std::nullopt;
    return s.data[address - s.address];
}

void SparseImage::copy_out(std::uint32_t address, std::span<std::uint8_t> dst, std::uint8_t fill) const {
    if (dst.empty()) return;
    std::fill(dst.begin(), dst.end(), fill);
    const std::uint64_t lo = address;
    const std::uint64_t hi = lo + dst.size();
    // First segment that ends after `lo`.
    auto it = std::upper_bound(segments_.begin(), segments_.end(), lo,
                               [](std::uint64_t a, const Segment& s) { return a < s.end(); });
    for (; it != segments_.end() && it->address < hi; ++it) {
        const std::uint64_t from = std::max<std::uint64_t>(lo, it->address);
        const std::uint64_t to = std::min<std::uint64_t>(hi, it->end());
        std::memcpy(dst.data() + (from - lo), it->data.data() + (from - it->address),
                    static_cast<std::size_t>(to - from));
    }
}

}  // namespace dfu::formats
