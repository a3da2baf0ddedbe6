#pragma once
// Errors that end a run, each carrying the documented exit code of its phase.
#include <stdexcept>
#include <string>

namespace dfu {

enum class ExitCode : int {
    ok = 0,
    internal = 1,
    usage = 2,
    input_invalid = 3,
    transport_open = 4,
    no_response = 5,
    device_error = 6,
    verify_failed = 7,
    identity_mismatch = 8,
    interrupted = 130,
};

class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const noexcept { return code_; }

private:
    ExitCode code_;
};

}  // namespace dfu
