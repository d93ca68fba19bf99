// The actor of one TCP connection (see client_actor.hpp).
#include "actors/http/client_actor.hpp"

#include "actors/http/api.hpp"
#include "actors/http/connection.hpp"
#include "actors/session_channel.hpp"
#include "messages/atoms.hpp"
#include "messages/frames.hpp"
#include "messages/json.hpp"
#include "messages/session.hpp"
#include "messages/supervision.hpp"
#include "messages/ws_wire.hpp"

#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>
#include <optional>

namespace arbor::http {

namespace {

namespace bhttp = boost::beast::http;

/// The frames of `batch`'s lines after `last_seq` (which moves on), or
/// nothing when all were sent. With `wire` the encoding is shared by every
/// client of the batch.
std::optional<chunk> output_chunk(const output_batch& batch,
                                  const std::shared_ptr<ws::wire_cache>& wire, uint64_t& last_seq,
                                  std::string& scratch) {
  if (batch.lines.empty() || batch.lines.back().seq <= last_seq)
    return std::nullopt;
  auto last = batch.lines.back().seq;
  if (batch.lines.front().seq <= last_seq) { // overlap with what was sent: the new part only
    std::string bytes;
    uint64_t n = 0;
    for (const auto& line : batch.lines)
      if (line.seq > last_seq && ++n)
        ws::append_output_frame(bytes, line);
    last_seq = last;
    return make_chunk(std::move(bytes), n, last);
  }
  last_seq = last;
  const auto& bytes = ws::encoded_frames(batch, wire.get(), scratch);
  if (!wire)
    return make_chunk(bytes, batch.lines.size(), last);
  return chunk{wire, bytes.data(), bytes.size(), batch.lines.size(), last};
}

/// Output of a session for one WebSocket client: encoded (once per batch for
/// all clients) and queued on the connection, from whichever thread published
/// it (the session channel calls this under its lock).
class ws_sink final : public output_sink {
public:
  ws_sink(const std::shared_ptr<connection>& conn, io_loop_ptr net)
    : conn_(conn), net_(std::move(net)) {}

  void output(const output_batch& batch, const std::shared_ptr<ws::wire_cache>& wire) override {
    if (auto c = output_chunk(batch, wire, last_seq_, scratch_))
      push(std::move(*c));
  }

  void gap(const gap_notice& g) override {
    std::string bytes;
    ws::append_frame(bytes, ws::opcode::text, to_json_text(gap_frame{g.from, g.to}));
    push(make_chunk(std::move(bytes)));
  }

private:
  /// Published on the network loop itself (one I/O loop): queued at once;
  /// from another thread: posted there. `send` never calls back into the
  /// channel (its completions come later, as handlers of their own).
  void push(chunk c) {
    auto conn = conn_.lock();
    if (!conn)
      return;
    if (net_->context().get_executor().running_in_this_thread())
      return conn->send(std::move(c));
    net_->post([conn = std::move(conn), c = std::move(c)]() mutable { conn->send(std::move(c)); });
  }

  std::weak_ptr<connection> conn_; // the sink never keeps a connection (network thread's)
  io_loop_ptr net_;
  uint64_t last_seq_ = 0;
  std::string scratch_;
};

class client_actor final : public caf::event_based_actor {
public:
  client_actor(caf::actor_config& cfg, std::shared_ptr<server_state> state,
               std::shared_ptr<connection> conn)
    : caf::event_based_actor(cfg), state_(std::move(state)), conn_(std::move(conn)) {}

  caf::behavior make_behavior() override {
    set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
    return {
        [this](http_request_atom, std::shared_ptr<http_request>& req) { on_request(*req); },
        [this](ws_open_atom) { on_open(); },
        [this](ws_text_atom, const std::string& text) { on_text(text); },
        [this](pong_atom a) { to_session(caf::make_message(a)); },
        [this](written_atom, uint64_t seq) { to_session(caf::make_message(ack_atom::value, seq)); },
        [this](closed_atom) { quit(); },
        [this](output_atom, const output_batch& batch) { on_output(batch); },
        [this](status_atom, const kernel_status& s) {
          frame(status_frame{s.state, s.restarts});
        },
        [this](gap_atom, const gap_notice& g) {
          frame(gap_frame{g.from, g.to});
        },
        [this](file_changed_atom, const file_event& e) { frame(file_changed_frame{e.path}); },
        [this](ping_atom) { ping_client(); },
        [this](dropped_atom, const std::string& why) { on_dropped(why); },
        [this](closing_atom, const std::string& why) { on_closing(why); },
    };
  }

