// The serial open messages: what the user is to do, named for the node that refused.
// (Tests run as root in CI containers, where no open is ever refused, so the errno is given.)
#include <doctest/doctest.h>

#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "process.hpp"
#include "platform/serial_open_error.hpp"

using dfu::platform::serial_open_error;

TEST_CASE("a missing serial port points at dfuhost list") {
    const std::string what = serial_open_error("/dev/ttyUSB7", ENOENT).what();
    CHECK(what == "/dev/ttyUSB7: no such serial port; see `dfuhost list` for the ports present");
}

TEST_CASE("a refused serial port names the real node behind the link and the group that owns it") {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    const std::string node = ::ptsname(master);
    testsupport::TempDir dir;
    const auto link = dir / "ttyDFU";
    std::filesystem::create_symlink(node, link);
    struct stat st {};
    REQUIRE(::stat(node.c_str(), &st) == 0);
    const group* g = ::getgrgid(st.st_gid);
    REQUIRE(g != nullptr);
    const std::string group_name = g->gr_name;

    const std::string what = serial_open_error(link.string(), EACCES).what();
    INFO(what);
    CHECK(what.starts_with(link.string() + " (which is " + node + "): permission denied"));
    CHECK(what.find("add yourself to group '" + group_name + "'") != std::string::npos);
    if (group_name != "dialout") CHECK(what.find("dialout") == std::string::npos);
    ::close(master);
}

TEST_CASE("other open errors say why") {
    const std::string what = serial_open_error("/dev/ttyS0", EIO).what();
    CHECK(what == std::string("/dev/ttyS0: cannot open: ") + std::strerror(EIO));
}
