#pragma once
// The command line: the subcommands and their options, and the checks that turn every
// mistake on it into a message naming the word at fault (exit 2) before anything runs.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/options.hpp"

namespace dfu::cli {

class CommandLine {
public:
    CommandLine();
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;

    // Parses argv. Returns the exit code when the process should end here: help or version
    // printed (0), or a usage error reported (2). nullopt when the command is to run.
    std::optional<int> parse(int argc, char** argv);

    // The command given: "program", "verify", "erase", "info", "run", "generate", "inspect", "list".
    const std::string& command() const noexcept { return command_; }
    const RawOptions& options() const noexcept { return raw_; }

private:
    struct Context;
    // Walks the words before CLI11 sees them, so that an unknown command or option, a missing
    // value or an option given twice is named in our words (throws dfu::Error, exit 2).
    void scan(const std::vector<std::string>& args, Context& context) const;
    void check_wires(const CLI::App& sub) const;
    CLI::App* find_command(const std::string& name) const;
    std::vector<std::string> command_names() const;
    int print_help(const std::string& topic, Context& context) const;

    CLI::App app_;
    RawOptions raw_;
    std::vector<CLI::App*> commands_;
    std::string help_topic_;
    std::string completion_shell_;
    std::string command_;
};

}  // namespace dfu::cli
