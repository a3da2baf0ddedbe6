#pragma once
// No file dfuhost writes may be a file it reads or the device it drives: `--log clob.hex`
// once truncated the firmware it was about to program, and a log onto the serial port
// wrote text into the device. Paths are compared by file identity (device and inode), so
// every spelling of a file, symbolic and hard links included, is the same file.
#include <filesystem>
#include <string>
#include <vector>

namespace dfu::cli {

// A file the run reads or drives, and how to name it in a message ("the input file").
struct ReadPath {
    std::filesystem::path path;
    std::string role;
};

// True when both name one file: by identity when both exist, else by their resolved paths.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// Throws Error(usage) "OPTION PATH: that is ROLE (P); writing it would destroy it: ..." when
// `output` is the same file as one of `reads`.
void refuse_overwrite(const std::string& option, const std::filesystem::path& output,
                      const std::vector<ReadPath>& reads);

}  // namespace dfu::cli
