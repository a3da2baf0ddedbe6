// write_mtbdfu: what it writes reads back to the same model.
#include <doctest/doctest.h>

#include <chrono>

#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "formats/mtbdfu_writer.hpp"
#include "formats/sparse_image.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using namespace std::chrono_literals;
using dfu::formats::test::TempDir;

TEST_CASE("write_mtbdfu: every field it writes reads back the same, sessions and sets included") {
    TempDir dir;
    SparseImage image;
    image.add(0x10000000, std::vector<std::uint8_t>(1024, 0x5A));
    dir.write("app.hex", write_intel_hex(image));
    Mtbdfu doc;
    doc.app_info.file_version = 1;
    doc.app_info.product_id = 0x0A0B0C0D;
    doc.app_info.checksum_type = 1;
    doc.app_info.app_id = 2;
    doc.app_info.timeout_ms = 500;
    doc.app_info.flash_row_length = 0x200;
    MtbdfuCommand md;
    md.comment = "metadata";
    md.cmd_id = 0x4C;
    md.data_length = 3;
    md.data = std::vector<std::uint8_t>{0x01, 0xAB, 0x00};
    md.retries = 3;
    md.timeout = 1500us;
    md.expect.status = 0x04;
    MtbdfuCommand rows;
    rows.data_file = MtbdfuDataFile{"app.hex", nullptr};
    rows.flash_row_length = 0x200;
    rows.repeat_eof = true;
    rows.reconnect = 2;
    MtbdfuCommand send;
    send.cmd_id = 0x37;
    send.data_length = 0x39;
    send.repeat = 8;
    MtbdfuCommand last;
    last.cmd_id = 0x37;
    last.data_length = 0x38;
    MtbdfuCommand program;
    program.cmd_id = 0x49;
    program.data_length = 8;
    rows.command_set = {send, last, program};
    MtbdfuCommand pause;
    pause.delay_only = true;
    pause.delay = 2s;
    doc.sessions.push_back({"sessions[0]", {md, rows}});
    doc.sessions.push_back({"sessions[1]", {pause, md}});

    const std::string text = write_mtbdfu(doc);
    const Mtbdfu back = parse_mtbdfu(text, dir.path() / "w.mtbdfu");
    CHECK(back.app_info.product_id == 0x0A0B0C0D);
    CHECK(back.app_info.checksum_type == 1);
    CHECK(back.app_info.app_id == 2);
    CHECK(back.app_info.timeout_ms == 500u);
    CHECK(back.app_info.flash_row_length == 0x200u);
    REQUIRE(back.sessions.size() == 2);
    const MtbdfuCommand& m = back.sessions[0].commands[0];
    CHECK(m.cmd_id == 0x4C);
    CHECK(m.data == md.data);
    CHECK(m.data_length == 3u);
    CHECK(m.retries == 3u);
    CHECK(m.timeout == 1500us);
    CHECK(m.expect.status == 0x04);
    const MtbdfuCommand& r = back.sessions[0].commands[1];
    REQUIRE(r.data_file);
    CHECK(r.data_file->image->size() == 1024);
    CHECK(r.repeat_eof);
    CHECK(r.reconnect == 2u);
    REQUIRE(r.command_set.size() == 3);
    CHECK(r.command_set[0].repeat == 8u);
    CHECK(r.command_set[0].data_length == 0x39u);
    CHECK(r.command_set[2].cmd_id == 0x49);
    CHECK(back.sessions[1].commands[0].delay_only);
    CHECK(back.sessions[1].commands[0].delay == 2s);

    // One session named "commands" is written as the top-level list the published basic shape has.
    Mtbdfu one;
    one.app_info = doc.app_info;
    one.sessions.push_back({"commands", {md}});
    const std::string single = write_mtbdfu(one);
    CHECK(single.find("\"sessions\"") == std::string::npos);
    CHECK(parse_mtbdfu(single, dir.path() / "o.mtbdfu").sessions.at(0).json_path == "commands");
}
