#pragma once
// dfuhost writes UTF-8 (file names, the progress bar's blocks). POSIX terminals take it as
// it is; a Windows console shows it right only once told its output code page is UTF-8.
namespace dfu::platform {

void use_utf8_console();

}  // namespace dfu::platform
