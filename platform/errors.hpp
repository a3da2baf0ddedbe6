#pragma once
// The two ways talking to a port fails, shared by the platform layer and the transports
// above it (transports/transport.hpp names them dfu::transports::OpenError and IoError).
#include <stdexcept>

namespace dfu::platform {

// The port could not be opened or configured (exit code 4 territory).
class OpenError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The port failed while in use: unplugged adapter, I/O error, connection closed.
class IoError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace dfu::platform
