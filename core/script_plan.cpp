#include "core/script_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <span>
#include <unordered_map>

#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/requests.hpp"
#include "formats/input_error.hpp"
#include "formats/rows.hpp"

namespace dfu {

std::string ScriptPlan::where(const ScriptPacket& p) const {
    const std::string& path = command_of(p).where;
    return p.row == ScriptPacket::kNoRow ? path : fmt::format("{} (row 0x{:08X})", path, p.row);
}

std::size_t ScriptPlan::packet_count() const noexcept {
    std::size_t n = 0;
    for (const auto& s : sessions) n += s.packets.size();
    return n;
}

std::uint64_t ScriptPlan::bytes_to_device() const noexcept {
    std::uint64_t n = 0;
    for (const auto& s : sessions)
        for (const auto& p : s.packets) n += p.data_size + kFrameOverhead;
    return n;
}

std::uint64_t ScriptPlan::data_file_bytes() const noexcept {
    return data_file_bytes_;
}

namespace {

using formats::InputError;
using formats::MtbdfuCommand;

// Where a command set is in its data file: the rows, and how far into them.
struct Cursor {
    std::string declared_at;  // JSON path of the dataFile
    std::string file;
    std::uint32_t row_size = 0;
    std::vector<formats::Row> rows;
    std::size_t row = 0;
    std::size_t offset = 0;  // bytes of rows[row] already sent
    bool done() const { return row >= rows.size(); }
};

// What a command inherits from the objects around it.
struct Scope {
    std::shared_ptr<Cursor> cursor;
    std::optional<std::uint32_t> row_size;
    bool output = false;
    int log = -1;
    std::chrono::microseconds timeout{0};
    unsigned retries = 0;
    unsigned reconnect = 0;
};

class Planner {
public:
    Planner(const formats::Mtbdfu& doc, const ScriptOptions& o) : doc_(doc), options_(o) {}

    ScriptPlan run() {
        plan_.file = doc_.file;
        plan_.product_id = doc_.app_info.product_id;
        plan_.checksum = static_cast<ChecksumType>(doc_.app_info.checksum_type);
        Scope top;
        top.row_size = doc_.app_info.flash_row_length ? doc_.app_info.flash_row_length : options_.row_size;
        top.timeout = doc_.app_info.timeout_ms
                          ? std::chrono::microseconds(std::uint64_t{*doc_.app_info.timeout_ms} * 1000)
                          : options_.default_timeout;
        check_repeat_counts();
        plan_.bytes.reserve(plan_bytes_estimate());
        for (const auto& s : doc_.sessions) {
            session_ = &plan_.sessions.emplace_back();
            open_row_.reset();
            session_->json_path = s.json_path;
            ScriptCommand enter;
            enter.where = s.json_path + " (Enter DFU)";
            enter.timeout = top.timeout;
            enter.retries = options_.enter_retries;
            emit(new_packet(cmd::enter, add_command(std::move(enter)), store(requests::enter(doc_.app_info.product_id))));
            for (const auto& c : s.commands) expand(c, top);
            ScriptCommand exit;
            exit.where = s.json_path + " (Exit DFU)";
            exit.timeout = top.timeout;
            emit(new_packet(cmd::exit, add_command(std::move(exit)), store({})));
        }
        return std::move(plan_);
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(doc_.file, 0, fmt::format("{}: {}", path, message));
    }

    // Repeat counts multiply: a document of a few hundred bytes can ask for 2^40 packets. Add up
    // what the counts alone expand to before building anything, so such a document is refused
    // at once, not after gigabytes of packets. "EoF" repeats count as none here (they may end
    // at once); the count kept by emit() bounds them.
    void check_repeat_counts() const {
        std::uint64_t total = 0;
        std::uint64_t steps = 0;
        for (const auto& s : doc_.sessions) {
            total = saturating_add(total, 2);  // Enter DFU, Exit DFU
            for (const auto& c : s.commands) {
                const Expansion e = fixed_expansion(c);
                total = saturating_add(total, e.packets);
                if (total > options_.max_packets)
                    fail(c.json_path,
                         fmt::format("the repeat counts expand the document to more than {} packets{}; "
                                     "reduce repeat counts",
                                     options_.max_packets, total < kUncounted ? fmt::format(" ({})", total) : ""));
                steps = saturating_add(steps, e.steps);
                if (steps > options_.max_packets) step_limit(c);
            }
        }
    }

