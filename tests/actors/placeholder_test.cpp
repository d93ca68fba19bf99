#include "messages/errc.hpp"

#include <catch2/catch.hpp>

// Replaced by the runtime actors' tests as they land.
TEST_CASE("the actors library links", "[actors]") {
  CHECK(arbor::describe(arbor::make_error(arbor::errc::not_found)) == "not_found");
}
