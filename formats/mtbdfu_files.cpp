#include "formats/mtbdfu_files.hpp"

#include <fmt/core.h>

#include <system_error>
#include <utility>

#include "formats/binary.hpp"
#include "formats/file_bytes.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/mtbdfu_fields.hpp"

namespace dfu::formats::mtbdfu {

namespace {

namespace fs = std::filesystem;

fs::path path_from_utf8(const std::string& s) {
    const std::u8string u8(reinterpret_cast<const char8_t*>(s.data()), s.size());
    return fs::path(u8);
}

// A path that names the same file as any other spelling of it (symlinks resolved where the
// file exists, "." and ".." removed otherwise).
std::string identity(const fs::path& p) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(p, ec);
    if (ec) {
        canonical = fs::absolute(p, ec);
        if (ec) canonical = p;
        canonical = canonical.lexically_normal();
    }
    return canonical.string();
}

bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    if (fs::equivalent(a, b, ec) && !ec) return true;  // catches hard links too
    return identity(a) == identity(b);
}

bool has_hex_extension(const fs::path& p) {
    const std::string ext = ascii_lower(p.extension().string());
    return ext == ".hex" || ext == ".ihex";
}

}  // namespace

MtbdfuDataFile DocumentFiles::data_file(const Json& v, const std::string& path) {
    const std::string& name = values_.file_name(v, path, "app.hex");
    MtbdfuDataFile df;
    df.path = resolve(name);
    data_files_.push_back(FileUse{df.path, path});

    const std::string key = identity(df.path);
    if (const auto it = images_.find(key); it != images_.end()) {
        df.image = it->second;
        return df;
    }
    const std::string shown = df.path.string();
    std::string bytes;
    try {
        bytes = read_file_bytes(df.path);
    } catch (const InputError& e) {
        const bool relative = !path_from_utf8(name).is_absolute();
        values_.fail(path, fmt::format("cannot read the data file: {}{}", e.what(),
                                       relative ? fmt::format(" ({} is relative to the folder of {})", quote(name),
                                                              values_.file())
                                                : std::string()));
    }
    try {
        auto image = std::make_shared<SparseImage>(has_hex_extension(df.path) ? parse_intel_hex(bytes, shown)
                                                                              : parse_binary(bytes, 0, shown));
        df.image = std::move(image);
    } catch (const InputError& e) {
        values_.fail(path, e.what());
    }
    images_.emplace(key, df.image);
    return df;
}

fs::path DocumentFiles::out_file(const Json& v, const std::string& path) {
    const std::string& name = values_.file_name(v, path, "log.txt");
    // A packet log is written (truncated) by whoever runs the document, often root on
    // a rig: a document from elsewhere must not name /etc/... or ../../.bashrc.
    const fs::path given = path_from_utf8(name).lexically_normal();
    if (given.has_root_path() || (!given.empty() && *given.begin() == ".."))
        values_.fail(path, fmt::format("\"{}\" is outside the folder of the .mtbdfu; packet logs are written "
                                       "there: give a relative name without '..'",
                                       name));
    const fs::path resolved = resolve(name);
    std::error_code ec;
    if (fs::is_symlink(resolved, ec))
        values_.fail(path, fmt::format("{} is a symbolic link; give the name of a plain file for the packet log",
                                       resolved.string()));
    if (fs::is_directory(resolved, ec)) {
        values_.fail(path, fmt::format("{} is a directory; give a file name for the packet log", resolved.string()));
    }
    out_files_.push_back(FileUse{resolved, path});
    return resolved;
}

// A packet log must never overwrite an input.
void DocumentFiles::check_out_files() const {
    for (const FileUse& out : out_files_) {
        if (same_file(out.path, document_)) {
            values_.fail(out.json_path,
                         fmt::format("{} is this .mtbdfu file; the packet log would overwrite it: choose "
                                     "another name, like \"log.txt\"",
                                     out.path.string()));
        }
        for (const FileUse& data : data_files_) {
            if (same_file(out.path, data.path)) {
                values_.fail(out.json_path, fmt::format("{} is the data file of {}; the packet log would overwrite it: "
                                                        "choose another name, like \"log.txt\"",
                                                        out.path.string(), data.json_path));
            }
        }
    }
}

fs::path DocumentFiles::resolve(const std::string& name) const {
    return (document_.parent_path() / path_from_utf8(name)).lexically_normal();
}

}  // namespace dfu::formats::mtbdfu
