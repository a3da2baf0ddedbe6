#pragma once
// Runs the real Flasher through a transport and returns its result: the end-to-end
// check every bridge test makes (signed job in, flash compared byte for byte).
#include <chrono>
#include <string>

#include "core/flasher.hpp"
#include "firmware_jobs.hpp"
#include "transports/transport.hpp"

namespace testsupport {

inline dfu::EngineOptions fast_options(std::size_t packet_size = 64) {
    dfu::EngineOptions o;
    o.packet_size = packet_size;
    o.error_holdoff = std::chrono::milliseconds(0);
    o.timeout = std::chrono::milliseconds(300);
    return o;
}

inline dfu::RunResult program_through(dfu::transports::Transport& t, const dfu::FirmwareJob& job,
                                      dfu::EngineOptions options = fast_options()) {
    dfu::EventSink quiet;
    dfu::Flasher f(t, job, options, quiet);
    return f.run(dfu::Action::program);
}

// A three-row job with an application signature, so Verify Application has to pass.
inline dfu::FirmwareJob signed_job(std::size_t rows = 3) {
    dfu::FirmwareJob job = jobs::make_job(rows);
    jobs::sign(job, static_cast<std::uint32_t>(rows * 512 - 12));
    return job;
}

template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace testsupport
