// KitProg3 bridge commands and replies, byte for byte, from the layouts of the bridge
// protocol as the KitProg3 firmware (v2.60) implements it.
#include <doctest/doctest.h>

#include <stdexcept>

#include "transports/kitprog3_codec.hpp"

using namespace dfu::transports::kitprog3;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("kitprog3 codec: capabilities command and reply") {
    CHECK(encode_capabilities() == Bytes{0x90});
    // 90 st ifaces leds/uarts speeds(+GPIO pins) min-hz max-hz chip-selects voltages
    const Bytes reply{0x90, 0x00, 0x0F, 0x13, 0x3F, 0x6E, 0x01, 0x00, 0x00, 0x80, 0x8D, 0x5B, 0x00, 0x05, 0x00};
    const auto c = decode_capabilities(reply);
    REQUIRE(c.has_value());
    CHECK(c->has_i2c());
    CHECK(c->has_spi());
    CHECK(c->i2c_speeds == 0x0F);  // GPIO pin bits in the high nibble are not speeds
    CHECK(c->spi_min_hz == 366);
    CHECK(c->spi_max_hz == 6000000);
    CHECK(c->spi_chip_selects == 0x05);

    Bytes no_bridges = reply;
    no_bridges[2] = 0x0C;  // CMSIS-DAP HID and bulk only
    CHECK_FALSE(decode_capabilities(no_bridges)->has_i2c());
    CHECK_FALSE(decode_capabilities(no_bridges)->has_spi());
    CHECK_FALSE(decode_capabilities(Bytes{0xFF}).has_value());
    CHECK_FALSE(decode_capabilities(Bytes(reply.begin(), reply.end() - 1)).has_value());
    Bytes failed = reply;
    failed[1] = 0x82;
    CHECK_FALSE(decode_capabilities(failed).has_value());
}

TEST_CASE("kitprog3 codec: speed commands") {
    CHECK(encode_set_i2c_speed(2) == Bytes{0x86, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});
    // 1 MHz = 0x000F4240, little-endian, then the mode byte
    CHECK(encode_set_spi_speed(1000000, 0x00) == Bytes{0x86, 0x00, 0x01, 0x40, 0x42, 0x0F, 0x00, 0x00});
    CHECK(encode_set_spi_speed(6000000, 0x07) == Bytes{0x86, 0x00, 0x01, 0x80, 0x8D, 0x5B, 0x00, 0x07});
    CHECK(decode_speed(Bytes{0x86, 0x00, 0x40, 0x42, 0x0F, 0x00}) == 1000000u);
    CHECK(decode_speed(Bytes{0x86, 0x00, 0x01, 0x00, 0x00, 0x00}) == 1u);
    CHECK_FALSE(decode_speed(Bytes{0x86, 0x81}).has_value());
    CHECK_FALSE(decode_speed(Bytes{0xFF}).has_value());
}

TEST_CASE("kitprog3 codec: SPI mode bits CPHA 04 CPOL 02 LSB-first 01") {
    CHECK(spi_mode_bits(0, false) == 0x00);
    CHECK(spi_mode_bits(1, false) == 0x04);
    CHECK(spi_mode_bits(2, false) == 0x02);
    CHECK(spi_mode_bits(3, false) == 0x06);
    CHECK(spi_mode_bits(0, true) == 0x01);
    CHECK(spi_mode_bits(3, true) == 0x07);
}

TEST_CASE("kitprog3 codec: I2C speed is the fastest offered not above the request") {
    CHECK(choose_i2c_speed(100000, 0x0F)->index == 1);
    CHECK(choose_i2c_speed(300000, 0x0F)->hz == 100000);
    CHECK(choose_i2c_speed(400000, 0x0F)->index == 2);
    CHECK(choose_i2c_speed(3400000, 0x0F)->index == 3);
    CHECK(choose_i2c_speed(50000, 0x0F)->index == 0);
    CHECK_FALSE(choose_i2c_speed(49999, 0x0F).has_value());
    CHECK(choose_i2c_speed(1000000, 0x03)->hz == 100000);  // only 50k and 100k offered
    CHECK_FALSE(choose_i2c_speed(80000, 0x0E).has_value());
}

TEST_CASE("kitprog3 codec: I2C transfer parts") {
    const Bytes data{0x01, 0x38, 0x00};
    // write with START and STOP: type 1 (0x10) | STOP (0x02), length, 7-bit address, data
    CHECK(encode_i2c_write(0x0C, data, true, true) == Bytes{0x88, 0x12, 0x03, 0x0C, 0x01, 0x38, 0x00});
    CHECK(encode_i2c_write(0x0C, data, true, false) == Bytes{0x88, 0x10, 0x03, 0x0C, 0x01, 0x38, 0x00});
    // continuing write: type 3, no address; STOP as bit 1 and bit 3
    CHECK(encode_i2c_write(0x0C, data, false, false) == Bytes{0x88, 0x30, 0x03, 0x01, 0x38, 0x00});
    CHECK(encode_i2c_write(0x0C, data, false, true) == Bytes{0x88, 0x3A, 0x03, 0x01, 0x38, 0x00});
    CHECK(encode_i2c_read(0x0C, 7, true, true) == Bytes{0x88, 0x22, 0x07, 0x0C});
    CHECK(encode_i2c_read(0x51, 60, true, false) == Bytes{0x88, 0x20, 0x3C, 0x51});
    CHECK(encode_i2c_read(0x0C, 5, false, false) == Bytes{0x88, 0x40, 0x05});
    CHECK(encode_i2c_read(0x0C, 5, false, true) == Bytes{0x88, 0x4A, 0x05});
    CHECK(encode_i2c_recover() == Bytes{0x87});
    CHECK(encode_i2c_write(0x0C, Bytes(60, 0xAA), true, true).size() == 64);
    CHECK_THROWS_AS(encode_i2c_write(0x0C, Bytes(61, 0xAA), true, true), std::logic_error);
    CHECK_THROWS_AS(encode_i2c_read(0x0C, 61, true, true), std::logic_error);
}

