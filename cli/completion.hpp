#pragma once
// `dfuhost completion bash|zsh|fish`: shell completion scripts written from the same CLI11
// tree that parses the command line, so a new command or option completes without more work.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dfu::cli {

// The shells completion_script() writes for.
const std::vector<std::string>& completion_shells();

// The script for `shell` (one of completion_shells()) completing `program`'s commands (the
// subcommands of `app`) and, after a command, its options; after an option that takes a value,
// file names.
std::string completion_script(const CLI::App& app, const std::string& program, const std::string& shell);

}  // namespace dfu::cli
