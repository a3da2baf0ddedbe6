#include "formats/mtbdfu_fields.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <optional>
#include <vector>

#include "formats/mtbdfu_json.hpp"

namespace dfu::formats::mtbdfu {

namespace {

// Levenshtein distance of the lower-cased strings (so a difference in case alone costs 0).
std::size_t edit_distance(std::string_view a_in, std::string_view b_in) {
    const std::string a = ascii_lower(a_in);
    const std::string b = ascii_lower(b_in);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// The known field closest to `key`, if it is within edit distance 2.
std::optional<std::string_view> suggest(std::string_view key, Fields known) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 3;
    for (const std::string_view k : known) {
        // Bound the work for absurdly long keys: they are never a typo of a short name.
        if (key.size() > k.size() + 2) continue;
        const std::size_t d = edit_distance(key, k);
        if (d < best_distance) {
            best = k;
            best_distance = d;
        }
    }
    return best;
}

std::string join_fields(Fields known) {
    std::string out;
    for (const std::string_view k : known) {
        if (k == kChecksumFieldPublished) continue;  // accepted, but not advertised
        if (!out.empty()) out += ", ";
        out += k;
    }
    return out;
}

}  // namespace

std::string unknown_field_message(std::string_view key, bool top_level, Fields known) {
    std::string message = fmt::format("unknown {}field {}", top_level ? "top-level " : "", quote(key));
    if (const auto s = suggest(key, known)) {
        message += fmt::format("; did you mean '{}'?", *s);
    } else {
        message += fmt::format("; the fields allowed here are: {}", join_fields(known));
    }
    return message;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace dfu::formats::mtbdfu
