#include "cli/list.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/result_json.hpp"
#include "cli/wire_kind.hpp"
#include "cli/wire_listing.hpp"

namespace dfu::cli {

int run_list(const RawOptions& raw, Reporter& out) {
    WireListing listing;
    for (const WireKind& kind : wire_kinds()) kind.list(listing);

    if (raw.output.json) {
        nlohmann::json j;
        for (const ListSection& s : listing.sections) j[s.key] = s.items;
        j["problems"] = listing.problems;
        out.result(result_json(CommandResult("list", std::move(j))));
        return 0;
    }

    std::string text;
    for (const ListSection& s : listing.sections) {
        text += fmt::format("{}{} ({})\n", text.empty() ? "" : "\n", s.title, s.lines.size());
        for (const std::string& line : s.lines) text += "  " + line + "\n";
    }
    text.pop_back();
    out.say(text);
    for (const auto& p : listing.problems) out.warning(p);
    return 0;
}

}  // namespace dfu::cli