    // Bytes the literal data of the document takes (stored once per command), plus what the
    // data files hold; enough that the byte store is allocated once for common documents.
    std::size_t plan_bytes_estimate() const {
        std::uint64_t n = 6 * doc_.sessions.size();
        for (const auto& s : doc_.sessions)
            for (const auto& c : s.commands) n += literal_bytes(c);
        return static_cast<std::size_t>(std::min<std::uint64_t>(n, std::uint64_t{1} << 30));
    }
    static std::uint64_t literal_bytes(const MtbdfuCommand& c) {
        std::uint64_t n = c.data ? c.data->size() : 0;
        if (c.data_file) n += c.data_file->image->size() + c.data_file->image->size() / 16 + 64;
        for (const auto& child : c.command_set) n += literal_bytes(child);
        return n;
    }

    // What c expands to whatever its data files hold: packets, and the pauses and set
    // repetitions step() counts; kUncounted when that is beyond counting.
    struct Expansion {
        std::uint64_t packets = 0;
        std::uint64_t steps = 0;
    };
    static Expansion fixed_expansion(const MtbdfuCommand& c) {
        if (c.delay_only) return {0, 1};
        if (c.repeat_eof) return {};
        Expansion once = c.is_group() ? Expansion{0, 1} : Expansion{1, 0};
        for (const auto& child : c.command_set) {
            const Expansion e = fixed_expansion(child);
            once.packets = saturating_add(once.packets, e.packets);
            once.steps = saturating_add(once.steps, e.steps);
        }
        const std::uint64_t reps = c.repeat.value_or(1);
        return {saturating_mul(once.packets, reps), saturating_mul(once.steps, reps)};
    }
    static constexpr std::uint64_t kUncounted = std::uint64_t{1} << 62;
    static std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return std::min(kUncounted, a + b); }
    static std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
        return b != 0 && a > kUncounted / b ? kUncounted : a * b;
    }

    std::uint32_t add_command(ScriptCommand c) {
        plan_.commands.push_back(std::move(c));
        return static_cast<std::uint32_t>(plan_.commands.size() - 1);
    }

    struct Stored {
        std::uint64_t at = 0;
        std::uint16_t size = 0;
    };
    Stored store(std::span<const std::uint8_t> data) {
        const Stored s{plan_.bytes.size(), static_cast<std::uint16_t>(data.size())};
        plan_.bytes.insert(plan_.bytes.end(), data.begin(), data.end());
        return s;
    }

    static ScriptPacket new_packet(std::uint8_t code, std::uint32_t command_index, Stored data) {
        ScriptPacket p;
        p.command = code;
        p.answered = !command_is_unanswered(code);
        p.command_index = command_index;
        p.data_at = data.at;
        p.data_size = data.size;
        return p;
    }

    void emit(ScriptPacket p) {
        if (++count_ > options_.max_packets)
            fail(plan_.where(p), fmt::format("the document expands to more than {} packets; reduce repeat counts",
                                             options_.max_packets));
        p.delay_before = pending_delay_;
        pending_delay_ = {};
        const std::size_t index = session_->packets.size();
        // The unit a failure redoes. After an error the device is back in NONE with an unknown
        // row buffer, so nothing smaller than a row can be redone: a data-file row's packets,
        // and whatever is sent between them, go from the row's first packet. Anything else
        // from the start of its command set's repetition, or alone.
        if (p.row != ScriptPacket::kNoRow && (!open_row_ || open_row_->address != p.row)) open_row_ = OpenRow{p.row, index};
        p.unit = static_cast<std::uint32_t>(open_row_ ? open_row_->first
                                                      : group_starts_.empty() ? index : group_starts_.back());
        const ScriptCommand& c = plan_.command_of(p);
        const bool plain = c.expect_status == status::success && !c.expect_data;
        p.answer_may_be_lost = plain && p.row != ScriptPacket::kNoRow && p.command == cmd::send_data;
        p.mismatch_is_finding = plain && p.row != ScriptPacket::kNoRow && p.command == cmd::verify_data;
        if (p.row != ScriptPacket::kNoRow && (p.command == cmd::program_data || p.command == cmd::verify_data ||
                                              p.command == cmd::erase_data))
            open_row_.reset();
        session_->packets.push_back(p);
    }

    int log_index(const std::filesystem::path& p) {
        for (std::size_t i = 0; i < plan_.logs.size(); ++i)
            if (plan_.logs[i] == p) return static_cast<int>(i);
        plan_.logs.push_back(p);
        return static_cast<int>(plan_.logs.size() - 1);
    }

