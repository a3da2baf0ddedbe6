#include "cli/run_failure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "formats/input_error.hpp"
#include "transports/transport.hpp"

namespace dfu::cli {

Failure failure_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const formats::InputError& x) {
        return {ExitCode::input_invalid, x.what()};
    } catch (const transports::OpenError& x) {
        return {ExitCode::transport_open, x.what()};
    } catch (const transports::IoError& x) {
        return {ExitCode::no_response, x.what()};
    } catch (const Error& x) {
        return {x.code(), x.what()};
    } catch (const std::exception& x) {
        return {ExitCode::internal, fmt::format("internal error: {}", x.what())};
    } catch (...) {
        return {ExitCode::internal, "internal error: an unknown exception"};
    }
}

ExitCode worst_exit(const std::vector<ExitCode>& codes) {
    // Worst first.
    static constexpr std::array kOrder{ExitCode::interrupted,       ExitCode::internal,     ExitCode::transport_open,
                                       ExitCode::no_response,       ExitCode::identity_mismatch,
                                       ExitCode::device_error,      ExitCode::verify_failed, ExitCode::input_invalid,
                                       ExitCode::usage,             ExitCode::ok};
    auto rank = [](ExitCode c) { return std::find(kOrder.begin(), kOrder.end(), c) - kOrder.begin(); };
    ExitCode worst = ExitCode::ok;
    for (ExitCode c : codes)
        if (rank(c) < rank(worst)) worst = c;
    return worst;
}

}  // namespace dfu::cli
