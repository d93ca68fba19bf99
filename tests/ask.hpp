// Test helper: one bounded request/response from a scoped actor.
#pragma once
#include "messages/errc.hpp"

#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <chrono>

namespace arbor::test {

/// Sends a request and returns its reply (or the error), waiting at most 10 s.
template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const caf::actor& dest, Ts&&... xs) {
  caf::expected<T> result = make_error(errc::timeout);
  self->request(dest, std::chrono::seconds(10), std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

} // namespace arbor::test