    Scope scope_for(const MtbdfuCommand& c, const Scope& outer) {
        Scope s = outer;
        if (c.flash_row_length) s.row_size = c.flash_row_length;
        if (c.output) s.output = *c.output;
        if (c.out_file) s.log = log_index(*c.out_file);
        if (c.timeout) s.timeout = *c.timeout;
        if (c.retries) s.retries = *c.retries;
        if (c.reconnect) s.reconnect = *c.reconnect;
        if (c.data_file) {
            if (!s.row_size)
                fail(c.json_path, "a dataFile needs flashRowLength here, above, or in APPInfo (or --row-size)");
            const std::uint32_t row = *s.row_size;
            if (row < 8 || row > kMaxScriptRowLength || (row & (row - 1)) != 0)
                fail(c.json_path, fmt::format("flashRowLength 0x{:X} is not a power of two from 8 to 0x{:X} ({})", row,
                                              kMaxScriptRowLength, kMaxScriptRowLength));
            auto cur = std::make_shared<Cursor>();
            cur->declared_at = c.json_path;
            cur->file = c.data_file->path.string();
            cur->row_size = row;
            const formats::SparseImage& image = *c.data_file->image;
            cur->rows = formats::map_to_rows(image, row, 0x00);
            if (c.offset) {
                const std::uint64_t start = std::uint64_t{image.lowest()} + *c.offset;
                if (start % row != 0)
                    fail(c.json_path, fmt::format("offset 0x{:X} puts the start at 0x{:08X}, not on a 0x{:X}-byte row",
                                                  *c.offset, start, row));
                std::erase_if(cur->rows, [&](const formats::Row& r) { return r.address < start; });
            }
            s.cursor = std::move(cur);
        } else if (c.offset) {
            fail(c.json_path, "offset needs a dataFile on the same object");
        }
        return s;
    }

    // Pauses and command-set repetitions send nothing themselves, so the packet count cannot
    // bound them: a set of pauses repeated 2^40 times would never finish planning.
    void step(const MtbdfuCommand& c) {
        if (++steps_ > options_.max_packets) step_limit(c);
    }
    [[noreturn]] void step_limit(const MtbdfuCommand& c) const {
        fail(c.json_path, fmt::format("the pauses and command sets repeat more than {} times in all; reduce "
                                      "repeat counts",
                                      options_.max_packets));
    }

    // A pause inside a repeated set is paid on every repetition, and the parser allows pauses of
    // 136 years: the sum saturates instead of overflowing.
    void add_delay(std::chrono::microseconds d) {
        constexpr auto kMax = kMaxScriptDelay;
        pending_delay_ = pending_delay_ > kMax - d ? kMax : pending_delay_ + d;
    }

    void expand(const MtbdfuCommand& c, const Scope& outer) {
        if (c.delay_only) {
            step(c);
            add_delay(*c.delay);
            return;
        }
        const Scope s = scope_for(c, outer);
        if (c.delay) add_delay(*c.delay);
        if (c.repeat_eof && !s.cursor) fail(c.json_path, "repeat EoF needs a dataFile here or above");
        const std::uint32_t reps = c.repeat_eof ? UINT32_MAX : c.repeat.value_or(1);
        for (std::uint32_t r = 0; r < reps; ++r) {
            if (c.repeat_eof && s.cursor->done()) break;
            const std::size_t row_before = s.cursor ? s.cursor->row : 0;
            const std::size_t offset_before = s.cursor ? s.cursor->offset : 0;
            if (c.is_group()) {
                step(c);
                group_starts_.push_back(session_->packets.size());
                for (const auto& child : c.command_set) expand(child, s);
                group_starts_.pop_back();
            } else {
                packet(c, s);
            }
            if (c.repeat_eof && s.cursor->row == row_before && s.cursor->offset == offset_before)
                fail(c.json_path, "repeat EoF, but one repetition takes no bytes of the data file: it would never end");
        }
        if (c.is_group() && s.cursor && s.cursor->offset != 0 && s.cursor != outer.cursor)
            fail(c.json_path, fmt::format("the command set ends in the middle of row 0x{:08X} ({} of {} bytes sent)",
                                          s.cursor->rows[s.cursor->row].address, s.cursor->offset, s.cursor->row_size));
    }

    // The command object's attributes and literal data, made on its first packet and shared
    // by every repetition after (its scope is the same each time: it has one parent chain).
    struct CommandEntry {
        std::uint32_t index = 0;
        Stored literal;
    };
    const CommandEntry& command_entry(const MtbdfuCommand& c, const Scope& s) {
        const auto found = commands_.find(&c);
        if (found != commands_.end()) return found->second;
        ScriptCommand a;
        a.where = c.json_path;
        a.expect_status = c.expect.status.value_or(status::success);
        a.expect_data = c.expect.data;
        a.timeout = s.timeout;
        a.retries = s.retries;
        a.reconnect = s.reconnect;
        a.print_output = s.output;
        a.log = s.log;
        CommandEntry e;
        e.index = add_command(std::move(a));
        if (c.data) {
            if (c.data->size() > kMaxPacketData) fail(c.json_path, "more than 65535 data bytes in one packet");
            e.literal = store(*c.data);
        }
        return commands_.emplace(&c, e).first->second;
    }

