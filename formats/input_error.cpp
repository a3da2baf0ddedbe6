#include "formats/input_error.hpp"

#include <fmt/core.h>

#include <utility>

namespace dfu::formats {

namespace {

std::string compose(const std::string& file, std::size_t line, const std::string& message) {
    if (line == 0) return fmt::format("{}: {}", file, message);
    return fmt::format("{}:{}: {}", file, line, message);
}

}  // namespace

InputError::InputError(std::string file, std::size_t line, std::string message)
    : std::runtime_error(compose(file, line, message)),
      file_(std::move(file)),
      line_(line),
      message_(std::move(message)) {}

}  // namespace dfu::formats
