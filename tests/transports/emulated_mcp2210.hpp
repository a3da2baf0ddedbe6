#pragma once
// An MCP2210 as its datasheet (DS22288, section 3) describes it from the USB side,
// with a BusTarget on its SPI pins behind one chip select. Byte indexes are the
// datasheet's: the chip's byte 0 is the command code (hidapi puts a 0x00 report ID in
// front). Written from the report tables, not from the host driver.
#include <array>
#include <string>

#include "bus_target.hpp"
#include "emulated_hid.hpp"

namespace testsupport {

class EmulatedMcp2210 final : public EmulatedHid {
public:
    explicit EmulatedMcp2210(BusTarget& target) : target_(target) {
        designation_.fill(0x00);  // GPIO
        designation_[0] = 0x01;   // GP0 is a chip select
        // Power-up SPI transfer settings (bytes 4..20 of the settings structure).
        put32(4, 1000000);
        put16(8, 0x01FF);
        put16(10, 0x0000);
        put16(18, 4);
        settings_[20] = 0;
    }

    // ---- knobs ----
    std::array<std::uint8_t, 9> designation_;  // GP0..GP8: 0x00 GPIO, 0x01 chip select, 0x02 dedicated
    unsigned in_progress_answers = 0;          // 0xF8 answers before each data-carrying report is taken
    unsigned external_master_answers = 0;      // 0xF7 answers before the next transfer report is taken
    unsigned started_answers = 1;              // 0x20 "started, no data" answers after a transaction is clocked

    // ---- what the host did ----
    std::string protocol_error;
    unsigned cancels = 0;
    std::vector<std::size_t> transactions;  // length of each chip-select assertion
    std::uint8_t selected_cs = 0xFF;        // CS line the last transaction drove low

    std::uint32_t bit_rate() const {
        return std::uint32_t{settings_[4]} | std::uint32_t{settings_[5]} << 8 | std::uint32_t{settings_[6]} << 16 |
               std::uint32_t{settings_[7]} << 24;
    }
    std::uint8_t mode() const { return settings_[20]; }
    std::uint16_t bytes_per_transaction() const { return get16(18); }
    // Start a transaction the host never finishes (a killed session).
    void leave_transfer_running() { mosi_.assign(1, 0x00); }

protected:
    void on_output(const Bytes& report) override {
        if (report.size() != 65 || report[0] != 0x00) {
            protocol_error = "output report is not 0x00 + 64 bytes";
            return;
        }
        const std::uint8_t* c = report.data() + 1;
        Bytes r(64, 0);
        r[0] = c[0];
        switch (c[0]) {
            case 0x11:  // cancel the current SPI transfer
                ++cancels;
                mosi_.clear();
                miso_.clear();
                r[1] = 0x00;
                break;
            case 0x20:  // get (VM) chip settings
                r[1] = 0x00;
                std::copy(designation_.begin(), designation_.end(), r.begin() + 4);
                break;
            case 0x41:  // get (VM) SPI transfer settings
                r[1] = 0x00;
                r[2] = 0x11;  // size of the structure: 17
                std::copy(settings_.begin() + 4, settings_.begin() + 21, r.begin() + 4);
                break;
            case 0x40:
                set_settings(c, r);
                break;
            case 0x42:
                transfer(c, r);
                break;
            default:
                r[1] = 0xF9;
                protocol_error = "unknown command";
                break;
        }
        answer(std::move(r));
    }

private:
    void set_settings(const std::uint8_t* c, Bytes& r) {
        if (busy()) {
            r[1] = 0xF8;
            return;
        }
        std::copy(c + 4, c + 21, settings_.begin() + 4);
        r[1] = 0x00;
        std::copy(settings_.begin() + 4, settings_.begin() + 21, r.begin() + 4);
    }

    void transfer(const std::uint8_t* c, Bytes& r) {
        const std::size_t n = c[1];
        if (n > 60) protocol_error = "Transfer SPI Data with more than 60 bytes";
        if (external_master_answers > 0) {
            --external_master_answers;
            r[1] = 0xF7;
            return;
        }
        if (n > 0 && !miso_.empty()) {
            r[1] = 0xF8;  // the last transaction's data is still being handed back
            return;
        }
        if (n > 0 && in_progress_given_ < in_progress_answers) {
            ++in_progress_given_;
            r[1] = 0xF8;
            return;
        }
        in_progress_given_ = 0;
        r[1] = 0x00;
        if (n > 0) {
            const std::size_t size = bytes_per_transaction();
            if (mosi_.size() + n > size) protocol_error = "more SPI data than bytes per transaction";
            mosi_.insert(mosi_.end(), c + 4, c + 4 + n);
            if (mosi_.size() < size) {
                r[3] = 0x20;  // started, nothing received to hand back yet
                return;
            }
            clock_transaction();
            started_left_ = started_answers;
        }
        if (miso_.empty() && mosi_.empty()) {
            protocol_error = "Transfer SPI Data with no transaction going";
            r[3] = 0x10;
            return;
        }
        if (started_left_ > 0 || miso_.empty()) {
            if (started_left_ > 0) --started_left_;
            r[3] = 0x20;
            return;
        }
        const std::size_t k = std::min<std::size_t>(60, miso_.size());
        r[2] = static_cast<std::uint8_t>(k);
        std::copy_n(miso_.begin(), k, r.begin() + 4);
        miso_.erase(miso_.begin(), miso_.begin() + static_cast<std::ptrdiff_t>(k));
        r[3] = miso_.empty() ? 0x10 : 0x30;
    }

    // Chip select asserted for the whole frame, released at its end: the target sees one
    // write transaction, or, when the host only clocked 0xFF, one read.
    void clock_transaction() {
        const std::uint16_t idle = get16(8);
        const std::uint16_t active = get16(10);
        selected_cs = 0xFF;
        for (std::uint8_t i = 0; i < 9; ++i)
            if (designation_[i] == 0x01 && (idle >> i & 1) == 1 && (active >> i & 1) == 0) selected_cs = i;
        if (selected_cs == 0xFF) protocol_error = "no chip select goes low during the transaction";
        transactions.push_back(mosi_.size());
        miso_.assign(mosi_.size(), 0xFF);
        if (std::all_of(mosi_.begin(), mosi_.end(), [](std::uint8_t b) { return b == 0xFF; }))
            target_.read(miso_);
        else
            target_.write(mosi_);
        mosi_.clear();
    }

    bool busy() const { return !mosi_.empty() || !miso_.empty(); }
    void put16(std::size_t at, std::uint16_t v) {
        settings_[at] = static_cast<std::uint8_t>(v & 0xFF);
        settings_[at + 1] = static_cast<std::uint8_t>(v >> 8);
    }
    void put32(std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            settings_[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    }
    std::uint16_t get16(std::size_t at) const {
        return static_cast<std::uint16_t>(settings_[at] | settings_[at + 1] << 8);
    }

    BusTarget& target_;
    std::array<std::uint8_t, 21> settings_{};
    Bytes mosi_;
    Bytes miso_;
    unsigned in_progress_given_ = 0;
    unsigned started_left_ = 0;
};

}  // namespace testsupport
