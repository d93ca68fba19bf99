#include "messages/errc.hpp"
#include "messages/frames.hpp"

#include <catch2/catch.hpp>

using namespace arbor;

TEST_CASE("client frames parse from the contract's JSON", "[frames]") {
  auto input = parse_client_frame(R"j({"type":"input","data":"print(1)"})j");
  REQUIRE(input);
  REQUIRE(std::holds_alternative<input_frame>(*input));
  CHECK(std::get<input_frame>(*input).data == "print(1)");
  auto interrupt = parse_client_frame(R"({"type":"interrupt"})");
  REQUIRE(interrupt);
  CHECK(std::holds_alternative<interrupt_frame>(*interrupt));
  auto ping = parse_client_frame(R"({"type":"ping"})");
  REQUIRE(ping);
  CHECK(std::holds_alternative<ping_frame>(*ping));
}

TEST_CASE("bad client frames are bad_json errors with a reason", "[frames]") {
  for (auto text : {"not json", "[1,2]", R"({"data":"x"})", R"({"type":"input"})",
                    R"({"type":"input","data":7})", R"({"type":"launch"})", ""}) {
    INFO(text);
    auto frame = parse_client_frame(text);
    REQUIRE_FALSE(frame);
    CHECK(is(frame.error(), errc::bad_json));
    CHECK_FALSE(context_of(frame.error()).empty());
  }
}

TEST_CASE("every server frame survives a JSON round trip", "[frames]") {
  std::vector<server_frame> frames{output_frame{41, "hello \"world\"\n", false},
                                   output_frame{42, "cut", true},
                                   status_frame{"restarting", 3},
                                   file_changed_frame{"/tmp/nb.py"},
                                   gap_frame{3, 17},
                                   error_frame{"bad_json", "field 'type' missing"},
                                   closing_frame{"shutdown"},
                                   pong_frame{}};
  for (const auto& frame : frames) {
    auto text = to_json_text(frame);
    INFO(text);
    auto back = parse_server_frame(text);
    REQUIRE(back);
    CHECK(back->index() == frame.index());
    CHECK(to_json_text(*back) == text);
  }
}

TEST_CASE("client frames serialise to what they parse from", "[frames]") {
  client_frame input = input_frame{"x = 1"};
  CHECK(to_json_text(input) == R"({"type":"input","data":"x = 1"})");
  auto back = parse_client_frame(to_json_text(input));
  REQUIRE(back);
  CHECK(std::get<input_frame>(*back).data == "x = 1");
}
