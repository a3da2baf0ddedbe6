#pragma once
// `dfuhost @station.args`: arguments kept in a file, expanded in place before the command
// line is parsed, so a factory station's fixed options live in one reviewed file.
#include <string>
#include <vector>

namespace dfu::cli {

// Replaces each word `@FILE` (before a `--`) with the words of FILE: one or more per line,
// separated by blanks; '...' keeps everything up to the next ' as it is, "..." too but with \"
// and \\ for a quote and a backslash; a # at the start of a word comments out the rest of the
// line. A word of the file that itself starts with @ is refused: files do not nest. Throws
// dfu::Error(usage) naming the file (and the line) when it cannot be read or is malformed.
std::vector<std::string> expand_args_files(const std::vector<std::string>& args);

// The words of one file's text, as above; `where` ("station.args") prefixes each error.
std::vector<std::string> args_file_words(const std::string& text, const std::string& where);

}  // namespace dfu::cli
