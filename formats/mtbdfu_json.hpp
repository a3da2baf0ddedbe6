// The JSON layer of the .mtbdfu reader (internal to formats/, not part of the API): the text
// parsed into a JSON value with every JSON problem reported by line and column, a key given
// twice found, nesting bounded; and how messages name a value (its JSON path, a quoted string,
// its type).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dfu::formats::mtbdfu {

// Keeps the document's key order, so the first bad field reported is the first one written.
using Json = nlohmann::ordered_json;

// Parses `text`, the contents of the file called `file`. Throws InputError "FILE:LINE: ..." for
// invalid JSON or nesting deeper than a .mtbdfu needs, "FILE: PATH: ..." for a key given twice.
Json parse_json(std::string_view text, const std::string& file);

// Throws InputError "FILE: PATH: message" ("FILE: message" when path is empty).
[[noreturn]] void fail_at(const std::string& file, const std::string& path, const std::string& message);

// JSON paths as a JavaScript programmer writes them: a.b[2]["File Version"].
std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

// A JSON string for a message: quoted, escaped, shortened when long.
std::string quote(std::string_view s);

// "a string", "an object", "null": what a message says was found.
std::string describe_type(const Json& v);

}  // namespace dfu::formats::mtbdfu
