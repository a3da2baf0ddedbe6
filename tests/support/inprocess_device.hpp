#pragma once
// The device-firmware responder core behind the host's Transport interface, in one
// process: engine tests run against the real device logic with no pty and no timing,
// and can damage packets on the way in or out.
#include <algorithm>
#include <deque>
#include <functional>
#include <stdexcept>
#include <vector>

#include "dfu_responder.h"
#include "transports/transport.hpp"

namespace testsupport {

class InProcessDevice final : public dfu::transports::Transport {
public:
    // extra_data: a success answer that carries 4 data bytes where the command returns none.
    // damage_end: the request's end byte arrives changed (the device answers ERROR_DATA).
    // corrupt_request_lose_response: the request arrives damaged and the error answer is lost.
    // late_answer_first: a data-less success (the late answer to an earlier request) comes
    // just before this request's own answer; late_enter_answer_first: the same with the
    // 8 data bytes of an Enter DFU answer.
    enum class Fault {
        none,
        lose_request,
        lose_response,
        corrupt_response,
        corrupt_request,
        extra_data,
        damage_end,
        corrupt_request_lose_response,
        late_answer_first,
        late_enter_answer_first
    };
    // Called per packet sent by the host (0-based count) to decide its fate.
    using FaultPlan = std::function<Fault(std::size_t index, const std::vector<std::uint8_t>& packet)>;

    explicit InProcessDevice(dfu_config cfg, std::uint8_t erased = 0x00) : erased_(erased) {
        flash_.assign(cfg.flash_size, erased);
        dfu_flash_port port{this, &InProcessDevice::read, &InProcessDevice::write_row, &InProcessDevice::erase_row};
        base_ = cfg.flash_base;
        if (dfu_init(&responder_, &cfg, &port) != 0) throw std::runtime_error("dfu_init rejected the config");
        caps_.max_packet = 0xFFFF + 7;
    }

    static dfu_config default_config() {
        dfu_config c;
        dfu_config_defaults(&c);
        c.flash_size = 64 * 1024;
        c.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
        c.error_holdoff_ms = 0;  // no wall clock here: the engine's settle wait is real time
        return c;
    }

    void set_fault_plan(FaultPlan plan) { plan_ = std::move(plan); }
    // The largest packet the wire carries (a bridge's transaction, say).
    void set_max_packet(std::size_t bytes) { caps_.max_packet = bytes; }
    std::vector<std::uint8_t>& flash() { return flash_; }
    const std::vector<std::vector<std::uint8_t>>& sent() const { return sent_; }
    // How many packets with command `code` the host sent.
    std::size_t sent_count(std::uint8_t code) const {
        return static_cast<std::size_t>(
            std::count_if(sent_.begin(), sent_.end(), [code](const auto& p) { return p.size() > 1 && p[1] == code; }));
    }
    int state() const { return dfu_state(&responder_); }
    // Answers sent that the host has not read (nor discarded).
    std::size_t unread() const { return pending_.size(); }

    const dfu::transports::Capabilities& capabilities() const noexcept override { return caps_; }
    std::string description() const override { return "in-process responder"; }

    void send(std::span<const std::uint8_t> packet, dfu::transports::Reply) override {
        std::vector<std::uint8_t> p(packet.begin(), packet.end());
        const Fault f = plan_ ? plan_(sent_.size(), p) : Fault::none;
        sent_.push_back(p);
        counters_.bytes_sent += p.size();
        ++counters_.packets_sent;
        if (f == Fault::lose_request) return;
        if (f == Fault::corrupt_request || f == Fault::corrupt_request_lose_response) p[p.size() / 2] ^= 0x40;
        if (f == Fault::damage_end) p.back() ^= 0x01;
        std::uint8_t rsp[1024];
        const std::size_t n = dfu_handle_packet(&responder_, p.data(), p.size(), now_ms_, rsp, sizeof rsp);
        if (n == 0 || f == Fault::lose_response || f == Fault::corrupt_request_lose_response) return;
        std::vector<std::uint8_t> r(rsp, rsp + n);
        if (f == Fault::corrupt_response) r[r.size() - 3] ^= 0x01;
        if (f == Fault::extra_data) {
            const std::uint8_t extra[4] = {0xDE, 0xAD, 0xBE, 0xEF};
            const std::size_t len =
                dfu_build_packet(r[1], extra, sizeof extra, responder_.cfg.checksum_type, rsp, sizeof rsp);
            r.assign(rsp, rsp + len);
        }
        if (f == Fault::late_answer_first || f == Fault::late_enter_answer_first) {
            const std::uint8_t identity[8] = {0, 0, 0, 0, 0, 1, 2, 5};  // silicon ID, revision, loader version
            const std::size_t len = dfu_build_packet(0x00, identity, f == Fault::late_answer_first ? 0 : sizeof identity,
                                                     responder_.cfg.checksum_type, rsp, sizeof rsp);
            pending_.emplace_back(rsp, rsp + len);
        }
        pending_.push_back(std::move(r));
    }

    bool receive(std::vector<std::uint8_t>& frame, dfu::transports::Clock::time_point) override {
        if (pending_.empty()) return false;  // the deadline is "now": nothing more will come
        frame = std::move(pending_.front());
        pending_.pop_front();
        counters_.bytes_received += frame.size();
        return true;
    }

    void discard_input() override { pending_.clear(); }
    const dfu::transports::Counters& counters() const noexcept override { return counters_; }

private:
    static int read(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len) {
        auto* self = static_cast<InProcessDevice*>(ctx);
        std::copy_n(self->flash_.begin() + (addr - self->base_), len, dst);
        return 0;
    }
    static int write_row(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len) {
        auto* self = static_cast<InProcessDevice*>(ctx);
        std::copy_n(src, len, self->flash_.begin() + (addr - self->base_));
        return 0;
    }
    static int erase_row(void* ctx, uint32_t addr) {
        auto* self = static_cast<InProcessDevice*>(ctx);
        std::fill_n(self->flash_.begin() + (addr - self->base_), self->responder_.cfg.row_size, self->erased_);
        return 0;
    }

    dfu_responder responder_{};
    std::vector<std::uint8_t> flash_;
    std::uint32_t base_ = 0;
    std::uint8_t erased_;
    std::uint32_t now_ms_ = 0;
    dfu::transports::Capabilities caps_;
    dfu::transports::Counters counters_;
    FaultPlan plan_;
    std::vector<std::vector<std::uint8_t>> sent_;
    std::deque<std::vector<std::uint8_t>> pending_;
};

}  // namespace testsupport
