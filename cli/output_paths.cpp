#include "cli/output_paths.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "core/error.hpp"

namespace dfu::cli {

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
    // std::filesystem::equivalent() refuses character devices (libstdc++ says "not
    // supported"), and the device node is one of the files to protect: compare stat()'s
    // device and inode. Where the system has no inode numbers (Windows) it reports 0, and
    // equivalent() knows the file's identity there.
    struct stat sa {}, sb {};
    if (::stat(a.string().c_str(), &sa) != 0 || ::stat(b.string().c_str(), &sb) != 0) {
        // Two outputs not written yet are one file when their resolved paths are.
        std::error_code ea, eb;
        const auto ca = std::filesystem::weakly_canonical(a, ea), cb = std::filesystem::weakly_canonical(b, eb);
        return !ea && !eb && ca == cb;
    }
    if (sa.st_ino != 0 || sb.st_ino != 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    std::error_code ec;
    return std::filesystem::equivalent(a, b, ec) && !ec;
}

void refuse_overwrite(const std::string& option, const std::filesystem::path& output,
                      const std::vector<ReadPath>& reads) {
    for (const ReadPath& r : reads) {
        if (r.path.empty() || !same_file(output, r.path)) continue;
        const std::string spelled =
            r.path == output ? std::string() : fmt::format(" ({})", r.path.string());
        throw Error(ExitCode::usage, fmt::format("{} {}: that is {}{}; writing it would destroy it: name another file",
                                                 option, output.string(), r.role, spelled));
    }
}

}  // namespace dfu::cli
