#pragma once
// Running the real dfuhost binary from end-to-end tests.
#include <string>
#include <vector>

#include "process.hpp"

namespace testsupport {

inline ProcessResult dfuhost(const std::vector<std::string>& args) {
    std::vector<std::string> argv{DFUHOST_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
}

// The same with `input` as its standard input.
inline ProcessResult dfuhost_with_input(const std::vector<std::string>& args, const std::filesystem::path& input) {
    std::vector<std::string> argv{DFUHOST_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process_with_input(argv, input);
}

inline std::string sample(const std::string& name) {
    return std::string(SAMPLES_DIR) + "/" + name;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace testsupport
