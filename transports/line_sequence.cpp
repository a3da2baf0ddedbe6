#include "transports/line_sequence.hpp"

#include <fmt/format.h>

#include <thread>

namespace dfu::transports {

namespace {

class LineSequenceStream final : public ByteStream {
public:
    LineSequenceStream(std::unique_ptr<ByteStream> inner, std::vector<LineStep> after)
        : inner_(std::move(inner)), after_(std::move(after)) {}
    ~LineSequenceStream() override {
        try {
            run_line_steps(*inner_, after_);
        } catch (const std::exception&) {
            // The port has gone (unplugged) or refuses: nothing is left to reset.
        }
    }

    void write_all(std::span<const std::uint8_t> bytes) override { inner_->write_all(bytes); }
    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        return inner_->read_some(buffer, deadline);
    }
    void flush_input() override { inner_->flush_input(); }
    std::chrono::microseconds wire_time(std::size_t bytes) const noexcept override { return inner_->wire_time(bytes); }
    std::string description() const override { return inner_->description(); }
    std::string setup_note() const override { return inner_->setup_note(); }
    void set_modem_line(bool dtr, bool on) override { inner_->set_modem_line(dtr, on); }

private:
    std::unique_ptr<ByteStream> inner_;
    std::vector<LineStep> after_;
};

}  // namespace

void run_line_steps(ByteStream& stream, const std::vector<LineStep>& steps) {
    for (const LineStep& step : steps) {
        switch (step.kind) {
            case LineStep::Kind::dtr: stream.set_modem_line(true, step.value != 0); break;
            case LineStep::Kind::rts: stream.set_modem_line(false, step.value != 0); break;
            // The wait the user asked for: the board's reset circuit, not the protocol, sets it.
            case LineStep::Kind::wait_ms: std::this_thread::sleep_for(std::chrono::milliseconds(step.value)); break;
        }
    }
}

std::unique_ptr<ByteStream> with_line_sequences(std::unique_ptr<ByteStream> stream, std::vector<LineStep> before,
                                                std::vector<LineStep> after) {
    try {
        run_line_steps(*stream, before);
    } catch (const IoError& e) {
        throw OpenError(fmt::format("--before: {}", e.what()));
    }
    return std::make_unique<LineSequenceStream>(std::move(stream), std::move(after));
}

}  // namespace dfu::transports
