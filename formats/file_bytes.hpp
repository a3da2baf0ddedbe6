// Reading a whole input file into memory: the only I/O the formats library does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace dfu::formats {

// Largest input file we accept. Firmware images are far smaller; anything bigger is
// almost certainly the wrong file.
inline constexpr std::uintmax_t kMaxInputFileBytes = std::uintmax_t{1} << 30;  // 1 GiB

// "-" names standard input wherever an input file is expected.
inline constexpr const char* kStandardInput = "-";
bool is_standard_input(const std::filesystem::path& p);

// How an input is named in messages: its path, or "standard input" for "-".
std::string input_name(const std::filesystem::path& p);

// Returns the file's bytes unchanged (binary mode); for "-", all of standard input. Throws InputError (line 0, file =
// p.string()) if the file is missing, is a directory or another non-regular file, cannot
// be opened or read (e.g. permission denied), or is larger than kMaxInputFileBytes.
std::string read_file_bytes(const std::filesystem::path& p);

}  // namespace dfu::formats
