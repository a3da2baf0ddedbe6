#pragma once
// Running the real dfuhost binary from end-to-end tests.
#include <doctest/doctest.h>

#include <initializer_list>
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

// A run (a ProcessResult) ended with exit code CODE and its standard error holds each of the
// strings that follow, if any; a failing check shows the run's standard error.
#define CHECK_EXIT(RUN, CODE, ...)                                                         \
    do {                                                                                   \
        const ::testsupport::ProcessResult& checked_run_ = (RUN);                          \
        INFO("stderr: " << checked_run_.err);                                              \
        CHECK(checked_run_.exit_code == (CODE));                                           \
        for (const std::string& needle_ : std::initializer_list<std::string>{__VA_ARGS__}) \
            CHECK_MESSAGE(::testsupport::contains(checked_run_.err, needle_), needle_);    \
    } while (false)

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
