#include "core/row_packing.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/packet.hpp"

namespace dfu {

std::size_t whole_row_packet_size(std::size_t row_size) noexcept {
    return kFrameOverhead + 8 + row_size;
}

RowPacking pack_row(std::size_t row_size, std::size_t packet_size) {
    if (packet_size < kFrameOverhead + 8) throw std::invalid_argument("packet too small for Program Data");
    const std::size_t max_data = packet_size - kFrameOverhead;
    const std::size_t tail_capacity = max_data - 8;
    RowPacking p;
    std::size_t left = row_size;
    // Full packets while the rest does not fit behind the final packet's header: the
    // fewest packets a row can take.
    while (left > tail_capacity) {
        const std::size_t n = std::min(max_data, left);
        p.send_data.push_back(n);
        left -= n;
    }
    p.tail = left;
    return p;
}

}  // namespace dfu
