// Several devices' outcomes: the exit code that stands for them all, and the final table.
#include <doctest/doctest.h>

#include "cli/results_table.hpp"
#include "cli/run_failure.hpp"
#include "cli/run_report.hpp"

using namespace dfu;
using namespace dfu::cli;

TEST_CASE("the exit code of several devices is the worst by the documented precedence") {
    using E = ExitCode;
    CHECK(worst_exit({}) == E::ok);
    CHECK(worst_exit({E::ok, E::ok}) == E::ok);
    CHECK(worst_exit({E::ok, E::no_response, E::ok}) == E::no_response);
    CHECK(worst_exit({E::verify_failed, E::device_error}) == E::device_error);
    CHECK(worst_exit({E::device_error, E::identity_mismatch}) == E::identity_mismatch);
    CHECK(worst_exit({E::identity_mismatch, E::no_response}) == E::no_response);
    CHECK(worst_exit({E::no_response, E::transport_open}) == E::transport_open);
    CHECK(worst_exit({E::transport_open, E::internal}) == E::internal);
    CHECK(worst_exit({E::internal, E::interrupted, E::ok}) == E::interrupted);
}

TEST_CASE("failure_of maps what a device's run can end with to its exit code") {
    auto code_of = [](auto exception) { return failure_of(std::make_exception_ptr(exception)).code; };
    CHECK(code_of(transports::OpenError("no port")) == ExitCode::transport_open);
    CHECK(code_of(transports::IoError("gone")) == ExitCode::no_response);
    CHECK(code_of(Error(ExitCode::verify_failed, "rows differ")) == ExitCode::verify_failed);
    CHECK(code_of(std::runtime_error("bug")) == ExitCode::internal);
    CHECK(failure_of(std::make_exception_ptr(std::runtime_error("bug"))).message == "internal error: bug");
}

TEST_CASE("the final table: a line per device, aligned, errors with their phase") {
    DeviceOutcome ok;
    ok.device = "uart /dev/ttyUSB0";
    ok.run.rows_done = 192;
    ok.run.rows_total = 192;
    ok.seconds = 12.41;
    DeviceOutcome silent;
    silent.device = "uart /dev/ttyUSB12";
    silent.code = ExitCode::no_response;
    silent.error = "no response to Enter DFU";
    silent.phase = "enter";
    silent.run.rows_total = 192;
    silent.seconds = 3.0;
    CHECK(results_table({ok, silent}) ==
          "DEVICE              RESULT            ROWS    TIME  ERROR\n"
          "uart /dev/ttyUSB0   ok             192/192  12.4 s\n"
          "uart /dev/ttyUSB12  failed exit 5    0/192   3.0 s  no response to Enter DFU (phase enter)\n");
}

TEST_CASE("--report names its format by extension, anything else is a usage error") {
    CHECK(report_format("station.json") == ReportFormat::json);
    CHECK(report_format("out/RUN.JSON") == ReportFormat::json);
#if DFUHOST_JUNIT_XML
    CHECK(report_format("junit.xml") == ReportFormat::junit_xml);
#else
    CHECK_THROWS_AS(report_format("junit.xml"), Error);
#endif
    CHECK_THROWS_WITH_AS(report_format("report.txt"), doctest::Contains("--report report.txt"), Error);
}
