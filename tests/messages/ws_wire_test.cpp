// WebSocket wire format (messages/ws_wire.hpp): the frames arbord writes, JSON
// string escaping with U+FFFD for invalid UTF-8, the shared encoding of output
// batches, and the bounded reader of (masked) client frames with the close
// code of each protocol error.
#include "messages/session.hpp"
#include "messages/ws_wire.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace arbor;
using namespace std::string_literals;

namespace {

constexpr uint8_t fin = 0x80;
constexpr uint8_t op_cont = 0x0;
constexpr uint8_t op_text = 0x1;
constexpr uint8_t op_binary = 0x2;
constexpr uint8_t op_close = 0x8;
constexpr uint8_t op_ping = 0x9;
constexpr uint8_t op_pong = 0xA;

const std::string fffd = "\xEF\xBF\xBD"; // U+FFFD in UTF-8

uint8_t byte_at(const std::string& s, size_t i) {
  return static_cast<uint8_t>(s.at(i));
}

/// The header of a client frame: first byte as given, the mask bit, the length
/// in its shortest form (or the form asked for), and the masking key.
std::string client_header(uint8_t first, uint64_t len, bool masked,
                          const std::array<uint8_t, 4>& key, int force_len_bytes = -1) {
  std::string out;
  out.push_back(static_cast<char>(first));
  uint8_t mask_bit = masked ? 0x80 : 0x00;
  int len_bytes = force_len_bytes >= 0 ? force_len_bytes : len < 126 ? 0 : len <= 0xFFFF ? 2 : 8;
  if (len_bytes == 0) {
    out.push_back(static_cast<char>(mask_bit | len));
  } else if (len_bytes == 2) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>((len >> 8) & 0xFF));
    out.push_back(static_cast<char>(len & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((len >> shift) & 0xFF));
  }
  if (masked)
    for (auto k : key)
      out.push_back(static_cast<char>(k));
  return out;
}

/// A complete client frame (masked unless told otherwise), as a browser sends it.
std::string encode_client_frame(uint8_t first, std::string_view payload, bool masked = true,
                                std::array<uint8_t, 4> key = {0x37, 0xFA, 0x21, 0x3D}) {
  auto out = client_header(first, payload.size(), masked, key);
  for (size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ (masked ? key[i & 3] : 0)));
  return out;
}

std::string close_payload(uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

/// Records every reader callback as one string ("text:…", "ping:…", "pong",
/// "close:N", "error:N").
struct recorder final : ws::reader::handler {
  std::vector<std::string> events;
  std::vector<std::string> texts;
  uint16_t error_code = 0;
  uint16_t close_code = 0;

  void on_text(std::string_view message) override {
    texts.emplace_back(message);
    events.push_back("text:" + std::string{message});
  }
  void on_ping(std::string_view payload) override {
    events.push_back("ping:" + std::string{payload});
  }
  void on_pong() override { events.push_back("pong"); }
  void on_close(uint16_t code) override {
    close_code = code;
    events.push_back("close:" + std::to_string(code));
  }
  void on_error(uint16_t code, std::string_view why) override {
    error_code = code;
    CHECK_FALSE(why.empty());
    events.push_back("error:" + std::to_string(code));
  }
};

bool feed(ws::reader& r, const std::string& bytes, recorder& h) {
  return r.feed(bytes.data(), bytes.size(), h);
}

std::string json_string(std::string_view text) {
  std::string out;
  ws::append_json_string(out, text);
  return out;
}

std::string frame_of(ws::opcode op, std::string_view payload) {
  std::string out;
  ws::append_frame(out, op, payload);
  return out;
}

} // namespace

// -- server frames ----------------------------------------------------------------

