#pragma once
// Defaults from documented environment variables (a station's port, baud rate and product ID
// set once in its environment); an option on the command line always wins.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dfu::cli {

struct EnvDefault {
    const char* variable;  // DFUHOST_PORT
    const char* option;    // --uart
    const char* meaning;   // for the documentation
};
// DFUHOST_PORT (--uart, when no wire is named), DFUHOST_BAUD (--baud, on a UART),
// DFUHOST_PRODUCT_ID (--product-id).
const std::vector<EnvDefault>& env_defaults();

using GetEnv = std::function<const char*(const char*)>;

// Appends "OPTION VALUE" to `args` (the words after the program name; before a `--` when there
// is one) for every variable of env_defaults() that is set and not empty, when `command` (the
// CLI11 subcommand `args` names) takes the option and `args` do not give it. Throws
// dfu::Error(usage) naming the variable when its value is not valid for the option.
void add_env_defaults(std::vector<std::string>& args, const CLI::App& command, const GetEnv& getenv);

}  // namespace dfu::cli