    void packet(const MtbdfuCommand& c, const Scope& s) {
        const std::uint8_t code = *c.cmd_id;
        const CommandEntry& entry = command_entry(c, s);
        ScriptPacket p = new_packet(code, entry.index, {});

        const bool takes_data = code == cmd::send_data || code == cmd::send_data_no_response;
        const bool ends_row = code == cmd::program_data || code == cmd::verify_data;
        Cursor* cur = s.cursor.get();
        if (cur && !c.data && (takes_data || ends_row || code == cmd::erase_data)) {
            if (cur->done())
                fail(c.json_path,
                     fmt::format("the data file {} (declared at {}) has no rows left", cur->file, cur->declared_at));
            const formats::Row& row = cur->rows[cur->row];
            p.row = row.address;
            const std::size_t left = row.data.size() - cur->offset;
            const auto rest = std::span<const std::uint8_t>(row.data).subspan(cur->offset);
            Stored data;
            if (takes_data) {
                if (!c.data_length) fail(c.json_path, "dataLength is needed to take bytes from the data file");
                const std::size_t n = *c.data_length;
                if (n > left)
                    fail(c.json_path, fmt::format("takes {} bytes but only {} of the {}-byte row at 0x{:08X} are left: "
                                                  "the command set does not add up to flashRowLength ({} over)",
                                                  n, left, cur->row_size, row.address, n - left));
                data = store(rest.first(n));
                cur->offset += n;
                plan_.data_file_bytes_ += n;
            } else if (ends_row) {
                const std::size_t len = c.data_length.value_or(static_cast<std::uint32_t>(requests::kRowEndHeader + left));
                if (len < requests::kRowEndHeader) fail(c.json_path, "dataLength must be at least 8 (address and CRC-32C)");
                const std::size_t tail = len - requests::kRowEndHeader;
                if (tail != left)
                    fail(c.json_path,
                         fmt::format("the command set sends {} bytes per row before this {} and {} with it, but "
                                     "flashRowLength is {}: {} bytes {}",
                                     cur->offset, command_name(code), tail, cur->row_size,
                                     tail > left ? tail - left : left - tail, tail > left ? "over" : "short"));
                data.at = plan_.bytes.size();
                requests::append_row_end(plan_.bytes, row.address, row.data, rest);
                data.size = static_cast<std::uint16_t>(plan_.bytes.size() - data.at);
                plan_.data_file_bytes_ += tail;
                ++cur->row;
                cur->offset = 0;
            } else {  // Erase Data: the row address
                if (c.data_length && *c.data_length != requests::kEraseSize)
                    fail(c.json_path, "Erase Data carries 4 bytes (the row address)");
                if (cur->offset != 0) fail(c.json_path, "Erase Data in the middle of a row");
                data = {plan_.bytes.size(), requests::kEraseSize};
                requests::append_erase(plan_.bytes, row.address);
                ++cur->row;
            }
            p.data_at = data.at;
            p.data_size = data.size;
        } else {
            p.data_at = entry.literal.at;
            p.data_size = entry.literal.size;
            if (c.data_length && *c.data_length != p.data_size)
                fail(c.json_path, fmt::format("dataLength is {} but {} data bytes are given{}", *c.data_length,
                                              p.data_size, s.cursor ? "" : " (and no dataFile is in scope)"));
        }
        emit(p);
    }

    const formats::Mtbdfu& doc_;
    const ScriptOptions& options_;
    ScriptPlan plan_;
    ScriptSession* session_ = nullptr;
    std::vector<std::size_t> group_starts_;
    // The data-file row whose packets are being emitted, until its Program/Verify/Erase Data.
    struct OpenRow {
        std::uint32_t address = 0;
        std::size_t first = 0;  // its first packet in the session
    };
    std::optional<OpenRow> open_row_;
    std::chrono::microseconds pending_delay_{0};
    std::size_t count_ = 0;
    std::size_t steps_ = 0;
    std::unordered_map<const MtbdfuCommand*, CommandEntry> commands_;
};

}  // namespace

ScriptPlan plan_script(const formats::Mtbdfu& doc, const ScriptOptions& options) {
    return Planner(doc, options).run();
}

}  // namespace dfu
