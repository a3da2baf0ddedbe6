#pragma once
// An MCP2221A as its datasheet (DS20005565, section 3.1) describes it from the USB
// side, with a BusTarget on its I2C pins. Written from the report tables, not from the
// host driver: byte indexes below are the datasheet's (the chip's byte 0 is the
// command code; hidapi puts the 0x00 report ID in front of it).
#include <optional>
#include <string>

#include "bus_target.hpp"
#include "emulated_hid.hpp"

namespace testsupport {

class EmulatedMcp2221 final : public EmulatedHid {
public:
    // I2C engine states (Microchip's support library names them; the datasheet only
    // shows the byte).
    static constexpr std::uint8_t kIdle = 0x00;
    static constexpr std::uint8_t kAddressNack = 0x25;
    static constexpr std::uint8_t kWriting = 0x41;       // WRITEDATA_WAITSEND
    static constexpr std::uint8_t kWriteTimeout = 0x44;  // WRITEDATA_TOUT
    static constexpr std::uint8_t kReadWait = 0x54;      // READDATA_WAIT
    static constexpr std::uint8_t kReadReady = 0x55;     // READDATA_WAITGET

    EmulatedMcp2221(BusTarget& target, std::uint8_t address7 = 0x0C) : target_(target), address_(address7) {}

    // ---- knobs ----
    unsigned busy_answers_per_write_report = 0;  // "engine busy" before each I2C Write Data report is taken
    unsigned status_polls_until_written = 1;     // Status polls seeing the write still on the bus
    unsigned get_data_not_ready = 0;             // Get I2C Data "not yet" answers after each read
    std::optional<std::uint8_t> write_ends_in;   // a write ends in this engine state (a bus timeout)
    bool cancel_frees_engine = true;

    // ---- what the host did ----
    std::uint8_t divider = 0;
    unsigned cancels = 0;
    std::vector<std::pair<std::uint16_t, std::size_t>> write_reports;  // (requested length, data bytes taken)
    std::string protocol_error;                                        // set when the host broke the datasheet's rules

    void set_engine_state(std::uint8_t s) { state_ = s; }
    std::uint8_t engine_state() const { return state_; }

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
            case 0x10:
                status(c, r);
                break;
            case 0x90:
                write_data(c, r);
                break;
            case 0x91:
                read_data(c, r);
                break;
            case 0x40:
                get_data(r);
                break;
            default:
                r[1] = 0xFF;
                protocol_error = "unknown command";
                break;
        }
        answer(std::move(r));
    }

private:
    void status(const std::uint8_t* c, Bytes& r) {
        if (c[2] == 0x10) {  // cancel the current I2C transfer
            ++cancels;
            if (state_ != kIdle) {
                r[2] = 0x10;
                if (cancel_frees_engine) reset_engine();
            } else {
                r[2] = 0x11;
            }
        }
        if (c[3] == 0x20) {  // set speed: byte 4 is the divider
            if (state_ != kIdle) {
                r[3] = 0x21;
            } else {
                divider = c[4];
                r[3] = 0x20;
                r[4] = c[4];
            }
        }
        if (state_ == kWriting) {
            if (write_polls_left_ > 0)
                --write_polls_left_;
            else
                state_ = kIdle;
        }
        r[8] = state_;
        r[9] = static_cast<std::uint8_t>(requested_ & 0xFF);
        r[10] = static_cast<std::uint8_t>(requested_ >> 8);
        r[14] = divider;
    }

    void write_data(const std::uint8_t* c, Bytes& r) {
        const std::uint16_t total = static_cast<std::uint16_t>(c[1] | c[2] << 8);
        const bool continuing = collecting_ && total == requested_ && c[3] == write_address_;
        if ((state_ != kIdle && !continuing) || busy_given_ < busy_answers_per_write_report) {
            if (state_ == kIdle || continuing) ++busy_given_;
            r[1] = 0x01;  // engine busy: command not completed
            r[2] = state_;
            return;
        }
        busy_given_ = 0;
        if (!continuing) {
            if (total == 0 || (c[3] & 1) != 0) protocol_error = "I2C Write Data with no length or a read address";
            requested_ = total;
            write_address_ = c[3];
            collected_.clear();
            collecting_ = true;
            state_ = 0x40;
        }
        const std::size_t take = std::min<std::size_t>(60, requested_ - collected_.size());
        collected_.insert(collected_.end(), c + 4, c + 4 + take);
        write_reports.emplace_back(total, take);
        r[1] = 0x00;
        r[2] = state_;
        if (collected_.size() < requested_) return;
        collecting_ = false;
        if ((write_address_ >> 1) != address_) {
            state_ = kAddressNack;
        } else if (write_ends_in) {
            state_ = *write_ends_in;
        } else {
            target_.write(collected_);
            state_ = kWriting;
            write_polls_left_ = status_polls_until_written;
        }
    }

    void read_data(const std::uint8_t* c, Bytes& r) {
        if (state_ != kIdle) {
            r[1] = 0x01;
            r[2] = state_;
            return;
        }
        const std::uint16_t n = static_cast<std::uint16_t>(c[1] | c[2] << 8);
        if (n == 0 || (c[3] & 1) == 0) protocol_error = "I2C Read Data with no length or a write address";
        requested_ = n;
        r[1] = 0x00;
        r[2] = state_;
        read_back_.assign(n, 0);
        read_at_ = 0;
        if ((c[3] >> 1) != address_ || !target_.read(read_back_)) {
            state_ = kAddressNack;
            read_back_.clear();
            return;
        }
        not_ready_left_ = get_data_not_ready;
        state_ = not_ready_left_ > 0 ? kReadWait : kReadReady;
    }

    void get_data(Bytes& r) {
        if (state_ == kReadWait) {  // still clocking the data in
            r[1] = 0x41;
            r[2] = state_;
            r[3] = 127;
            if (--not_ready_left_ == 0) state_ = kReadReady;
            return;
        }
        if (state_ != kReadReady) {
            r[1] = 0x41;  // error reading the I2C slave data
            r[2] = state_;
            r[3] = 127;
            return;
        }
        const std::size_t n = std::min<std::size_t>(60, read_back_.size() - read_at_);
        r[1] = 0x00;
        r[2] = state_;
        r[3] = static_cast<std::uint8_t>(n);
        std::copy_n(read_back_.begin() + static_cast<std::ptrdiff_t>(read_at_), n, r.begin() + 4);
        read_at_ += n;
        if (read_at_ >= read_back_.size()) reset_engine();
    }

    void reset_engine() {
        state_ = kIdle;
        collecting_ = false;
        collected_.clear();
        read_back_.clear();
        read_at_ = 0;
        busy_given_ = 0;
    }

    BusTarget& target_;
    std::uint8_t address_;
    std::uint8_t state_ = kIdle;
    std::uint16_t requested_ = 0;
    bool collecting_ = false;
    std::uint8_t write_address_ = 0;
    Bytes collected_;
    unsigned write_polls_left_ = 0;
    unsigned busy_given_ = 0;
    Bytes read_back_;
    std::size_t read_at_ = 0;
    unsigned not_ready_left_ = 0;
};

}  // namespace testsupport
