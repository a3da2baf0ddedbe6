#pragma once
// A job's plan (core/job_plan.hpp) as a .mtbdfu document, for `generate`: what runs between
// the session's Enter DFU and Exit DFU, with the data-file rows written as one command set
// repeated to the end of the data file, so `run` of the document sends the plan packet for packet.
#include <cstdint>
#include <filesystem>

#include "core/script_plan.hpp"
#include "formats/mtbdfu.hpp"

namespace dfu {

struct DocumentOptions {
    std::filesystem::path data_file;  // as the document names it: holds exactly the plan's rows
    std::uint32_t row_size = 0;
    std::uint8_t app_id = 0;
    unsigned retries = 0;  // retriesCount of every command: the recovery `program` has
};

// Throws std::logic_error for a plan no document can state this way (rows of different shapes,
// or rows interrupted by other commands): plan_job never builds one from a .hex or .bin.
formats::Mtbdfu document_of_plan(const ScriptPlan& plan, const DocumentOptions& options);

}  // namespace dfu
