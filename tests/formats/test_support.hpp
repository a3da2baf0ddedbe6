// Helpers shared by the formats tests.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/input_error.hpp"

namespace dfu::formats::test {

template <class F>
std::optional<InputError> catch_input_error(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const InputError& e) {
        return e;
    }
    return std::nullopt;
}

inline bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Asserts that EXPR throws InputError whose what() starts with WHERE ("file:line: " or
// "file: ") and contains FRAGMENT.
#define CHECK_INPUT_ERROR(EXPR, WHERE, FRAGMENT)                                                     \
    do {                                                                                             \
        const auto dfu_err_ = ::dfu::formats::test::catch_input_error([&] { (void)(EXPR); });        \
        REQUIRE_MESSAGE(dfu_err_.has_value(), "expected an InputError from: " #EXPR);                \
        const std::string dfu_what_ = dfu_err_->what();                                              \
        CHECK_MESSAGE(dfu_what_.rfind(WHERE, 0) == 0, "what(): " << dfu_what_);                      \
        CHECK_MESSAGE(::dfu::formats::test::contains(dfu_what_, FRAGMENT), "what(): " << dfu_what_); \
    } while (false)

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        const auto tag = std::to_string(rd()) + "-" + std::to_string(counter++);
        path_ = std::filesystem::temp_directory_path() / ("dfuhost-formats-test-" + tag);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path write(const std::string& name, std::string_view content) const {
        const auto p = path_ / name;
        std::ofstream out(p, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        REQUIRE(out.good());
        return p;
    }

private:
    std::filesystem::path path_;
};

inline std::vector<std::uint8_t> iota_bytes(std::size_t n, std::uint8_t first = 0) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(first + i);
    return v;
}

}  // namespace dfu::formats::test
