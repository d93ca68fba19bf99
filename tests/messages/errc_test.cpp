#include "messages/errc.hpp"

#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <catch2/catch.hpp>

using namespace arbor;

TEST_CASE("errors render as snake_case names with their context", "[errc]") {
  CHECK(describe(make_error(errc::restart_intensity_exceeded)) == "restart_intensity_exceeded");
  CHECK(describe(make_error(errc::exit_code, "137")) == "exit_code:137");
  CHECK(context_of(make_error(errc::signal, "9")) == "9");
  CHECK(context_of(make_error(errc::signal)).empty());
}

TEST_CASE("exit reasons render as plain words", "[errc]") {
  CHECK(describe(caf::error{}) == "normal");
  CHECK(describe(caf::make_error(caf::exit_reason::user_shutdown)) == "shutdown");
  CHECK(describe(caf::make_error(caf::exit_reason::kill)) == "killed");
  CHECK(describe(caf::make_error(caf::sec::request_timeout)) == "system:request_timeout");
}

TEST_CASE("is() matches only arbor's own code", "[errc]") {
  auto err = make_error(errc::unknown_child, "x");
  CHECK(is(err, errc::unknown_child));
  CHECK_FALSE(is(err, errc::duplicate_child));
  CHECK_FALSE(is(caf::make_error(caf::sec::request_timeout), errc::unknown_child));
}

TEST_CASE("clean exits are none, normal and shutdown", "[errc]") {
  CHECK(is_clean_exit(caf::error{}));
  CHECK(is_clean_exit(caf::make_error(caf::exit_reason::normal)));
  CHECK(is_clean_exit(caf::make_error(caf::exit_reason::user_shutdown)));
  CHECK_FALSE(is_clean_exit(caf::make_error(caf::exit_reason::kill)));
  CHECK_FALSE(is_clean_exit(make_error(errc::exit_code, "1")));
}
