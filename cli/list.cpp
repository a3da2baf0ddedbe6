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

    const std::vector<const ListSection*> sections = listing.in_order();
    std::vector<std::string> problems;
    for (const ListSection* s : sections) problems.insert(problems.end(), s->problems.begin(), s->problems.end());

    if (raw.output.json) {
        nlohmann::json j;
        for (const ListSection* s : sections) j[s->key] = s->items;
        j["problems"] = problems;
        out.result(result_json(CommandResult("list", std::move(j))));
        return 0;
    }

    std::string text;
    for (const ListSection* s : sections) {
        text += fmt::format("{}{} ({})\n", text.empty() ? "" : "\n", s->title, s->lines.size());
        for (const std::string& line : s->lines) text += "  " + line + "\n";
    }
    text.pop_back();
    out.say(text);
    for (const auto& p : problems) out.warning(p);
    return 0;
}

}  // namespace dfu::cli
