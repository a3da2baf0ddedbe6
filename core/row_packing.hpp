#pragma once
// How one row is cut into packets: Send Data chunks that fill each packet, then the
// Program/Verify Data packet that carries address, CRC-32C and the row's tail.
// The engine and `generate` both use it, so a generated .mtbdfu sends what `program` sends.
#include <cstddef>
#include <vector>

namespace dfu {

struct RowPacking {
    std::vector<std::size_t> send_data;  // data bytes of each Send Data packet, in order
    std::size_t tail = 0;                // row bytes carried by the final packet after its 8-byte header
};

// The packet that carries a whole row in one Program Data: frame, address, CRC-32C, row.
std::size_t whole_row_packet_size(std::size_t row_size) noexcept;

// packet_size includes the 7 framing bytes; it must leave room for the 8-byte header.
RowPacking pack_row(std::size_t row_size, std::size_t packet_size);

}  // namespace dfu
