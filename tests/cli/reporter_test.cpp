// The Reporter's contracts: the result is the last JSON line and carries the schema
// version; the log starts with its header and -q takes nothing out of it.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/reporter.hpp"
#include "process.hpp"

using namespace dfu;
using namespace dfu::cli;
using testsupport::TempDir;

namespace {

// Standard output sent to a file while alive; text() is what was written.
class CapturedStdout {
public:
    explicit CapturedStdout(std::filesystem::path path) : path_(std::move(path)) {
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        std::FILE* f = std::fopen(path_.c_str(), "w");
        ::dup2(::fileno(f), STDOUT_FILENO);
        std::fclose(f);
    }
    ~CapturedStdout() { restore(); }
    std::string text() {
        restore();
        std::ifstream f(path_);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        saved_ = -1;
    }
    std::filesystem::path path_;
    int saved_ = -1;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);) lines.push_back(line);
    return lines;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("--json: nothing follows the result on stdout, later events go to the log only") {
    TempDir dir;
    OutputOptions o;
    o.json = true;
    o.log_file = (dir / "run.log").string();
    std::vector<std::string> lines;
    {
        CapturedStdout out(dir / "stdout");
        Reporter r(o);
        r.open_log();
        r.start({{"action", "program"}});
        r.result({{"ok", false}, {"exit_code", 130}, {"error", "interrupted"}});
        r.warning("3 of 192 rows were written before the failure");
        r.events().on_note("late note");
        r.result({{"ok", true}, {"exit_code", 0}});  // a second result is dropped
        lines = lines_of(out.text());
    }
    REQUIRE(lines.size() == 2);
    const auto start = nlohmann::json::parse(lines[0]);
    const auto result = nlohmann::json::parse(lines[1]);
    CHECK(start["event"] == "start");
    CHECK(start["schema"] == kJsonSchemaVersion);
    CHECK(result["event"] == "result");
    CHECK(result["schema"] == kJsonSchemaVersion);
    CHECK(result["exit_code"] == 130);
    const std::string log = read_file(dir / "run.log");
    CHECK(log.find("3 of 192 rows were written") != std::string::npos);
    CHECK(log.find("late note") != std::string::npos);
}

TEST_CASE("--log starts with the header, and -q takes nothing out of the log") {
    TempDir dir;
    OutputOptions o;
    o.quiet = true;
    o.log_file = (dir / "run.log").string();
    o.command_line = {"dfuhost", "program", "my app.hex", "-q"};
    {
        CapturedStdout out(dir / "stdout");
        Reporter r(o);
        r.say("Programming my app.hex");
        r.open_log();
        r.warning("row 0x10000000 starts 16 bytes before the data");
        r.events().on_progress(Progress{1, 1, 512, 512, 0x10000000});
        r.say("Programmed 1 rows");
        CHECK(out.text().empty());  // quiet: nothing on stdout
    }
    const auto log = lines_of(read_file(dir / "run.log"));
    REQUIRE(log.size() >= 7);
    CHECK(log[0] == "# dfuhost " DFUHOST_VERSION);
    CHECK(log[1] == "# command: dfuhost program 'my app.hex' -q");
    CHECK(log[2].rfind("# started: ", 0) == 0);
    const std::string text = read_file(dir / "run.log");
    for (const char* expected : {"Programming my app.hex", "warning: row 0x10000000 starts", "row 0x10000000 done (1/1)",
                                 "Programmed 1 rows"})
        CHECK_MESSAGE(text.find(expected) != std::string::npos, expected);
}
