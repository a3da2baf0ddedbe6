#pragma once
// Opening a file by its std::filesystem::path without losing characters on the way: a
// Windows path is UTF-16 and must not pass through the ANSI code page.
#include <cstdio>
#include <filesystem>

namespace dfu::platform {

// fopen(path, "rb"); null with errno set on failure.
std::FILE* open_for_reading(const std::filesystem::path& path);

}  // namespace dfu::platform
