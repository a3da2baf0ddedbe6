// The values of a .mtbdfu document (internal to formats/, not part of the API): hex numbers,
// hex bytes, flags, file names and times as the format writes them, and the checks on an
// object's fields. Every refusal is an InputError naming the file and the value's JSON path.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/mtbdfu_fields.hpp"
#include "formats/mtbdfu_json.hpp"

namespace dfu::formats::mtbdfu {

class ValueReader {
public:
    explicit ValueReader(std::string file) : file_(std::move(file)) {}

    const std::string& file() const noexcept { return file_; }

    // InputError "FILE: PATH: message".
    [[noreturn]] void fail(const std::string& path, const std::string& message) const;

    // Fails on the first field of `obj` that is not one of `known`.
    void check_fields(const Json& obj, const std::string& path, Fields known) const;

    // Fails if more than one of `names` is present; returns the one present, if any.
    std::optional<std::string_view> one_of(const Json& obj, const std::string& path,
                                           std::initializer_list<std::string_view> names) const;

    // A number: a hex string, with or without 0x ("0x10" and "10" are both sixteen), from min to
    // max. `example` and `alternative` show the user what to write.
    std::uint32_t hex_number(const Json& v, const std::string& path, std::uint32_t min, std::uint32_t max,
                             std::string_view example, std::string_view alternative = {}) const;
    std::uint8_t hex_byte(const Json& v, const std::string& path, std::string_view example = "0x00") const;

    // Bytes as "01 02 0A", "01020A", "0x01 0x02" or ["0x01", "02"]; at most one packet's worth.
    std::vector<std::uint8_t> hex_bytes(const Json& v, const std::string& path) const;

    // true / false, or the strings "true" / "false" in any case.
    bool flag(const Json& v, const std::string& path) const;

    // A non-empty string.
    const std::string& file_name(const Json& v, const std::string& path, std::string_view example) const;

    // The one of the three spellings of a time in `fields` that `obj` gives, if any.
    std::optional<std::chrono::microseconds> duration(const Json& obj, const std::string& path,
                                                      std::span<const TimeField> fields, bool allow_zero) const;

private:
    void append_token(std::string_view token, std::size_t item, const std::string& whole, const std::string& path,
                      std::vector<std::uint8_t>& out) const;

    std::string file_;
};

}  // namespace dfu::formats::mtbdfu
