// The actor of one TCP connection: answers its HTTP requests and, after a
// WebSocket upgrade on /ws/sessions/{id}, is that client's subscriber on the
// session's distributor.
//
// Spawned by the listener for each accepted socket; not supervised (a
// connection is not restarted), monitored by nothing, it ends when its
// socket ends (`closed_atom`) and then never outlives its connection.
//
// Takes from its connection (network thread):
//   http_request_atom, shared_ptr<http_request>  route it; answer with respond()
//   ws_open_atom                            the handshake is done: subscribe
//                                           with a sink (output and gaps go to
//                                           the connection directly), then
//                                           `attach` the connection to the
//                                           session's channel
//   ws_text_atom, string                    a client frame the connection could
//                                           not handle itself (no channel)
//   pong_atom / written_atom, uint64_t seq  the same, for pongs and acks
//   closed_atom                             the socket is gone: quit
// Takes from the distributor: status, file_changed, ping (→ a WebSocket
// ping), dropped (→ close 1008), closing (→ `closing` frame, close 1001);
// output batches and gaps only from a distributor that has no sink for it.
//
//   http ──upgrade──▶ opening ──subscribed──▶ attached ──closing/dropped──▶ closing ──closed──▶ ∎
//
// Bad client frames get an `error` frame and the connection stays usable.
#pragma once

#include "actors/http/server.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <memory>

namespace arbor::http {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

using http_request_atom = caf::atom_constant<caf::atom("httpreq")>;
using ws_open_atom = caf::atom_constant<caf::atom("wsopen")>;
using ws_text_atom = caf::atom_constant<caf::atom("wstext")>;
using written_atom = caf::atom_constant<caf::atom("written")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using accept_atom = caf::atom_constant<caf::atom("accept")>;

class connection;

caf::actor spawn_client_actor(caf::actor_system& sys, std::shared_ptr<server_state> state,
                              std::shared_ptr<connection> conn);

} // namespace arbor::http

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<arbor::http::http_request>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<arbor::http::connection>)
