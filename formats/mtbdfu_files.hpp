// The files a .mtbdfu document names (internal to formats/, not part of the API): its data
// files, each read once however many commands name it, and its packet logs ("outFile"), which
// must stay inside the document's folder and never overwrite an input.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats/mtbdfu.hpp"
#include "formats/mtbdfu_json.hpp"
#include "formats/mtbdfu_values.hpp"

namespace dfu::formats::mtbdfu {

class DocumentFiles {
public:
    // `document`: the .mtbdfu file; relative names are resolved against its folder.
    DocumentFiles(const ValueReader& values, std::filesystem::path document)
        : values_(values), document_(std::move(document)) {}

    // A "dataFile" value: the file read (Intel HEX for .hex / .ihex, else raw bytes at 0).
    MtbdfuDataFile data_file(const Json& v, const std::string& path);

    // An "outFile" value: where the packet log goes (not yet checked against the inputs).
    std::filesystem::path out_file(const Json& v, const std::string& path);

    // Once every file is known: fails if a packet log is the document or one of its data files.
    void check_out_files() const;

private:
    struct FileUse {
        std::filesystem::path path;
        std::string json_path;
    };

    std::filesystem::path resolve(const std::string& name) const;

    const ValueReader& values_;
    std::filesystem::path document_;
    std::map<std::string, std::shared_ptr<const SparseImage>> images_;  // by identity()
    std::vector<FileUse> data_files_;
    std::vector<FileUse> out_files_;
};

}  // namespace dfu::formats::mtbdfu
