#include "formats/file_bytes.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "formats/input_error.hpp"
#include "platform/file_open.hpp"

namespace dfu::formats {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

std::string describe_errno(int err) {
    if (err == EACCES || err == EPERM) return "permission denied; check the file's permissions";
    return std::error_code(err, std::generic_category()).message();
}

}  // namespace

std::string read_file_bytes(const std::filesystem::path& p) {
    namespace fs = std::filesystem;
    const std::string name = p.string();

    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (st.type() == fs::file_type::not_found) {
        throw InputError(name, 0, "no such file");
    }
    if (ec) {
        throw InputError(name, 0, fmt::format("cannot access the file: {}", describe_errno(ec.value())));
    }
    if (st.type() == fs::file_type::directory) {
        throw InputError(name, 0, "is a directory, not a firmware file");
    }
    if (st.type() != fs::file_type::regular) {
        throw InputError(name, 0, "is not a regular file (a device, pipe or socket?); give a firmware file");
    }
    const std::uintmax_t size = fs::file_size(p, ec);
    if (ec) {
        throw InputError(name, 0, fmt::format("cannot get the file size: {}", ec.message()));
    }
    const auto too_big = [&](std::uintmax_t n) {
        return InputError(name, 0,
                          fmt::format("file is {} bytes; input files are limited to {} bytes (1 GiB): "
                                      "is this the right file?",
                                      n, kMaxInputFileBytes));
    };
    if (size > kMaxInputFileBytes) throw too_big(size);

    errno = 0;
    std::unique_ptr<std::FILE, FileCloser> f(platform::open_for_reading(p));
    if (!f) {
        const int err = errno;  // before anything else can change it
        throw InputError(name, 0, fmt::format("cannot open the file: {}", describe_errno(err)));
    }

    // Read until EOF rather than trusting the size: the file may change while we read it.
    std::string bytes;
    bytes.resize(static_cast<std::size_t>(size) + 1);
    std::size_t used = 0;
    for (;;) {
        if (used == bytes.size()) {
            if (bytes.size() > kMaxInputFileBytes) throw too_big(bytes.size());
            bytes.resize(bytes.size() + bytes.size() / 2 + 4096);
        }
        errno = 0;
        const std::size_t got = std::fread(bytes.data() + used, 1, bytes.size() - used, f.get());
        const int err = errno;
        used += got;
        if (got == 0) {
            if (std::ferror(f.get())) {
                throw InputError(name, 0, fmt::format("cannot read the file: {}", describe_errno(err)));
            }
            break;
        }
    }
    if (used > kMaxInputFileBytes) throw too_big(used);
    bytes.resize(used);
    return bytes;
}

}  // namespace dfu::formats
