#pragma once
// Firmware jobs built in memory for engine and transport tests: random rows, an
// application signature, and the check that a device's flash holds them.
#include <algorithm>
#include <random>
#include <variant>
#include <vector>

#include "core/checksum.hpp"
#include "core/firmware_job.hpp"

namespace testsupport::jobs {

constexpr std::uint32_t kBase = 0x10000000;

inline std::vector<std::uint8_t> random_row(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

inline dfu::FirmwareJob make_job(std::size_t rows, std::uint32_t row_size = 512, std::uint32_t first = kBase) {
    dfu::FirmwareJob job;
    job.source = "test.hex";
    job.product_id = 0x01020304;
    job.row_size = row_size;
    for (std::size_t i = 0; i < rows; ++i)
        job.steps.emplace_back(dfu::RowStep{first + static_cast<std::uint32_t>(i * row_size),
                                            random_row(row_size, static_cast<std::uint32_t>(i)), 0});
    return job;
}

// Adds a signature after the rows' first `length` bytes so Verify Application passes.
inline void sign(dfu::FirmwareJob& job, std::uint32_t length) {
    std::vector<std::uint8_t> all;
    for (auto& s : job.steps) {
        auto& r = std::get<dfu::RowStep>(s);
        all.insert(all.end(), r.data.begin(), r.data.end());
    }
    const std::uint32_t crc = dfu::crc32c(std::span(all).first(length));
    for (std::uint32_t i = 0; i < 4; ++i) {
        const std::uint32_t at = length + i;
        std::get<dfu::RowStep>(job.steps[at / job.row_size]).data[at % job.row_size] =
            static_cast<std::uint8_t>(crc >> (8 * i));
    }
    job.app = dfu::AppRange{kBase, length};
}

inline void check_flash_has(const std::vector<std::uint8_t>& flash, const dfu::FirmwareJob& job) {
    for (const auto& s : job.steps) {
        if (const auto* r = std::get_if<dfu::RowStep>(&s)) {
            const auto off = r->address - kBase;
            CAPTURE(r->address);
            CHECK(std::equal(r->data.begin(), r->data.end(), flash.begin() + off));
        }
    }
}

}  // namespace testsupport::jobs
