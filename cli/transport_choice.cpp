#include "cli/transport_choice.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"

namespace dfu::cli {
namespace {

Error usage(const std::string& m) {
    return Error(ExitCode::usage, m);
}

}  // namespace

std::vector<TransportChoice> transport_choices(const RawOptions& o) {
    int given = 0;
    for (const WireKind& kind : wire_kinds()) given += !o.wires.devices_of(kind.option).empty();
    if (given == 0) throw usage("name the device's wire: " + wire_option_list(true, "or"));
    if (given > 1) throw usage(fmt::format("give one of {}, not several", wire_option_list(false, "and")));
    std::vector<TransportChoice> choices;
    for (const WireKind& kind : wire_kinds())
        for (const std::string& device : o.wires.devices_of(kind.option))
            choices.push_back({&kind, kind.choose(o, device)});
    for (std::size_t i = 0; i < choices.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (choices[i].label() == choices[j].label())
                throw usage(fmt::format("{} is named twice; name each device once", choices[i].label()));
    return choices;
}

TransportChoice transport_choice(const RawOptions& o, const std::string& command) {
    std::vector<TransportChoice> choices = transport_choices(o);
    if (choices.size() > 1)
        throw usage(fmt::format("{} drives one device, and {} are named; several at once are for program, verify "
                                "and erase",
                                command, choices.size()));
    return std::move(choices.front());
}

std::unique_ptr<transports::Transport> TransportChoice::open(
    const std::function<void(const std::string&)>& debug) const {
    auto t = wire->open();
    if (const std::string note = t->setup_note(); !note.empty() && debug)
        debug(fmt::format("{}: {}", t->description(), note));
    return t;
}

void choose_packet_size(EngineOptions& engine, const TransportChoice& wire) {
    if (!wire.kind->whole_row_packets) engine.packet_size_auto = false;
}

void fit_packet_size(EngineOptions& engine, const RawOptions& o, const transports::Transport& t) {
    if (engine.packet_size_auto || o.packet_size.empty())
        engine.packet_size = std::min<std::size_t>(engine.packet_size, t.capabilities().max_packet);
}

}  // namespace dfu::cli
