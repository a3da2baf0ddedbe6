#pragma once
// Opening a file by its std::filesystem::path without losing characters on the way: a
// Windows path is UTF-16 and must not pass through the ANSI code page.
#include <cstdio>
#include <filesystem>

namespace dfu::platform {

// fopen(path, "rb"); null with errno set on failure.
std::FILE* open_for_reading(const std::filesystem::path& path);

// The process's standard input switched to binary mode (Windows would otherwise turn CR LF
// into LF and stop at the first Ctrl-Z byte of a .bin piped in). Not to be closed.
std::FILE* standard_input_binary();

}  // namespace dfu::platform
