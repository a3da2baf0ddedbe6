#pragma once
// DTR/RTS sequences around a serial session (--before, --after): the reset and boot-mode
// pulses a board's USB serial adapter gives through its modem lines, as esptool users know them.
#include <memory>
#include <vector>

#include "transports/byte_stream.hpp"
#include "transports/uart.hpp"

namespace dfu::transports {

// Sets and clears the lines in the order given, waiting where asked. Throws IoError naming the
// port when it has no such line.
void run_line_steps(ByteStream& stream, const std::vector<LineStep>& steps);

// `stream` with `before` run now (an OpenError naming the port if the lines cannot be set)
// and `after` run when it is destroyed (errors then are dropped: the session is over).
std::unique_ptr<ByteStream> with_line_sequences(std::unique_ptr<ByteStream> stream, std::vector<LineStep> before,
                                                std::vector<LineStep> after);

}  // namespace dfu::transports
