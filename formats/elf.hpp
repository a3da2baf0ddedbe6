// ELF executables: what a loader puts into flash, i.e. the file bytes of every loadable
// segment (PT_LOAD with p_filesz > 0) at its physical address (p_paddr, the load address:
// a .data section's initial values sit there, not at the RAM address it runs from).
// Read with libelf (elfutils); 32- and 64-bit, little- and big-endian files alike: segment
// bytes are copied as the file holds them, which is what the target's memory holds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

// Throws InputError ("FILE: ...") when the bytes are not an ELF file, libelf cannot read its
// program headers, a segment lies outside the file or past 4 GiB, two segments overlap, or no
// segment has bytes to load (an object file, or an executable with only .bss).
SparseImage parse_elf(std::string_view bytes, const std::string& file_name);
SparseImage load_elf(const std::filesystem::path& p);

}  // namespace dfu::formats
