#include "cli/env_defaults.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/options.hpp"
#include "cli/wire_kind.hpp"
#include "core/error.hpp"

namespace dfu::cli {

namespace {

bool gives(const std::vector<std::string>& args, const std::string& option) {
    for (const std::string& a : args) {
        if (a == "--") return false;
        if (a == option || a.starts_with(option + "=")) return true;
    }
    return false;
}

// Why `value` is no value for `option`, in the words the option's own check uses; "" when it is one.
std::string problem(const std::string& option, const std::string& value) {
    if (option == "--baud") {
        std::string text = value;
        return number_check("115200", 1, 100'000'000)(text);
    }
    if (option == "--product-id") {
        RawOptions o;
        o.product_id = value;
        try {
            product_id_option(o);
        } catch (const Error&) {
            return fmt::format("'{}' is not a 32-bit hex number", value);
        }
    }
    return {};
}

// Whether `option` belongs to a wire kind and the command line names another kind's device.
bool other_wire_given(const std::vector<std::string>& args, std::string_view option) {
    const WireKind* owner = wire_kind_of_option(option);
    if (!owner) return false;
    for (const WireKind& kind : wire_kinds())
        if (&kind != owner && gives(args, kind.option)) return true;
    return false;
}

}  // namespace

const std::vector<EnvDefault>& env_defaults() {
    static const std::vector<EnvDefault> table{
        {"DFUHOST_PORT", "--uart", "the serial port when no --uart, --i2c, --spi or --usb-hid is given"},
        {"DFUHOST_BAUD", "--baud", "the baud rate when no --baud is given (UART only)"},
        {"DFUHOST_PRODUCT_ID", "--product-id", "the product ID when no --product-id is given"},
    };
    return table;
}

void add_env_defaults(std::vector<std::string>& args, const CLI::App& command, const GetEnv& getenv) {
    const auto end = std::find(args.begin(), args.end(), "--");
    std::vector<std::string> added;
    for (const EnvDefault& d : env_defaults()) {
        const char* value = getenv(d.variable);
        if (!value || !*value || !command.get_option_no_throw(d.option) || gives(args, d.option)) continue;
        // An option of one wire kind (--uart, --baud) yields to another wire on the command line.
        if (other_wire_given(args, d.option)) continue;
        const std::string why = problem(d.option, value);
        if (!why.empty())
            throw Error(ExitCode::usage, fmt::format("environment variable {} (for {}): {}", d.variable, d.option, why));
        added.insert(added.end(), {d.option, value});
    }
    args.insert(end, added.begin(), added.end());
}

}  // namespace dfu::cli
