#pragma once
// A FirmwareJob compiled into the plan type the .mtbdfu path builds (core/script_plan.hpp):
// the packets `program`, `verify` or `erase` sends on a clean line (docs/protocol.md, "What
// the host sends for each command line"), each carrying its unit of recovery. `inspect`
// counts it.
#include <cstddef>
#include <cstdint>

#include "core/firmware_job.hpp"
#include "core/script_plan.hpp"

namespace dfu {

enum class Action : std::uint8_t { program, verify, erase };
const char* action_name(Action a) noexcept;

// packet_size: the largest packet, frame included (rows are cut by pack_row for it).
ScriptPlan plan_job(const FirmwareJob& job, Action action, std::size_t packet_size);

}  // namespace dfu