TEST_CASE("kitprog3 codec: I2C replies") {
    using K = I2cReply::Kind;
    CHECK(decode_i2c_reply(Bytes{0x88, 0x01}, false, true, 3).kind == K::wait);
    CHECK(decode_i2c_reply(Bytes{0x88, 0x82}, false, true, 3).kind == K::bus_stuck);
    CHECK(decode_i2c_reply(Bytes{0x88, 0x81}, false, true, 3).kind == K::refused);
    CHECK(decode_i2c_reply(Bytes{0xFF}, false, true, 3).kind == K::refused);
    CHECK(decode_i2c_reply(Bytes{0x87, 0x00}, false, true, 3).kind == K::malformed);

    // write: address ACK, then one ACK per data byte
    auto w = decode_i2c_reply(Bytes{0x88, 0x00, 0x01, 0x01, 0x01, 0x01}, false, true, 3);
    CHECK(w.kind == K::done);
    CHECK(w.acked == 3);
    // the address ACK byte stays on a continuing write part
    CHECK(decode_i2c_reply(Bytes{0x88, 0x00, 0x01, 0x01, 0x01}, false, false, 2).kind == K::done);
    auto nack = decode_i2c_reply(Bytes{0x88, 0x00, 0x01, 0x01, 0x01, 0x00}, false, true, 3);
    CHECK(nack.kind == K::data_nack);
    CHECK(nack.acked == 2);
    auto short_acks = decode_i2c_reply(Bytes{0x88, 0x00, 0x01, 0x01}, false, true, 3);
    CHECK(short_acks.kind == K::data_nack);
    CHECK(short_acks.acked == 1);
    CHECK(decode_i2c_reply(Bytes{0x88, 0x00, 0x00}, false, true, 3).kind == K::address_nack);

    // read with START: address ACK, then the data
    auto r = decode_i2c_reply(Bytes{0x88, 0x00, 0x01, 0xFF, 0x01, 0x00}, true, true, 3);
    CHECK(r.kind == K::done);
    CHECK(r.data == Bytes{0xFF, 0x01, 0x00});
    CHECK(decode_i2c_reply(Bytes{0x88, 0x00, 0x00}, true, true, 3).kind == K::address_nack);
    // continuing read: data right after the status
    auto rc = decode_i2c_reply(Bytes{0x88, 0x00, 0x17, 0x2A}, true, false, 2);
    CHECK(rc.kind == K::done);
    CHECK(rc.data == Bytes{0x17, 0x2A});
    CHECK(decode_i2c_reply(Bytes{0x88, 0x00, 0x01, 0xFF}, true, true, 3).kind == K::malformed);
}

TEST_CASE("kitprog3 codec: SPI transfer") {
    const Bytes mosi{0x01, 0x38, 0xFF};
    // 89 length chip-select control(02 assert, 08 release) data
    CHECK(encode_spi_transfer(0x01, mosi, true, true) == Bytes{0x89, 0x03, 0x01, 0x0A, 0x01, 0x38, 0xFF});
    CHECK(encode_spi_transfer(0x02, mosi, true, false) == Bytes{0x89, 0x03, 0x02, 0x02, 0x01, 0x38, 0xFF});
    CHECK(encode_spi_transfer(0x04, mosi, false, false) == Bytes{0x89, 0x03, 0x04, 0x00, 0x01, 0x38, 0xFF});
    CHECK(encode_spi_transfer(0x01, {}, false, true) == Bytes{0x89, 0x00, 0x01, 0x08});
    CHECK(encode_spi_transfer(0x01, Bytes(60, 0), true, true).size() == 64);
    CHECK_THROWS_AS(encode_spi_transfer(0x01, Bytes(61, 0), true, true), std::logic_error);

    CHECK(decode_spi_reply(Bytes{0x89, 0x00, 0xFF, 0x01, 0x00}, 3) == Bytes{0xFF, 0x01, 0x00});
    CHECK_FALSE(decode_spi_reply(Bytes{0x89, 0x00, 0xFF}, 3).has_value());
    CHECK_FALSE(decode_spi_reply(Bytes{0x81}, 3).has_value());
    CHECK_FALSE(decode_spi_reply(Bytes{0xFF}, 0).has_value());
    CHECK(hex(Bytes{0x88, 0x00, 0x0A}) == "88 00 0A");
}
