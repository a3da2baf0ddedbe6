#pragma once
// Writing a .mtbdfu document (docs/protocol.md, ".mtbdfu (JSON)"): the model of
// formats/mtbdfu.hpp as JSON text that parse_mtbdfu reads back to the same model.
#include <string>

#include "formats/mtbdfu.hpp"

namespace dfu::formats {

// Numbers as hex strings ("0x1F"), the product ID as 8 hex digits, data as "01 02 0A", data-file
// paths as given (relative to where the document will be kept), keys in the order the published
// files use. A document of one session named "commands" is written with a top-level "commands".
std::string write_mtbdfu(const Mtbdfu& doc);

}  // namespace dfu::formats
