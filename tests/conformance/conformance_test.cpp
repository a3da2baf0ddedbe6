// Plays tests/conformance/middleware.corpus (what Infineon's DFU middleware 5.2 answers; the
// format is described at its top) against a device over a real pseudo-terminal: dfu-sim
// --preset middleware, and the firmware under QEMU (scripts/qemu-dfu.sh --preset middleware;
// reported as skipped when QEMU or the firmware is missing). Every case starts a fresh device,
// once per packet checksum. The answers are compared byte for byte.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "device_test_util.hpp"
#include "process.hpp"
#include "raw_port.hpp"

using namespace std::chrono_literals;
using devtest::Bytes;

namespace {

// One step of a case: a write, the answers expected to it, or a pause.
struct Step {
    enum Kind { send, expect, expect_none, wait } kind;
    int line = 0;
    // send: packets (framed with the run's checksum) or raw bytes, in one write
    std::vector<std::pair<bool, Bytes>> parts;  // (framed, bytes: code + data when framed)
    Bytes answer;                               // expect: status + data, framed with the run's checksum
    int ms = 0;                                 // wait
};

struct Case {
    std::string name;
    int line = 0;
    std::vector<Step> steps;
};

[[noreturn]] void corpus_error(int line, const std::string& what) {
    throw std::runtime_error(std::string(CORPUS_FILE) + ":" + std::to_string(line) + ": " + what);
}

// "HH" or "HH*N" tokens.
Bytes hex_bytes(std::istringstream& in, int line) {
    Bytes out;
    for (std::string tok; in >> tok;) {
        std::size_t count = 1;
        const std::size_t star = tok.find('*');
        if (star != std::string::npos) {
            count = std::stoul(tok.substr(star + 1));
            tok = tok.substr(0, star);
        }
        if (tok.size() != 2 || !std::isxdigit(static_cast<unsigned char>(tok[0])) ||
            !std::isxdigit(static_cast<unsigned char>(tok[1])))
            corpus_error(line, "'" + tok + "' is not a hex byte");
        out.insert(out.end(), count, static_cast<std::uint8_t>(std::stoul(tok, nullptr, 16)));
    }
    return out;
}

std::vector<Case> load_corpus() {
    std::ifstream in(CORPUS_FILE);
    if (!in) throw std::runtime_error(std::string("cannot read ") + CORPUS_FILE);
    std::vector<Case> cases;
    int n = 0;
    for (std::string raw; std::getline(in, raw);) {
        ++n;
        const std::string text = raw.substr(0, raw.find('#'));
        std::istringstream line(text);
        std::string head;
        if (!(line >> head)) continue;
        if (head == "case") {
            std::string name;
            std::getline(line, name);
            cases.push_back(Case{name.substr(name.find_first_not_of(' ')), n, {}});
            continue;
        }
        if (cases.empty()) corpus_error(n, "a step before the first case");
        Step st{Step::wait, n, {}, {}, 0};
        if (head == ">") {
            st.kind = Step::send;
            std::string rest;
            std::getline(line, rest);
            std::istringstream parts(rest);
            for (std::string part; std::getline(parts, part, '|');) {
                std::istringstream p(part);
                std::string first;
                if (!(p >> first)) corpus_error(n, "an empty request");
                const bool framed = first != "raw";
                std::istringstream all(framed ? part : part.substr(part.find("raw") + 3));
                st.parts.emplace_back(framed, hex_bytes(all, n));
            }
        } else if (head == "<") {
            std::string first;
            const std::streampos at = line.tellg();
            if ((line >> first) && first == "none") {
                st.kind = Step::expect_none;
            } else {
                line.clear();
                line.seekg(at);
                st.kind = Step::expect;
                st.answer = hex_bytes(line, n);
                if (st.answer.empty()) corpus_error(n, "an answer needs a status byte");
            }
        } else if (head == "wait") {
            if (!(line >> st.ms)) corpus_error(n, "wait needs milliseconds");
        } else {
            corpus_error(n, "unknown step '" + head + "'");
        }
        cases.back().steps.push_back(std::move(st));
    }
    return cases;
}

std::string hex(const Bytes& b) {
    std::string s;
    char buf[4];
    for (auto v : b) {
        std::snprintf(buf, sizeof buf, "%02X ", v);
        s += buf;
    }
    return s;
}

// Plays one case on a device that `start` brings up fresh; returns a description of the first
// difference, or "" when every answer was the expected one.
std::string play(const Case& c, int checksum, const std::string& pty, int wait_factor) {
    testsupport::RawPort port(pty);
    for (const Step& st : c.steps) {
        const std::string where = "line " + std::to_string(st.line) + ": ";
        switch (st.kind) {
            case Step::send: {
                Bytes out;
                for (const auto& [framed, bytes] : st.parts) {
                    const Bytes b = framed ? devtest::packet(bytes[0], Bytes(bytes.begin() + 1, bytes.end()), checksum)
                                           : bytes;
                    out.insert(out.end(), b.begin(), b.end());
                }
                if (!port.send(out)) return where + "the write failed";
                break;
            }
            case Step::expect: {
                const Bytes want =
                    devtest::packet(st.answer[0], Bytes(st.answer.begin() + 1, st.answer.end()), checksum);
                const Bytes got = port.read_n(want.size(), 3s);
                if (got != want) return where + "expected " + hex(want) + "\n  got      " + hex(got);
                break;
            }
            case Step::expect_none: {
                const Bytes got = port.read_n(1, 100ms);
                if (!got.empty()) return where + "expected no answer, got " + hex(devtest::cat(got, port.read_n(600, 100ms)));
                break;
            }
            case Step::wait:
                std::this_thread::sleep_for(std::chrono::milliseconds(st.ms * wait_factor));
                break;
        }
    }
    const Bytes extra = port.read_n(600, 50ms);
    return extra.empty() ? "" : "after the last step, unexpected bytes: " + hex(extra);
}

// Every case of the corpus, fresh device each, for both checksums.
// wait_factor stretches the corpus's pauses for a device whose clock may fall behind.
template <typename Start>  // (const TempDir&, const char* checksum) -> Simulator
void run_corpus(const Start& start, int wait_factor) {
    const std::vector<Case> cases = load_corpus();
    REQUIRE(cases.size() >= 20);
    for (const char* checksum : {"sum", "crc16"}) {
        for (const Case& c : cases) {
            testsupport::TempDir dir;
            testsupport::Simulator device = start(dir, checksum);
            const std::string diff = play(c, std::string(checksum) == "crc16" ? 1 : 0, device.pty(), wait_factor);
            INFO(CORPUS_FILE << ":" << c.line << ": case " << c.name << " (" << std::string(checksum) << ")\n  " << diff);
            CHECK(diff.empty());
        }
    }
}

[[maybe_unused]] bool on_path(const std::string& tool) {  // unused without the firmware
    return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("conformance: the middleware corpus against dfu-sim --preset middleware") {
    run_corpus([](const testsupport::TempDir& dir, const char* checksum) {
        return testsupport::Simulator(dir, {"--preset", "middleware", "--checksum", checksum});
    }, 1);
}

TEST_CASE("conformance: the middleware corpus against the firmware under QEMU --preset middleware") {
#ifndef DFU_FIRMWARE_MIDDLEWARE_ELF
    std::cout << "SKIPPED: the firmware is not built (arm-none-eabi-gcc not found; scripts/install-deps.sh installs it)\n";
#else
    for (const char* tool : {"qemu-system-arm", "socat"}) {
        if (!on_path(tool)) {
            std::cout << "SKIPPED: " << tool << " not found (scripts/install-deps.sh installs it)\n";
            return;
        }
    }
    run_corpus([](const testsupport::TempDir& dir, const char* checksum) {
        // No --flash: the firmware starts from the preset's fresh flash, as a freshly flashed loader.
        return testsupport::Simulator({QEMU_DFU_SCRIPT, "--preset", "middleware", "--link", (dir / "uart").string(),
                                       "--checksum", checksum, "--firmware", DFU_FIRMWARE_MIDDLEWARE_ELF},
                                      dir / "no-flash-file");
    },
               // The firmware's milliseconds are SysTick interrupts, and QEMU delivers fewer of them
               // while the host is busy: a 40 ms pause can be 10 ms to the firmware, still inside
               // its 20 ms error hold-off. The pauses are stretched 5 times.
               5);
#endif
}
