// The status line on a terminal: fitted to the window, never wrapping.
#include <doctest/doctest.h>

#include "cli/status_line.hpp"

using namespace dfu;
using namespace dfu::cli;

namespace {
Progress halfway() {
    Progress p;
    p.rows_done = 96;
    p.rows_total = 192;
    p.bytes_done = 96 * 512;
    p.bytes_total = 192 * 512;
    p.row_address = 0x1000C000;
    return p;
}
}  // namespace

TEST_CASE("the progress line never reaches the last column, however narrow the window") {
    for (std::size_t columns = 1; columns <= 200; ++columns) {
        CAPTURE(columns);
        const std::string line = progress_line(halfway(), 2.5, columns);
        CHECK(line.size() <= (columns > 1 ? columns - 1 : 1));
        CHECK(line.find('\n') == std::string::npos);
    }
}

TEST_CASE("a wide window gets the bar, the row count, the rate and the ETA") {
    const std::string line = progress_line(halfway(), 2.0, 120);
    CHECK(line == "[###############...............] 96/192 rows  24.0 KiB/s  ETA 2.0 s");
}

TEST_CASE("a narrow window drops the rate, then the ETA, then the bar, and keeps the row count") {
    const Progress p = halfway();
    CHECK(progress_line(p, 2.0, 48) == "[#####.....] 96/192 rows  24.0 KiB/s  ETA 2.0 s");
    CHECK(progress_line(p, 2.0, 40) == "[#######.......] 96/192 rows  ETA 2.0 s");
    CHECK(progress_line(p, 2.0, 30) == "[#######........] 96/192 rows");
    CHECK(progress_line(p, 2.0, 20) == "96/192 rows");
    CHECK(progress_line(p, 2.0, 8) == "96/192 ");
}

TEST_CASE("the waiting line names the command, the row and the time waited") {
    Waiting w;
    w.command = 0x49;  // Program Data
    w.row_address = 0x10002000;
    w.elapsed = std::chrono::milliseconds(1230);
    CHECK(waiting_line(w, 80) == "waiting for answer to Program Data row 0x10002000 (1.2 s)");
    CHECK(waiting_line(w, 30).size() == 29);
    w.command = 0x38;  // Enter DFU
    w.row_address.reset();
    CHECK(waiting_line(w, 80) == "waiting for answer to Enter DFU (1.2 s)");
}

TEST_CASE("several devices: one line each, labels aligned, redrawn over the lines drawn before") {
    const std::vector<DeviceLine> lines{{"uart /dev/ttyUSB0", "[#####.....] 96/192 rows"},
                                        {"uart /dev/ttyUSB10", "done"}};
    // First drawing: no cursor movement, each line cleared to its end and ended.
    CHECK(device_lines(lines, 0, 80) ==
          "\ruart /dev/ttyUSB0   [#####.....] 96/192 rows\x1b[K\n"
          "\ruart /dev/ttyUSB10  done\x1b[K\n");
    // Later: up over the two lines first, so the block stays in place.
    CHECK(device_lines(lines, 2, 80).starts_with("\x1b[2A\ruart /dev/ttyUSB0 "));
    // A narrow window cuts every line one short of the last column.
    const std::string narrow = device_lines(lines, 0, 20);
    CHECK(narrow == "\ruart /dev/ttyUSB0  \x1b[K\n\ruart /dev/ttyUSB10 \x1b[K\n");
    CHECK(erase_device_lines(2) == "\x1b[2A\r\x1b[J");
    CHECK(erase_device_lines(0).empty());
}

TEST_CASE("a device's status gets the room its label leaves, never less than ten columns") {
    CHECK(device_status_room(80, 18) == 60);
    CHECK(device_status_room(20, 18) == 10);
}
