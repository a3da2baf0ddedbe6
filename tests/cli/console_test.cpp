// platform/console: terminal detection and width, on a real pseudo-terminal.
#include <doctest/doctest.h>

#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "platform/console.hpp"

using namespace dfu::platform;

TEST_CASE("a pseudo-terminal is a terminal as wide as its window, a file is not") {
    int master = -1;
    int slave = -1;
    winsize size{};
    size.ws_col = 61;
    size.ws_row = 20;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, &size) == 0);
    std::FILE* tty = ::fdopen(slave, "w");
    REQUIRE(tty);
    ::setenv("COLUMNS", "99", 1);  // the window's own width wins over the variable
    CHECK(is_terminal(tty));
    CHECK(terminal_columns(tty) == 61);
    size.ws_col = 133;  // the pane was resized
    ::ioctl(slave, TIOCSWINSZ, &size);
    CHECK(terminal_columns(tty) == 133);
    std::fclose(tty);
    ::close(master);

    std::FILE* file = std::tmpfile();
    REQUIRE(file);
    CHECK_FALSE(is_terminal(file));
    CHECK(terminal_columns(file) == 99);  // no window: $COLUMNS
    ::setenv("COLUMNS", "wide", 1);
    CHECK(terminal_columns(file) == 0);  // unknown
    ::unsetenv("COLUMNS");
    CHECK(terminal_columns(file) == 0);
    std::fclose(file);
}
