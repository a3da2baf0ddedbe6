#pragma once
// Running the real dfuhost binary from end-to-end tests.
#include <regex>
#include <set>
#include <sstream>
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

// The option names of a CLI11 help text: the first column of the lines that start with a dash.
inline std::set<std::string> help_options(const std::string& help) {
    std::set<std::string> names;
    static const std::regex line(R"(^\s+(-[^\s]+))");
    std::istringstream in(help);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (!std::regex_search(l, m, line)) continue;
        std::stringstream first(m[1].str());
        for (std::string name; std::getline(first, name, ',');) names.insert(name.substr(0, name.find('=')));
    }
    return names;
}

}  // namespace testsupport
