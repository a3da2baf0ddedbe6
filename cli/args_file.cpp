#include "cli/args_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace dfu::cli {

namespace {

Error usage(const std::string& message) {
    return Error(ExitCode::usage, message);
}

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::vector<std::string> args_file_words(const std::string& text, const std::string& where) {
    std::vector<std::string> words;
    std::istringstream lines(text);
    unsigned number = 0;
    for (std::string line; std::getline(lines, line);) {
        ++number;
        auto fail = [&](const std::string& why) { return usage(fmt::format("{}:{}: {}", where, number, why)); };
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && blank(line[i])) ++i;
            if (i == line.size() || line[i] == '#') break;
            std::string word;
            while (i < line.size() && !blank(line[i])) {
                const char c = line[i++];
                if (c == '\'') {
                    const auto end = line.find('\'', i);
                    if (end == std::string::npos) throw fail("the ' opened here is not closed on this line");
                    word += line.substr(i, end - i);
                    i = end + 1;
                } else if (c == '"') {
                    bool closed = false;
                    while (i < line.size()) {
                        const char q = line[i++];
                        if (q == '"') {
                            closed = true;
                            break;
                        }
                        if (q == '\\' && i < line.size() && (line[i] == '"' || line[i] == '\\')) {
                            word += line[i++];
                            continue;
                        }
                        word += q;
                    }
                    if (!closed) throw fail("the \" opened here is not closed on this line");
                } else {
                    word += c;
                }
            }
            if (word.starts_with("@"))
                throw fail(fmt::format("'{}': an arguments file cannot name another; write its words here", word));
            words.push_back(std::move(word));
        }
    }
    return words;
}

std::vector<std::string> expand_args_files(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    bool literal = false;
    for (const std::string& a : args) {
        if (a == "--") literal = true;
        if (literal || a.size() < 2 || a[0] != '@') {
            out.push_back(a);
            continue;
        }
        const std::string path = a.substr(1);
        errno = 0;
        std::ifstream f(path, std::ios::binary);
        if (!f) throw usage(fmt::format("{}: cannot read the arguments file: {}", path, std::strerror(errno)));
        std::stringstream text;
        text << f.rdbuf();
        if (f.bad()) throw usage(fmt::format("{}: cannot read the arguments file", path));
        const auto words = args_file_words(text.str(), path);
        out.insert(out.end(), words.begin(), words.end());
    }
    return out;
}

}  // namespace dfu::cli
