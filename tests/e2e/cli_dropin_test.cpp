// End to end: the conveniences around the command line. dfuhost run as `dfuh-cli` with a
// dfuh-cli command line, arguments from an @FILE, defaults from the environment, and the
// shell completion scripts, each against dfu-sim where a device is involved.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli_runner.hpp"
#include "process.hpp"

using namespace testsupport;

namespace {

// The sample image is blinky.bin at 0x10000000, the simulator's default flash base.
bool flash_holds_blinky(const Simulator& sim) {
    const auto image = read_bytes(sample("blinky.bin"));
    const auto flash = sim.flash();
    return flash.size() >= image.size() && std::equal(image.begin(), image.end(), flash.begin());
}

std::filesystem::path dfuh_cli_link(const TempDir& dir) {
    const auto link = dir / "dfuh-cli";
    std::filesystem::create_symlink(DFUHOST_BIN, link);
    return link;
}

// Sets an environment variable for the child processes of one test, and removes it after.
class EnvVar {
public:
    EnvVar(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
    ~EnvVar() { unsetenv(name_); }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    const char* name_;
};

}  // namespace

TEST_CASE("dfuh-cli: a command line of its user guide's form runs unchanged against dfu-sim") {
    TempDir dir;
    Simulator sim(dir, {});
    const auto link = dfuh_cli_link(dir);
    // As the DFU Host tool user guide's CLI examples are written: the action with its file,
    // --hwid naming the port, then the UART settings.
    const auto r = run_process({link.string(), "--program-device", sample("blinky.cyacd2"), "--hwid", sim.pty(),
                                "--uart-baudrate", "115200", "--uart-paritytype", "None", "--uart-databits", "8",
                                "--uart-stopbits", "1"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds_blinky(sim));
    const auto v = run_process({link.string(), "--verify-device", sample("blinky.cyacd2"), "--hwid", sim.pty(),
                                "--uart-baudrate", "115200"});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
}

TEST_CASE("dfuh-cli: a bad option exits 2 naming it, the device untouched") {
    TempDir dir;
    Simulator sim(dir, {});
    const auto link = dfuh_cli_link(dir);
    CHECK_EXIT(run_process({link.string(), "--program-device", sample("blinky.cyacd2"), "--hwid", sim.pty(),
                            "--uart-parity", "None"}),
               2, "dfuh-cli: error: unknown dfuh-cli option '--uart-parity'", "did you mean '--uart-paritytype'?");
    CHECK_EXIT(run_process({link.string(), "--program-device", sample("blinky.cyacd2"), "--hwid", sim.pty(),
                            "--uart-paritytype", "Space"}),
               2, "--uart-paritytype: 'Space'");
    CHECK(sim.trace().empty());
    // Its exit codes are dfuhost's: a missing port is 4.
    CHECK_EXIT(
        run_process({link.string(), "--program-device", sample("blinky.cyacd2"), "--hwid", (dir / "ttyNONE").string()}),
        4);
}

TEST_CASE("dfuh-cli: --help lists its options and --version is dfuhost's, dfuhost itself refuses them") {
    TempDir dir;
    const auto link = dfuh_cli_link(dir);
    const auto help = run_process({link.string(), "--help"});
    CHECK(help.exit_code == 0);
    for (const std::string option : {"--program-device", "--verify-device", "--erase-device", "--custom-command",
                                     "--generate-mtbdfu", "--display-hw", "--hwid", "--uart-baudrate",
                                     "--uart-databits", "--uart-paritytype", "--uart-stopbits", "--i2c-address",
                                     "--i2c-speed", "--spi-clockspeed", "--spi-mode", "--spi-lsb-first",
                                     "--file-version", "--product-id", "--application-id", "--application-start",
                                     "--application-length", "--checksum-type", "--mtbdfu-data-file", "--debug"})
        CHECK_MESSAGE(contains(help.out, option), option);
    const auto version = run_process({link.string(), "--version"});
    CHECK(version.exit_code == 0);
    CHECK(contains(version.out, "dfuhost "));
    CHECK_EXIT(dfuhost({"--program-device", "x"}), 2);
}

TEST_CASE("dfuh-cli: --generate-mtbdfu writes the .mtbdfu that --custom-command then runs") {
    TempDir dir;
    Simulator sim(dir, {});
    const auto link = dfuh_cli_link(dir);
    const auto out = (dir / "blinky.mtbdfu").string();
    const auto g = run_process({link.string(), "--generate-mtbdfu", out, "--mtbdfu-data-file", sample("blinky.hex"),
                                "--product-id", "01020304", "--file-version", "0x1"});
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    const auto r = run_process({link.string(), "--custom-command", out, "--hwid", sim.pty(), "--uart-baudrate",
                                "115200"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds_blinky(sim));
}

TEST_CASE("@FILE: a station's options from a file, the command line around it") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "station.args", "# station 3\n--uart " + sim.pty() +
                                         "   # the board's adapter\n--product-id '01020304' \"--timeout\" 2000\n");
    const auto r = dfuhost({"program", sample("blinky.hex"), "@" + (dir / "station.args").string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds_blinky(sim));

    write_text(dir / "bad.args", "--uart " + sim.pty() + "\n--log 'run.log\n");
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "@" + (dir / "bad.args").string()}), 2,
               "bad.args:2: the ' opened here is not closed");
    write_text(dir / "nested.args", "@" + (dir / "station.args").string() + "\n");
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "@" + (dir / "nested.args").string()}), 2, "nested.args:1:");
    const auto missing = dfuhost({"program", sample("blinky.hex"), "@" + (dir / "none.args").string(), "--json"});
    CHECK_EXIT(missing, 2, "none.args: cannot read the arguments file");
    CHECK(contains(missing.out, "\"exit_code\":2"));
}