  void on_exit() override {
    if (attached_)
      state_->counters.ws_clients.fetch_sub(1, std::memory_order_relaxed);
    attached_ = false;
    if (conn_)
      state_->net->post([conn = std::move(conn_)] { conn->abort(); });
  }

private:
  // -- HTTP --------------------------------------------------------------------

  void on_request(http_request& req) {
    auto t = parse_target(req.target());
    if (!t)
      return reply_error(t.error());
    if (t->path == "/healthz")
      return reply(200, R"({"status":"ok"})");
    if (t->path == "/readyz")
      return ready() ? reply(200, R"({"status":"ready"})")
                     : reply_error(make_error(errc::not_ready, "starting or shutting down"));
    if (!authorized(state_->cfg.token, req[bhttp::field::authorization], *t))
      return reply_error(make_error(errc::unauthorized, "missing or wrong token"));
    if (boost::beast::websocket::is_upgrade(req))
      return on_upgrade(req, *t);
    route(req, *t);
  }

  void route(const http_request& req, const target& t) {
    auto method = req.method();
    const std::string& path = t.path;
    constexpr std::string_view sessions = "/api/sessions";
    if (path == "/metrics")
      return only(method, bhttp::verb::get, [&] { on_metrics(); });
    if (path == "/api/tree")
      return only(method, bhttp::verb::get, [&] { on_tree(); });
    if (path == "/api/logs")
      return only(method, bhttp::verb::get, [&] { on_logs(t); });
    if (path == "/api/shutdown")
      return only(method, bhttp::verb::post, [&] { on_shutdown(); });
    if (path == sessions)
      return method == bhttp::verb::post ? on_create(req.body())
                                         : only(method, bhttp::verb::get, [&] { on_list(); });
    if (path.compare(0, sessions.size() + 1, std::string{sessions} + "/") == 0)
      return route_session(method, path.substr(sessions.size() + 1));
    reply_error(make_error(errc::not_found, "no such route: " + path));
  }

  void route_session(bhttp::verb method, const std::string& rest) {
    auto slash = rest.find('/');
    auto id = rest.substr(0, slash);
    if (!plausible_session_id(id))
      return reply_error(make_error(errc::not_found, "unknown session"));
    if (slash != std::string::npos) {
      if (rest.substr(slash) != "/export")
        return reply_error(make_error(errc::not_found, "no such route"));
      return only(method, bhttp::verb::post, [&] { on_export(id); });
    }
    if (method == bhttp::verb::delete_)
      return on_close(id);
    only(method, bhttp::verb::get, [&] { on_info(id); });
  }

  template <class F>
  void only(bhttp::verb method, bhttp::verb allowed, F&& fn) {
    if (method != allowed)
      return reply_error(
          make_error(errc::method_not_allowed, "use " + std::string{bhttp::to_string(allowed)}));
    fn();
  }

  void on_list() {
    ask_then([this](std::vector<session_info>& all) { reply(200, sessions_json(all)); },
             list_atom::value);
  }

  void on_info(const std::string& id) {
    ask_then([this](session_info& info) { reply(200, session_json(info)); }, info_atom::value, id);
  }

  void on_create(const std::string& body) {
    auto req = parse_session_request(body);
    if (!req)
      return reply_error(req.error());
    if (!req->file.empty()) {
      auto file = confine(req->file, state_->cfg.file_roots);
      if (!file)
        return reply_error(file.error());
      req->file = std::move(*file);
    }
    ask_then([this](session_info& info) { reply(201, session_json(info)); }, create_atom::value,
             std::move(*req));
  }

  void on_close(const std::string& id) {
    ask_then([this, id](ok_atom) { reply(200, R"({"id":")" + id + R"(","closed":true})"); },
             close_atom::value, id);
  }

  void on_export(const std::string& id) {
    auto on_path = [this](std::string& path) {
      std::string body = R"({"path":)";
      ws::append_json_string(body, path);
      reply(200, body + "}");
    };
    ask_then(on_path, export_atom::value, id);
  }

