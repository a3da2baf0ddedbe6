#pragma once
// A CP2112 as Silicon Labs AN495 describes its reports, with a BusTarget on its SMBus
// pins. Numbered reports: the report ID is byte 0 both ways. Written from the report
// tables, not from the host driver.
#include <optional>
#include <string>

#include "bus_target.hpp"
#include "emulated_hid.hpp"

namespace testsupport {

class EmulatedCp2112 final : public EmulatedHid {
public:
    EmulatedCp2112(BusTarget& target, std::uint8_t address7 = 0x0C) : target_(target), address_(address7) {
        // Power-up SMBus configuration: 100 kHz, own address 0x02, auto send read on,
        // no timeouts, no retry limit.
        config_ = {0x06, 0x00, 0x01, 0x86, 0xA0, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    }

    // ---- knobs ----
    unsigned busy_polls = 1;                // Transfer Status "busy" answers before each transfer ends
    std::optional<std::uint8_t> fail_with;  // Status 1 of a "complete with error" for every transfer
    std::size_t read_responses_split = 61;  // data bytes per Data Read Response report

    // ---- what the host did ----
    std::string protocol_error;
    unsigned cancels = 0;
    unsigned status_requests = 0;
    std::vector<std::size_t> write_lengths;

    const Bytes& config() const { return config_; }
    std::uint32_t clock_hz() const {
        return std::uint32_t{config_[1]} << 24 | std::uint32_t{config_[2]} << 16 | std::uint32_t{config_[3]} << 8 |
               config_[4];
    }
    bool auto_send_read() const { return config_[6] != 0; }
    std::uint16_t retry_time() const { return static_cast<std::uint16_t>(config_[12] << 8 | config_[13]); }
    std::uint16_t read_timeout_ms() const { return static_cast<std::uint16_t>(config_[9] << 8 | config_[10]); }

protected:
    void on_output(const Bytes& r) override {
        switch (r.at(0)) {
            case 0x14:
                data_write(r);
                break;
            case 0x10:
                data_read_request(r);
                break;
            case 0x12:
                force_send(r);
                break;
            case 0x15:
                if (r.size() < 2 || r[1] != 0x01) protocol_error = "Transfer Status Request without 0x01";
                status_response();
                break;
            case 0x17:
                if (r.size() < 2 || r[1] != 0x01) protocol_error = "Cancel Transfer without 0x01";
                ++cancels;
                s0_ = 0x00;
                read_back_.clear();
                break;
            default:
                protocol_error = "unknown output report";
                break;
        }
    }

    void on_set_feature(const Bytes& r) override {
        if (r.at(0) != 0x06 || r.size() != 14) {
            protocol_error = "SMBus Configuration is report 0x06 with 13 bytes";
            return;
        }
        config_ = r;
    }

    Bytes on_get_feature(std::uint8_t id) override { return id == 0x06 ? config_ : Bytes{}; }

private:
    void data_write(const Bytes& r) {
        const std::size_t n = r.at(2);
        if (r.size() > 64 || n < 1 || n > 61 || r.size() < 3 + n) {
            protocol_error = "Data Write length outside 1..61";
            return;
        }
        write_lengths.push_back(n);
        if (!address_byte_valid(r[1])) return;
        start_transfer();
        if (fail_with) return;
        if ((r[1] >> 1) != address_) {
            end_with_error(0x00);
            return;
        }
        target_.write(std::span(r).subspan(3, n));
        bytes_read_ = 0;
    }

    // The chip takes the 7-bit address in bits 7..1 and sets the R/W bit itself: AN496 gives
    // 0x02..0xFE, bit 0 zero, for every transfer's slave address.
    bool address_byte_valid(std::uint8_t a) {
        if ((a & 1) == 0) return true;
        protocol_error = "slave address byte with bit 0 set";
        return false;
    }

    void data_read_request(const Bytes& r) {
        if (auto_send_read()) protocol_error = "read requested with auto send read on";
        const std::size_t n = static_cast<std::size_t>(r.at(2) << 8 | r.at(3));
        if (n < 1 || n > 512) {
            protocol_error = "Data Read Request length outside 1..512";
            return;
        }
        if (!address_byte_valid(r[1])) return;
        start_transfer();
        if (fail_with) return;
        read_back_.assign(n, 0);
        if ((r[1] >> 1) != address_ || !target_.read(read_back_)) {
            read_back_.clear();
            end_with_error(0x00);  // timeout: address not acknowledged
            return;
        }
        bytes_read_ = static_cast<std::uint16_t>(n);
    }

    void force_send(const Bytes& r) {
        std::size_t n = static_cast<std::size_t>(r.at(1) << 8 | r.at(2));
        n = std::min(n, read_back_.size());
        std::size_t at = 0;
        do {
            const std::size_t k = std::min({n - at, read_responses_split, std::size_t{61}});
            Bytes resp(64, 0);
            resp[0] = 0x13;
            resp[1] = 0x02;  // complete
            resp[2] = static_cast<std::uint8_t>(k);
            std::copy_n(read_back_.begin() + static_cast<std::ptrdiff_t>(at), k, resp.begin() + 3);
            answer(std::move(resp));
            at += k;
        } while (at < n);
        read_back_.erase(read_back_.begin(), read_back_.begin() + static_cast<std::ptrdiff_t>(n));
    }

    void status_response() {
        ++status_requests;
        if (s0_ == 0x01) {
            if (busy_left_ > 0) {
                --busy_left_;
            } else if (fail_with) {
                end_with_error(*fail_with);
            } else {
                s0_ = 0x02;
                s1_ = 0x05;  // succeeded
            }
        }
        answer({0x16, s0_, s1_, 0x00, 0x00, static_cast<std::uint8_t>(bytes_read_ >> 8),
                static_cast<std::uint8_t>(bytes_read_ & 0xFF)});
    }

    void start_transfer() {
        s0_ = 0x01;  // busy
        s1_ = 0x00;  // address acknowledged
        busy_left_ = busy_polls;
    }

    void end_with_error(std::uint8_t status1) {
        s0_ = 0x03;
        s1_ = status1;
        busy_left_ = 0;
        bytes_read_ = 0;
    }

    BusTarget& target_;
    std::uint8_t address_;
    Bytes config_;
    std::uint8_t s0_ = 0x00;
    std::uint8_t s1_ = 0x00;
    unsigned busy_left_ = 0;
    std::uint16_t bytes_read_ = 0;
    Bytes read_back_;
};

}  // namespace testsupport