TEST_CASE("frame headers use the 7-bit, 16-bit or 64-bit length as RFC 6455 says", "[ws_wire]") {
  SECTION("empty and short payloads: one length byte") {
    auto empty = frame_of(ws::opcode::text, "");
    REQUIRE(empty.size() == 2);
    CHECK(byte_at(empty, 0) == 0x81); // FIN + text, no reserved bits
    CHECK(byte_at(empty, 1) == 0);    // unmasked, length 0
    auto f = frame_of(ws::opcode::text, std::string(125, 'a'));
    REQUIRE(f.size() == 2 + 125);
    CHECK(byte_at(f, 1) == 125);
    CHECK(f.substr(2) == std::string(125, 'a'));
  }
  SECTION("126 to 65535 bytes: 126 and a 16-bit big-endian length") {
    auto f = frame_of(ws::opcode::text, std::string(126, 'b'));
    REQUIRE(f.size() == 4 + 126);
    CHECK(byte_at(f, 1) == 126);
    CHECK(byte_at(f, 2) == 0x00);
    CHECK(byte_at(f, 3) == 0x7E);
    auto g = frame_of(ws::opcode::text, std::string(65535, 'c'));
    REQUIRE(g.size() == 4 + 65535);
    CHECK(byte_at(g, 1) == 126);
    CHECK(byte_at(g, 2) == 0xFF);
    CHECK(byte_at(g, 3) == 0xFF);
    CHECK(g.substr(4) == std::string(65535, 'c'));
  }
  SECTION("more than 65535 bytes: 127 and a 64-bit big-endian length") {
    auto f = frame_of(ws::opcode::text, std::string(65536, 'd'));
    REQUIRE(f.size() == 10 + 65536);
    CHECK(byte_at(f, 1) == 127);
    const uint8_t len[8] = {0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    for (size_t i = 0; i < 8; ++i)
      CHECK(byte_at(f, 2 + i) == len[i]);
    auto g = frame_of(ws::opcode::text, std::string(70000, 'e'));
    REQUIRE(g.size() == 10 + 70000);
    CHECK(byte_at(g, 8) == 0x11); // 70000 = 0x011170
    CHECK(byte_at(g, 9) == 0x70);
    CHECK(byte_at(g, 7) == 0x01);
  }
  SECTION("the opcode is in the first byte, always final") {
    CHECK(byte_at(frame_of(ws::opcode::ping, ""), 0) == 0x89);
    CHECK(byte_at(frame_of(ws::opcode::pong, "x"), 0) == 0x8A);
    CHECK(byte_at(frame_of(ws::opcode::close, ""), 0) == 0x88);
    CHECK(byte_at(frame_of(ws::opcode::binary, ""), 0) == 0x82);
  }
  SECTION("append_frame appends") {
    std::string out = "prefix";
    ws::append_frame(out, ws::opcode::text, "hi");
    CHECK(out == "prefix\x81\x02hi"s);
  }
}

TEST_CASE("append_close writes the code big-endian and the reason, cut to 123 bytes", "[ws_wire]") {
  std::string out;
  ws::append_close(out, ws::message_too_big, "too big");
  CHECK(out == "\x88\x09\x03\xF1too big"s); // 1009 = 0x03F1
  std::string going;
  ws::append_close(going, ws::going_away, "");
  CHECK(going == "\x88\x02\x03\xE9"s); // 1001
  std::string app;
  ws::append_close(app, ws::unknown_session, "unknown session");
  REQUIRE(app.size() == 2 + 2 + 15);
  CHECK(byte_at(app, 2) == 0x11); // 4404 = 0x1134
  CHECK(byte_at(app, 3) == 0x34);
  std::string long_reason;
  ws::append_close(long_reason, ws::policy_violation, std::string(200, 'r'));
  REQUIRE(long_reason.size() == 2 + 125); // a control frame's payload is at most 125
  CHECK(byte_at(long_reason, 1) == 125);
  CHECK(long_reason.substr(4) == std::string(123, 'r'));
}

TEST_CASE("close codes have their RFC 6455 values", "[ws_wire]") {
  CHECK(ws::normal == 1000);
  CHECK(ws::going_away == 1001);
  CHECK(ws::protocol_error == 1002);
  CHECK(ws::unsupported_data == 1003);
  CHECK(ws::invalid_payload == 1007);
  CHECK(ws::policy_violation == 1008);
  CHECK(ws::message_too_big == 1009);
  CHECK(ws::internal_error == 1011);
  CHECK(ws::unknown_session == 4404);
}

TEST_CASE("append_json_string escapes quotes, backslashes and control characters", "[ws_wire]") {
  CHECK(json_string("") == R"("")");
  CHECK(json_string("plain text 123") == R"("plain text 123")");
  CHECK(json_string(R"(say "hi")") == R"("say \"hi\"")");
  CHECK(json_string(R"(C:\dir\)") == R"("C:\\dir\\")");
  CHECK(json_string("a\nb") == R"("a\nb")");
  CHECK(json_string("a\tb") == R"("a\tb")");
  CHECK(json_string("a\rb") == R"("a\rb")");
  CHECK(json_string("\x01") == R"("\u0001")");
  CHECK(json_string("\x08\x0C") == R"("\u0008\u000c")"); // no \b or \f shorthands
  CHECK(json_string("\x1F") == R"("\u001f")");
  CHECK(json_string("\x1B[31mred") == R"("\u001b[31mred")");
  CHECK(json_string("a\0b"s) == R"("a\u0000b")");
  CHECK(json_string("\x7F") == "\"\x7F\""); // DEL needs no escape in JSON
  CHECK(json_string("/<>'") == R"("/<>'")");
  std::string out = "x=";
  ws::append_json_string(out, "1");
  CHECK(out == R"(x="1")");
}

TEST_CASE("append_json_string keeps valid UTF-8 and replaces invalid bytes by U+FFFD",
          "[ws_wire]") {
  SECTION("valid multi-byte sequences pass through unchanged") {
    for (std::string text : {"caf\xC3\xA9"s,         // é, 2 bytes
                             "\xE2\x82\xAC 5"s,      // €, 3 bytes
                             "\xF0\x9F\x98\x80"s,    // 😀, 4 bytes
                             "\xC2\x80"s,            // U+0080, smallest 2-byte
                             "\xE0\xA0\x80"s,        // U+0800, smallest 3-byte
                             "\xED\x9F\xBF"s,        // U+D7FF, below the surrogates
                             "\xEE\x80\x80"s,        // U+E000, above the surrogates
                             "\xEF\xBF\xBF"s,        // U+FFFF
                             "\xF0\x90\x80\x80"s,    // U+10000, smallest 4-byte
                             "\xF4\x8F\xBF\xBF"s}) { // U+10FFFF, the largest
      INFO(text);
      CHECK(json_string(text) == "\"" + text + "\"");
    }
  }
  SECTION("overlong encodings") {
    CHECK(json_string("\xC0\xAF") == "\"" + fffd + fffd + "\""); // '/' in 2 bytes
    CHECK(json_string("\xC1\xBF") == "\"" + fffd + fffd + "\""); // lead C1 is never valid
    CHECK(json_string("\xE0\x80\xAF") == "\"" + fffd + fffd + fffd + "\""); // '/' in 3 bytes
    CHECK(json_string("\xF0\x80\x80\xAF") == "\"" + fffd + fffd + fffd + fffd + "\"");
  }
  SECTION("UTF-16 surrogates") {
    CHECK(json_string("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\""); // U+D800
    CHECK(json_string("\xED\xBF\xBF") == "\"" + fffd + fffd + fffd + "\""); // U+DFFF
  }
  SECTION("code points above U+10FFFF") {
    CHECK(json_string("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");
    CHECK(json_string("\xF5\x80\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");
    CHECK(json_string("\xFF") == "\"" + fffd + "\"");
  }
  SECTION("lone continuation bytes") {
    CHECK(json_string("a\x80z") == "\"a" + fffd + "z\"");
    CHECK(json_string("\xBF\xBF") == "\"" + fffd + fffd + "\"");
  }
  SECTION("truncated sequences: replaced, and the text after them survives") {
    for (std::string text : {"\xE2\x82"s, "\xC3"s, "\xF0\x9F\x98"s, "\xE2\x82zz"s, "\xC3 x"s}) {
      INFO(text);
      auto out = json_string(text);
      CHECK(ws::valid_utf8(out));
      CHECK(out.find(fffd) == 1);
      CHECK(out.find('\xE2') == std::string::npos);
      CHECK(out.find('\xC3') == std::string::npos);
      CHECK(out.find('\xF0') == std::string::npos);
      CHECK(out.back() == '"');
    }
    CHECK(json_string("\xC3") == "\"" + fffd + "\"");
    auto tail = json_string("\xE2\x82zz");
    CHECK(tail.substr(tail.size() - 3) == "zz\"");
    auto spaced = json_string("\xC3 x");
    CHECK(spaced.substr(spaced.size() - 3) == " x\"");
  }
  SECTION("valid text around invalid bytes is kept") {
    CHECK(json_string("\xC3\xA9\xFF\xC3\xA9") == "\"\xC3\xA9" + fffd + "\xC3\xA9\"");
  }
}

TEST_CASE("valid_utf8 accepts exactly the well-formed UTF-8", "[ws_wire]") {
  CHECK(ws::valid_utf8(""));
  CHECK(ws::valid_utf8("ascii only \x01\x7F"));
  CHECK(ws::valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  CHECK(ws::valid_utf8("\0"s));
  for (std::string bad :
       {"\xC0\xAF"s, "\xE0\x80\xAF"s, "\xED\xA0\x80"s, "\xF4\x90\x80\x80"s, "\xF5\x80\x80\x80"s,
        "\x80"s, "\xE2\x82"s, "abc\xC3"s, "\xFE"s, "\xC3\x28"s}) {
    INFO(bad);
    CHECK_FALSE(ws::valid_utf8(bad));
  }
}

TEST_CASE("append_output_frame writes the exact output frame", "[ws_wire]") {
  auto frame = [](const output_line& line) {
    std::string out;
    ws::append_output_frame(out, line);
    return out;
  };
  auto expected = [](const std::string& json) {
    REQUIRE(json.size() < 126);
    return "\x81"s + static_cast<char>(json.size()) + json;
  };
  CHECK(frame({7, "hi", false}) == expected(R"({"type":"output","seq":7,"data":"hi"})"));
  CHECK(frame({8, "part", true}) ==
        expected(R"({"type":"output","seq":8,"data":"part","split":true})"));
  CHECK(frame({1, "", false}) == expected(R"({"type":"output","seq":1,"data":""})"));
  CHECK(frame({18446744073709551615ull, "max", false}) ==
        expected(R"({"type":"output","seq":18446744073709551615,"data":"max"})"));
  CHECK(frame({9, "say \"x\"\t\x01", false}) ==
        expected(R"({"type":"output","seq":9,"data":"say \"x\"\t\u0001"})"));
  CHECK(frame({10, "bad \xFF", false}) ==
        expected(R"({"type":"output","seq":10,"data":"bad )" + fffd + R"("})"));

  SECTION("a long line gets the 16-bit length form") {
    auto out = frame({3, std::string(300, 'z'), false});
    std::string json = R"({"type":"output","seq":3,"data":")" + std::string(300, 'z') + "\"}";
    REQUIRE(out.size() == 4 + json.size());
    CHECK(byte_at(out, 1) == 126);
    CHECK(((byte_at(out, 2) << 8) | byte_at(out, 3)) == static_cast<int>(json.size()));
    CHECK(out.substr(4) == json);
  }
  SECTION("frames are appended one after the other") {
    std::string out;
    ws::append_output_frame(out, {1, "a", false});
    ws::append_output_frame(out, {2, "b", true});
    CHECK(out == expected(R"({"type":"output","seq":1,"data":"a"})") +
                     expected(R"({"type":"output","seq":2,"data":"b","split":true})"));
  }
}

TEST_CASE("encoded_frames encodes a batch once when it carries a cache", "[ws_wire]") {
  output_batch batch;
  batch.lines = {{1, "one", false}, {2, "two", false}, {3, "thr", true}};
  std::string want;
  for (const auto& line : batch.lines)
    ws::append_output_frame(want, line);

  SECTION("with a cache: every caller gets the same bytes object") {
    batch.wire = ws::make_wire_cache();
    std::string scratch_a = "untouched";
    std::string scratch_b;
    const std::string& a = ws::encoded_frames(batch, scratch_a);
    const std::string& b = ws::encoded_frames(batch, scratch_b);
    CHECK(&a == &b);
    CHECK(&a == &batch.wire->bytes);
    CHECK(a == want);
    CHECK(scratch_a == "untouched"); // scratch is not used
    CHECK(scratch_b.empty());
    output_batch copy = batch; // a subscriber's copy of the same message shares the cache
    std::string scratch_c;
    CHECK(&ws::encoded_frames(copy, scratch_c) == &a);
    // Encoded once: later calls do not re-encode, even if the lines were changed.
    batch.lines.push_back({4, "four", false});
    CHECK(ws::encoded_frames(batch, scratch_b) == want);
  }
  SECTION("without a cache: encoded into the caller's scratch string") {
    REQUIRE_FALSE(batch.wire);
    std::string scratch = "stale bytes from the last batch";
    const std::string& a = ws::encoded_frames(batch, scratch);
    CHECK(&a == &scratch);
    CHECK(scratch == want);
    output_batch other;
    other.lines = {{4, "four", false}};
    std::string want4;
    ws::append_output_frame(want4, other.lines.front());
    CHECK(&ws::encoded_frames(other, scratch) == &scratch);
    CHECK(scratch == want4); // cleared, not appended
  }
  SECTION("two caches are two encodings") {
    output_batch other = batch;
    batch.wire = ws::make_wire_cache();
    other.wire = ws::make_wire_cache();
    std::string s1, s2;
    CHECK(&ws::encoded_frames(batch, s1) != &ws::encoded_frames(other, s2));
  }
  SECTION("an empty batch encodes to nothing") {
    output_batch empty;
    empty.wire = ws::make_wire_cache();
    std::string scratch;
    CHECK(ws::encoded_frames(empty, scratch).empty());
  }
}

// -- the reader of client frames ------------------------------------------------------

TEST_CASE("reader unmasks a text frame", "[ws_wire]") {
  ws::reader r{1024};
  recorder h;
  CHECK(feed(r, encode_client_frame(fin | op_text, R"({"type":"ping"})"), h));
  CHECK(h.events == std::vector<std::string>{R"(text:{"type":"ping"})"});
  SECTION("several frames in one read") {
    CHECK(feed(r, encode_client_frame(fin | op_text, "a") + encode_client_frame(fin | op_text, "b"),
               h));
    CHECK(h.texts == std::vector<std::string>{R"({"type":"ping"})", "a", "b"});
  }
  SECTION("an empty text message") {
    CHECK(feed(r, encode_client_frame(fin | op_text, ""), h));
    CHECK(h.texts.back().empty());
  }
  SECTION("valid multi-byte UTF-8") {
    CHECK(feed(r, encode_client_frame(fin | op_text, "\xE2\x82\xAC \xF0\x9F\x98\x80"), h));
    CHECK(h.texts.back() == "\xE2\x82\xAC \xF0\x9F\x98\x80");
  }
  SECTION("a zero masking key leaves the payload as is") {
    CHECK(feed(r, encode_client_frame(fin | op_text, "plain", true, {0, 0, 0, 0}), h));
    CHECK(h.texts.back() == "plain");
  }
}

TEST_CASE("reader reads the 16-bit and 64-bit length forms", "[ws_wire]") {
  ws::reader r{1u << 20};
  recorder h;
  std::string medium(300, 'm');
  std::string large(70000, 'L');
  large[12345] = 'x';
  CHECK(feed(r, encode_client_frame(fin | op_text, medium), h));
  CHECK(feed(r, encode_client_frame(fin | op_text, large), h));
  REQUIRE(h.texts.size() == 2);
  CHECK(h.texts[0] == medium);
  CHECK(h.texts[1] == large);
  SECTION("a non-minimal length form is accepted too") {
    auto key = std::array<uint8_t, 4>{1, 2, 3, 4};
    std::string f = client_header(fin | op_text, 2, true, key, 8);
    f.push_back(static_cast<char>('o' ^ 1));
    f.push_back(static_cast<char>('k' ^ 2));
    CHECK(feed(r, f, h));
    CHECK(h.texts.back() == "ok");
  }
}

TEST_CASE("reader reassembles a fragmented message", "[ws_wire]") {
  ws::reader r{1024};
  recorder h;
  CHECK(feed(r, encode_client_frame(op_text, "Hel"), h));
  CHECK(h.events.empty()); // nothing until the final fragment
  CHECK(feed(r, encode_client_frame(op_cont, "lo, "), h));
  CHECK(h.events.empty());
  CHECK(feed(r, encode_client_frame(fin | op_cont, "world"), h));
  CHECK(h.events == std::vector<std::string>{"text:Hello, world"});
  SECTION("the next message starts afresh") {
    CHECK(feed(r, encode_client_frame(fin | op_text, "next"), h));
    CHECK(h.texts.back() == "next");
  }
  SECTION("control frames may come between fragments") {
    CHECK(feed(r, encode_client_frame(op_text, "a"), h));
    CHECK(feed(r, encode_client_frame(fin | op_ping, "p"), h));
    CHECK(feed(r, encode_client_frame(fin | op_cont, "b"), h));
    CHECK(h.events == std::vector<std::string>{"text:Hello, world", "ping:p", "text:ab"});
  }
  SECTION("UTF-8 is checked on the whole message: a character may span fragments") {
    CHECK(feed(r, encode_client_frame(op_text, "\xE2\x82"), h));
    CHECK(feed(r, encode_client_frame(fin | op_cont, "\xAC"), h));
    CHECK(h.texts.back() == "\xE2\x82\xAC");
  }
}

TEST_CASE("reader handles a message split across feeds byte by byte", "[ws_wire]") {
  ws::reader r{1u << 20};
  recorder h;
  std::string bytes =
      encode_client_frame(fin | op_text, "split me") +
      encode_client_frame(op_text, std::string(200, 'f')) + encode_client_frame(fin | op_ping, "") +
      encode_client_frame(fin | op_cont, "!") + encode_client_frame(fin | op_pong, "late");
  for (size_t i = 0; i < bytes.size(); ++i) {
    INFO("byte " << i);
    REQUIRE(r.feed(bytes.data() + i, 1, h));
  }
  CHECK(h.events == std::vector<std::string>{
                        "text:split me", "ping:", "text:" + std::string(200, 'f') + "!", "pong"});
  SECTION("a zero-byte feed changes nothing") {
    CHECK(r.feed(bytes.data(), 0, h));
    CHECK(h.events.size() == 4);
  }
}

TEST_CASE("reader reports control frames", "[ws_wire]") {
  ws::reader r{1024};
  recorder h;
  SECTION("ping with its payload") {
    CHECK(feed(r, encode_client_frame(fin | op_ping, "are you there"), h));
    CHECK(h.events == std::vector<std::string>{"ping:are you there"});
  }
  SECTION("pong") {
    CHECK(feed(r, encode_client_frame(fin | op_pong, "x"), h));
    CHECK(h.events == std::vector<std::string>{"pong"});
  }
  SECTION("a ping of the largest control size, 125 bytes") {
    CHECK(feed(r, encode_client_frame(fin | op_ping, std::string(125, 'p')), h));
    CHECK(h.events == std::vector<std::string>{"ping:" + std::string(125, 'p')});
  }
  SECTION("close with a code and reason; nothing after it is read") {
    CHECK_FALSE(feed(r,
                     encode_client_frame(fin | op_close, close_payload(1000, "bye")) +
                         encode_client_frame(fin | op_text, "after"),
                     h));
    CHECK(h.events == std::vector<std::string>{"close:1000"});
    CHECK_FALSE(feed(r, encode_client_frame(fin | op_text, "later"), h));
    CHECK(h.events.size() == 1);
  }
  SECTION("close codes are passed on as sent") {
    CHECK_FALSE(feed(r, encode_client_frame(fin | op_close, close_payload(1001)), h));
    CHECK(h.close_code == 1001);
    ws::reader r2{1024};
    recorder h2;
    CHECK_FALSE(feed(r2, encode_client_frame(fin | op_close, close_payload(4000, "app")), h2));
    CHECK(h2.close_code == 4000);
  }
  SECTION("close without a payload counts as 1000") {
    CHECK_FALSE(feed(r, encode_client_frame(fin | op_close, ""), h));
    CHECK(h.events == std::vector<std::string>{"close:1000"});
  }
}

TEST_CASE("reader errors carry the close code to send", "[ws_wire]") {
  ws::reader r{64};
  recorder h;
  auto fails_with = [&](const std::string& bytes, uint16_t code) {
    CHECK_FALSE(feed(r, bytes, h));
    REQUIRE(h.events.size() == 1);
    CHECK(h.events.front() == "error:" + std::to_string(code));
    CHECK(h.error_code == code);
  };
  SECTION("an unmasked client frame: 1002") {
    fails_with(encode_client_frame(fin | op_text, "hi", false), ws::protocol_error);
  }
  SECTION("an unmasked frame is refused before its payload arrives") {
    fails_with(client_header(fin | op_text, 10, false, {}), ws::protocol_error);
  }
  SECTION("reserved bits (RSV1, e.g. permessage-deflate): 1002") {
    fails_with(encode_client_frame(fin | 0x40 | op_text, "hi"), ws::protocol_error);
  }
  SECTION("RSV2 and RSV3: 1002") {
    fails_with(encode_client_frame(fin | 0x20 | op_text, "hi"), ws::protocol_error);
    ws::reader r3{64};
    recorder h3;
    CHECK_FALSE(feed(r3, encode_client_frame(fin | 0x10 | op_text, "hi"), h3));
    CHECK(h3.error_code == ws::protocol_error);
  }
  SECTION("a binary message: 1003") {
    fails_with(encode_client_frame(fin | op_binary, "\x01\x02"), ws::unsupported_data);
  }
  SECTION("invalid UTF-8 in a text message: 1007") {
    fails_with(encode_client_frame(fin | op_text, "bad \xFF byte"), ws::invalid_payload);
  }
  SECTION("invalid UTF-8 only visible once fragments are joined: 1007") {
    CHECK(feed(r, encode_client_frame(op_text, "ok \xE2\x82"), h));
    fails_with(encode_client_frame(fin | op_cont, "x"), ws::invalid_payload);
  }
  SECTION("surrogates in a text message: 1007") {
    fails_with(encode_client_frame(fin | op_text, "\xED\xA0\x80"), ws::invalid_payload);
  }
  SECTION("a message over the maximum: 1009") {
    fails_with(encode_client_frame(fin | op_text, std::string(65, 'x')), ws::message_too_big);
  }
  SECTION("a message of exactly the maximum is fine") {
    CHECK(feed(r, encode_client_frame(fin | op_text, std::string(64, 'x')), h));
    CHECK(h.texts.size() == 1);
  }
  SECTION("too big is known from the header, before the payload is sent") {
    fails_with(client_header(fin | op_text, 1000000, true, {1, 2, 3, 4}), ws::message_too_big);
  }
  SECTION("fragments whose total exceeds the maximum: 1009") {
    CHECK(feed(r, encode_client_frame(op_text, std::string(40, 'a')), h));
    CHECK(feed(r, encode_client_frame(op_cont, std::string(24, 'b')), h)); // 64 so far: fine
    fails_with(encode_client_frame(fin | op_cont, "c"), ws::message_too_big);
  }
  SECTION("a control frame over 125 bytes: 1002") {
    fails_with(encode_client_frame(fin | op_ping, std::string(126, 'p')), ws::protocol_error);
  }
  SECTION("a fragmented control frame: 1002") {
    fails_with(encode_client_frame(op_ping, "p"), ws::protocol_error);
  }
  SECTION("a continuation without a message: 1002") {
    fails_with(encode_client_frame(fin | op_cont, "orphan"), ws::protocol_error);
  }
  SECTION("a new text frame inside a fragmented message: 1002") {
    CHECK(feed(r, encode_client_frame(op_text, "first"), h));
    fails_with(encode_client_frame(fin | op_text, "second"), ws::protocol_error);
  }
  SECTION("reserved opcodes: 1002") {
    fails_with(encode_client_frame(fin | 0x3, "?"), ws::protocol_error);
    ws::reader r2{64};
    recorder h2;
    CHECK_FALSE(feed(r2, encode_client_frame(fin | 0xB, "?"), h2));
    CHECK(h2.error_code == ws::protocol_error);
  }
}

TEST_CASE("reader delivers nothing after an error", "[ws_wire]") {
  ws::reader r{64};
  recorder h;
  SECTION("later frames in the same read") {
    CHECK_FALSE(feed(r,
                     encode_client_frame(fin | op_binary, "b") +
                         encode_client_frame(fin | op_text, "t") +
                         encode_client_frame(fin | op_ping, "p"),
                     h));
    CHECK(h.events == std::vector<std::string>{"error:1003"});
  }
  SECTION("later reads") {
    CHECK_FALSE(feed(r, encode_client_frame(fin | op_text, "x", false), h));
    CHECK_FALSE(feed(r, encode_client_frame(fin | op_text, "t"), h));
    CHECK_FALSE(feed(r, encode_client_frame(fin | op_close, close_payload(1000)), h));
    CHECK(h.events == std::vector<std::string>{"error:1002"});
  }
  SECTION("frames before the error are delivered") {
    CHECK_FALSE(feed(
        r, encode_client_frame(fin | op_text, "ok") + encode_client_frame(fin | op_text, "\xC0"),
        h));
    CHECK(h.events == std::vector<std::string>{"text:ok", "error:1007"});
  }
}

TEST_CASE("reader refuses a 64-bit length that overflows with a buffered fragment", "[ws_wire]") {
  ws::reader r{1024};
  recorder h;
  REQUIRE(feed(r, encode_client_frame(op_text, "a"), h));
  auto huge = client_header(fin | op_cont, ~uint64_t{0}, true, {1, 2, 3, 4});
  bool more = true;
  REQUIRE_NOTHROW(more = feed(r, huge, h));
  CHECK_FALSE(more);
  CHECK((h.error_code == ws::message_too_big || h.error_code == ws::protocol_error));
}

TEST_CASE("reader does not buffer without bound after an overflowing 64-bit length", "[ws_wire]") {
  ws::reader r{1024};
  recorder h;
  REQUIRE(feed(r, encode_client_frame(op_text, std::string(100, 'a')), h));
  auto huge = client_header(fin | op_cont, ~uint64_t{0} - 99, true, {1, 2, 3, 4});
  bool more = true;
  REQUIRE_NOTHROW(more = feed(r, huge, h));
  std::string junk(64 * 1024, 'j');
  for (int i = 0; i < 64 && more; ++i) // 4 MiB, far over the 1 KiB message limit
    REQUIRE_NOTHROW(more = r.feed(junk.data(), junk.size(), h));
  CHECK_FALSE(more);
  CHECK((h.error_code == ws::message_too_big || h.error_code == ws::protocol_error));
}