  void on_tree() {
    if (!ready())
      return reply_error(make_error(errc::not_ready, "starting or shutting down"));
    auto root = caf::actor_cast<caf::actor>(state_->root);
    if (!root)
      return reply_error(make_error(errc::not_ready, "starting or shutting down"));
    request(root, state_->cfg.call_timeout, snapshot_atom::value)
        .then([this](tree_node& tree) { reply(200, boost::json::serialize(to_json(tree))); },
              [this](caf::error& err) { reply_error(err); });
  }

  void on_logs(const target& t) {
    uint64_t after = 0;
    size_t limit = 1000;
    if (auto i = t.query.find("after"); i != t.query.end())
      after = std::strtoull(i->second.c_str(), nullptr, 10);
    if (auto i = t.query.find("limit"); i != t.query.end())
      limit = std::clamp<size_t>(std::strtoull(i->second.c_str(), nullptr, 10), 1, 10000);
    auto page = state_->logs ? state_->logs->after(after, limit) : log_ring::page{{}, after};
    std::string body = R"({"lines":[)";
    for (size_t i = 0; i < page.lines.size(); ++i)
      body += (i > 0 ? "," : "") + page.lines[i];
    reply(200, body + R"(],"next":)" + std::to_string(page.next) + "}");
  }

  void on_metrics() {
    auto render = [this](std::vector<session_info>& all) {
      auto snap = sessions_snapshot(all);
      if (state_->logs)
        snap.supervisor_events = state_->logs->event_counts();
      reply(200, render_prometheus(state_->counters, snap), "text/plain; version=0.0.4");
    };
    ask_then(render, list_atom::value);
  }

  void on_shutdown() {
    if (!ready())
      return reply_error(make_error(errc::not_ready, "already shutting down"));
    reply(202, R"({"status":"shutting_down"})");
    state_->shutdown();
  }

  /// Asks the session manager; `on_ok` handles the answer, errors become error replies.
  template <class F, class... Ts>
  void ask_then(F on_ok, Ts&&... xs) {
    auto sessions = caf::actor_cast<caf::actor>(state_->sessions);
    if (!sessions)
      return reply_error(make_error(errc::shutting_down, "the session manager is gone"));
    request(sessions, state_->cfg.call_timeout, std::forward<Ts>(xs)...)
        .then(std::move(on_ok), [this](caf::error& err) { reply_error(err); });
  }

  bool ready() const { return state_->ready.load(std::memory_order_acquire); }

  void reply(unsigned status, std::string body, const char* type = "application/json") {
    connection::response res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, type);
    res.set(bhttp::field::cache_control, "no-store");
    if (status == 401)
      res.set(bhttp::field::www_authenticate, "Bearer");
    res.body() = std::move(body);
    res.prepare_payload();
    state_->net->post(
        [conn = conn_, res = std::move(res)]() mutable { conn->respond(std::move(res)); });
  }

  void reply_error(const caf::error& err) {
    if (err == caf::sec::request_timeout)
      return reply(504, error_body("timeout", "the server did not answer in time"));
    reply(status_of(err), error_body(err));
  }

  // -- WebSocket -------------------------------------------------------------------

  void on_upgrade(const http_request& req, const target& t) {
    constexpr std::string_view prefix = "/ws/sessions/";
    if (t.path.compare(0, prefix.size(), prefix) != 0)
      return reply_error(make_error(errc::not_found, "no such route: " + t.path));
    if (!origin_allowed(req[bhttp::field::origin], req[bhttp::field::host],
                        state_->cfg.allowed_origins))
      return reply_error(make_error(errc::forbidden, "Origin not allowed"));
    if (auto i = t.query.find("since"); i != t.query.end()) {
      char* end = nullptr;
      since_ = std::strtoll(i->second.c_str(), &end, 10);
      if (i->second.empty() || *end != '\0' || since_ < -1)
        return reply_error(make_error(errc::bad_request, "since must be an integer >= -1"));
    }
    session_id_ = t.path.substr(prefix.size());
    state_->net->post([conn = conn_] { conn->upgrade(); });
  }

  void on_open() {
    if (!plausible_session_id(session_id_))
      return refuse(ws::unknown_session, "not_found", "unknown session");
    auto sessions = caf::actor_cast<caf::actor>(state_->sessions);
    if (!sessions)
      return refuse(ws::going_away, "shutting_down", "the server is shutting down");
    request(sessions, state_->cfg.call_timeout, get_child_atom::value, session_id_)
        .then([this](caf::actor& distributor) { subscribe(std::move(distributor)); },
              [this](caf::error& err) {
                is(err, errc::not_found)
                    ? refuse(ws::unknown_session, "not_found", "unknown session")
                    : refuse(ws::internal_error, "internal_error", describe(err));
              });
  }

