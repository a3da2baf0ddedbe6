#pragma once
// What the program needs to know about the terminal it writes to. One implementation per
// system (posix/, windows/); the rest of the program asks only through these.
#include <cstdio>

namespace dfu::platform {

// True when `f` is an interactive terminal (a progress bar makes sense there).
bool is_terminal(std::FILE* f);
// The width of the terminal behind `f` in columns; $COLUMNS when the system cannot say;
// 0 when unknown.
int terminal_columns(std::FILE* f);

}  // namespace dfu::platform
