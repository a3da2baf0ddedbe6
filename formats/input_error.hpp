// Error raised for any problem with an input file (exit code 3 in the CLI).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace dfu::formats {

// An input file is unusable. what() is "FILE:LINE: MESSAGE", or "FILE: MESSAGE" when
// the problem is not tied to one line (line() == 0). Lines are 1-based.
class InputError : public std::runtime_error {
public:
    InputError(std::string file, std::size_t line, std::string message);

    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    std::size_t line_;
    std::string message_;
};

}  // namespace dfu::formats