  /// Output and input then bypass this actor: the session's channel and the
  /// connection exchange them directly (see ws_sink and connection::attach).
  void subscribe(caf::actor distributor) {
    distributor_ = std::move(distributor);
    monitor(distributor_);
    auto sink = std::make_shared<ws_sink>(conn_, state_->net);
    request(distributor_, state_->cfg.call_timeout, subscribe_atom::value,
            subscribe_request{since_}, output_sink_ptr{std::move(sink)})
        .then(
            [this](subscription& sub, session_channel_ptr& chan) {
              attached_ = true;
              state_->counters.ws_clients.fetch_add(1, std::memory_order_relaxed);
              frame(status_frame{sub.kernel.state, sub.kernel.restarts});
              state_->net->post([conn = conn_, chan = std::move(chan)]() mutable {
                conn->attach(std::move(chan));
              });
            },
            [this](caf::error& err) {
              distributor_ = nullptr;
              is(err, errc::limit_reached)
                  ? refuse(ws::policy_violation, "limit_reached",
                           "too many clients on this session")
                  : refuse(ws::unknown_session, "not_found", "session closed");
            });
  }

  void on_text(const std::string& text) {
    auto parsed = parse_client_frame(text);
    if (!parsed)
      return frame(error_frame{"bad_json", context_of(parsed.error())});
    if (std::holds_alternative<ping_frame>(*parsed))
      return frame(pong_frame{});
    if (!distributor_)
      return frame(error_frame{"not_ready", "not attached to a session"});
    auto msg = std::holds_alternative<input_frame>(*parsed)
                   ? caf::make_message(input_atom::value, std::get<input_frame>(*parsed).data)
                   : caf::make_message(interrupt_atom::value);
    request(distributor_, state_->cfg.call_timeout, std::move(msg))
        .then([](ok_atom) {}, [this](caf::error& err) { frame(input_error_frame(err)); });
  }

  /// Output by message (a distributor that did not take this client's sink).
  void on_output(const output_batch& batch) {
    if (auto c = output_chunk(batch, batch.wire, last_seq_, scratch_))
      push(std::move(*c));
  }

  void frame(const server_frame& f) {
    std::string bytes;
    ws::append_frame(bytes, ws::opcode::text, to_json_text(f));
    push(make_chunk(std::move(bytes)));
  }

  void ping_client() {
    std::string bytes;
    ws::append_frame(bytes, ws::opcode::ping, {});
    push(make_chunk(std::move(bytes), 0));
  }

  void push(chunk c) {
    state_->net->post([conn = conn_, c = std::move(c)]() mutable { conn->send(std::move(c)); });
  }

  void close(uint16_t code, std::string why, bool discard = false) {
    state_->net->post([conn = conn_, code, why = std::move(why), discard]() mutable {
      conn->close_ws(code, std::move(why), discard);
    });
  }

  void refuse(uint16_t code, const char* error_code, const std::string& message) {
    frame(error_frame{error_code, message});
    close(code, message);
  }

  void on_dropped(const std::string& why) {
    state_->counters.dropped_clients.fetch_add(1, std::memory_order_relaxed);
    detach();
    close(ws::policy_violation, why, true);
  }

  void on_closing(const std::string& why) {
    detach();
    frame(closing_frame{why});
    close(ws::going_away, why);
  }

  void on_down(const caf::down_msg& msg) {
    if (msg.source != distributor_.address())
      return;
    detach();
    frame(closing_frame{describe(msg.reason)});
    close(ws::going_away, "session closed");
  }

  void detach() {
    if (distributor_)
      demonitor(distributor_);
    distributor_ = nullptr;
  }

  void to_session(caf::message msg) {
    if (distributor_)
      send(distributor_, std::move(msg));
  }

  std::shared_ptr<server_state> state_;
  std::shared_ptr<connection> conn_;
  caf::actor distributor_;
  std::string session_id_;
  int64_t since_ = -1;
  uint64_t last_seq_ = 0;
  bool attached_ = false;
  std::string scratch_;
};

} // namespace

caf::actor spawn_client_actor(caf::actor_system& sys, std::shared_ptr<server_state> state,
                              std::shared_ptr<connection> conn) {
  return sys.spawn<client_actor>(std::move(state), std::move(conn));
}

} // namespace arbor::http