TEST_CASE("environment defaults: DFUHOST_PORT, DFUHOST_BAUD, DFUHOST_PRODUCT_ID, the command line wins") {
    TempDir dir;
    Simulator sim(dir, {});
    {
        EnvVar port("DFUHOST_PORT", sim.pty());
        EnvVar baud("DFUHOST_BAUD", "230400");
        EnvVar product("DFUHOST_PRODUCT_ID", "01020304");
        const auto r = dfuhost({"program", sample("blinky.hex"), "--debug"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(flash_holds_blinky(sim));
        CHECK(contains(r.err, "230400"));
    }
    {
        // The command line wins: a wrong product ID in the environment is not sent.
        EnvVar product("DFUHOST_PRODUCT_ID", "0BADBAD0");
        EnvVar port("DFUHOST_PORT", (dir / "ttyNONE").string());
        const auto r = dfuhost({"verify", sample("blinky.hex"), "--uart", sim.pty(), "--product-id", "01020304"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        // Without --product-id the environment's is sent, and the simulator refuses it (exit 8).
        CHECK_EXIT(dfuhost({"verify", sample("blinky.hex"), "--uart", sim.pty()}), 8);  // product ID refused
    }
    {
        EnvVar baud("DFUHOST_BAUD", "fast");
        CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", sim.pty()}), 2, "DFUHOST_BAUD",
                   "'fast' is not a number");
        // Given on the command line, the variable is not read at all.
        CHECK_EXIT(dfuhost({"verify", sample("blinky.hex"), "--uart", sim.pty(), "--baud", "115200", "--product-id",
                            "01020304"}),
                   0);
    }
    {
        EnvVar product("DFUHOST_PRODUCT_ID", "xyz");
        CHECK_EXIT(dfuhost({"verify", sample("blinky.hex"), "--uart", sim.pty()}), 2, "DFUHOST_PRODUCT_ID");
    }
}

TEST_CASE("completion: the bash script completes commands and options in bash") {
    TempDir dir;
    const auto script = dfuhost({"completion", "bash"});
    REQUIRE(script.exit_code == 0);
    write_text(dir / "dfuhost.bash", script.out);
    // Complete "dfuhost pro", "dfuhost program --ba" and "dfuhost completion " in a real bash.
    const std::string probe =
        "source '" + (dir / "dfuhost.bash").string() +
        "'\n"
        "complete -p dfuhost\n"
        "ask() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _dfuhost; echo \"[$*] ${COMPREPLY[*]}\"; }\n"
        "ask dfuhost pro\n"
        "ask dfuhost program app.hex --ba\n"
        "ask dfuhost --js\n"
        "ask dfuhost completion ''\n"
        "ask dfuhost info --retr\n";
    write_text(dir / "probe.sh", probe);
    const auto r = run_process({"/bin/bash", "--norc", (dir / "probe.sh").string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "-F _dfuhost dfuhost"));
    CHECK(contains(r.out, "[dfuhost pro] program\n"));
    CHECK(contains(r.out, "[dfuhost program app.hex --ba] --baud --base\n"));
    CHECK(contains(r.out, "[dfuhost --js] --json\n"));
    CHECK(contains(r.out, "[dfuhost completion ] bash zsh fish\n"));
    CHECK(contains(r.out, "[dfuhost info --retr] --retries\n"));
}

TEST_CASE("completion: the zsh script loads in zsh, the fish one completes in fish") {
    TempDir dir;
    const auto zsh_script = dfuhost({"completion", "zsh"});
    const auto fish_script = dfuhost({"completion", "fish"});
    REQUIRE(zsh_script.exit_code == 0);
    REQUIRE(fish_script.exit_code == 0);
    write_text(dir / "_dfuhost", zsh_script.out);
    write_text(dir / "dfuhost.fish", fish_script.out);
    if (std::filesystem::exists("/usr/bin/zsh")) {
        const auto z = run_process({"/usr/bin/zsh", "-f", "-c",
                                    "autoload -U compinit; compinit -u -D; source '" + (dir / "_dfuhost").string() +
                                        "'; print -r -- \"comp=$_comps[dfuhost]\""});
        INFO(z.out << z.err);
        CHECK(z.exit_code == 0);
        CHECK(contains(z.out, "comp=_dfuhost"));
        CHECK(z.err.empty());
    } else {
        MESSAGE("zsh not installed (scripts/install-deps.sh installs it): the zsh script was not loaded");
    }
    if (std::filesystem::exists("/usr/bin/fish")) {
        const std::string home = "HOME=" + dir.path().string();
        const auto f = run_process({"/usr/bin/env", home, "/usr/bin/fish", "-c",
                                    "source '" + (dir / "dfuhost.fish").string() +
                                        "'; complete -C 'dfuhost pro'; complete -C 'dfuhost program x --ba'; "
                                        "complete -C 'dfuhost completion '"});
        INFO(f.out << f.err);
        CHECK(f.exit_code == 0);
        CHECK(contains(f.out, "program\t"));
        CHECK(contains(f.out, "--baud\t"));
        CHECK(contains(f.out, "--base\t"));
        CHECK(contains(f.out, "zsh\n"));
    } else {
        MESSAGE("fish not installed (scripts/install-deps.sh installs it): the fish script was not run");
    }
}

TEST_CASE("completion: every option --help shows is in each shell's script") {
    const std::vector<std::string> commands{"program", "verify", "erase", "info", "run", "generate",
                                            "inspect", "list", "completion", "help"};
    for (const std::string shell : {"bash", "zsh", "fish"}) {
        CAPTURE(shell);
        const auto script = dfuhost({"completion", shell});
        REQUIRE(script.exit_code == 0);
        for (const auto& command : commands) {
            CAPTURE(command);
            CHECK(contains(script.out, command));
            for (const auto& option : help_options(dfuhost({command, "--help"}).out)) {
                CAPTURE(option);
                // fish names long options without their dashes (-l baud), short ones as -s q.
                const std::string fish_form = option.starts_with("--") ? "-l " + option.substr(2) : "-s " + option.substr(1);
                CHECK(contains(script.out, shell == "fish" ? fish_form : option));
            }
        }
    }
    CHECK_EXIT(dfuhost({"completion", "tcsh"}), 2, "'tcsh' is not one of bash, zsh, fish");
}

TEST_CASE("--before/--after: serial wires only, each step checked, and a port without modem lines refused") {
    TempDir dir;
    Simulator sim(dir, {});
    const std::string hex = sample("blinky.hex");
    // A wire without DTR/RTS: refused before anything is opened.
    CHECK_EXIT(dfuhost({"program", hex, "--i2c", "/dev/i2c-1", "--before", "default-reset"}), 2,
               "--before is an option of --uart");
    CHECK_EXIT(dfuhost({"program", hex, "--uart", "socket://127.0.0.1:9", "--after", "hard-reset"}), 2,
               "socket://127.0.0.1:9 has no DTR/RTS lines");
    CHECK_EXIT(dfuhost({"program", hex, "--uart", sim.pty(), "--before", "dtr=0,rts=2"}), 2,
               "--before: step 2 'rts=2' is not dtr=0|1, rts=0|1 or wait=MS");
    CHECK_EXIT(dfuhost({"program", hex, "--uart", sim.pty(), "--after", "default-reset"}), 2,
               "--after: step 1 'default-reset'");
    // A pseudo-terminal has no modem lines: the port cannot be set up as asked (exit 4), and
    // the device is not spoken to.
    CHECK_EXIT(dfuhost({"program", hex, "--uart", sim.pty(), "--product-id", "01020304", "--before",
                        "dtr=0,rts=1,wait=10,rts=0"}),
               4, "--before: ", "DTR");
    CHECK(sim.trace().empty());
    // no-reset, the default, touches no line: the run is as without the options.
    const auto none = dfuhost({"program", hex, "--uart", sim.pty(), "--product-id", "01020304", "--before",
                               "no_reset", "--after", "no-reset"});
    INFO(none.out << none.err);
    CHECK(none.exit_code == 0);
    CHECK(flash_holds_blinky(sim));
}
