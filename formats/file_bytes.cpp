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

InputError too_big(const std::string& name, std::uintmax_t n) {
    return InputError(
        name, 0,
        fmt::format("file is {} bytes; input files are limited to {} bytes (1 GiB): is this the right file?", n,
                    kMaxInputFileBytes));
}

// Reads `f` to its end into `bytes` (resized to what was read), `bytes.size()` being the first guess.
void read_to_end(std::FILE* f, std::string& bytes, const std::string& name) {
    std::size_t used = 0;
    for (;;) {
        if (used == bytes.size()) {
            if (bytes.size() > kMaxInputFileBytes) throw too_big(name, bytes.size());
            bytes.resize(bytes.size() + bytes.size() / 2 + 4096);
        }
        errno = 0;
        const std::size_t got = std::fread(bytes.data() + used, 1, bytes.size() - used, f);
        const int err = errno;
        used += got;
        if (got == 0) {
            if (std::ferror(f)) throw InputError(name, 0, fmt::format("cannot read the file: {}", describe_errno(err)));
            break;
        }
    }
    if (used > kMaxInputFileBytes) throw too_big(name, used);
    bytes.resize(used);
}

}  // namespace

bool is_standard_input(const std::filesystem::path& p) {
    return p.native().size() == 1 && p.native()[0] == '-';
}

std::string input_name(const std::filesystem::path& p) {
    return is_standard_input(p) ? "standard input" : p.string();
}

std::string read_file_bytes(const std::filesystem::path& p) {
    namespace fs = std::filesystem;
    const std::string name = input_name(p);
    if (is_standard_input(p)) {
        std::string bytes(64 * 1024, '\0');
        read_to_end(platform::standard_input_binary(), bytes, name);
        return bytes;
    }

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
    if (size > kMaxInputFileBytes) throw too_big(name, size);

    errno = 0;
    std::unique_ptr<std::FILE, FileCloser> f(platform::open_for_reading(p));
    if (!f) {
        const int err = errno;  // before anything else can change it
        throw InputError(name, 0, fmt::format("cannot open the file: {}", describe_errno(err)));
    }

    // Read until EOF rather than trusting the size: the file may change while we read it.
    std::string bytes(static_cast<std::size_t>(size) + 1, '\0');
    read_to_end(f.get(), bytes, name);
    return bytes;
}

}  // namespace dfu::formats
