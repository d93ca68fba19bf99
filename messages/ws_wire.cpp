// WebSocket framing: server frames out, client frames in (see ws_wire.hpp).
#include "messages/ws_wire.hpp"

#include <charconv>
#include <cstring>

namespace arbor::ws {

namespace {

constexpr char replacement[] = "\xEF\xBF\xBD"; // U+FFFD

/// Length of the valid UTF-8 sequence starting at `p` (non-ASCII lead), or 0.
size_t utf8_sequence(const unsigned char* p, size_t n) noexcept {
  auto cont = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  unsigned char c = p[0];
  if (c >= 0xC2 && c <= 0xDF)
    return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2))
      return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)) // overlong, surrogate
      return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3))
      return 0;
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) // overlong, > U+10FFFF
      return 0;
    return 4;
  }
  return 0;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  static constexpr char hex[] = "0123456789abcdef";
  char buf[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(buf, sizeof(buf));
}

void append_header(std::string& out, opcode op, size_t size) {
  out.push_back(static_cast<char>(0x80 | static_cast<uint8_t>(op)));
  if (size < 126) {
    out.push_back(static_cast<char>(size));
  } else if (size <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((static_cast<uint64_t>(size) >> shift) & 0xFF));
  }
}

uint64_t read_length(const unsigned char* p, size_t bytes) {
  uint64_t len = 0;
  for (size_t i = 0; i < bytes; ++i)
    len = (len << 8) | p[i];
  return len;
}

} // namespace

void append_frame(std::string& out, opcode op, std::string_view payload) {
  append_header(out, op, payload.size());
  out.append(payload);
}

void append_close(std::string& out, uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  auto cut = reason.substr(0, 123);
  if (cut.size() < reason.size()) // do not split a UTF-8 sequence
    while (!cut.empty() && (static_cast<unsigned char>(reason[cut.size()]) & 0xC0) == 0x80)
      cut.remove_suffix(1);
  payload.append(cut);
  append_frame(out, opcode::close, payload);
}

void append_json_string(std::string& out, std::string_view text) {
  auto p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t clean = 0; // start of the run not yet copied
  out.push_back('"');
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text.data() + clean, i - clean);
    if (c < 0x80) {
      append_escape(out, c);
      ++i;
    } else if (auto len = utf8_sequence(p + i, n - i); len > 0) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out += replacement;
      ++i;
    }
    clean = i;
  }
  out.append(text.data() + clean, n - clean);
  out.push_back('"');
}

void append_output_frame(std::string& out, const output_line& line) {
  thread_local std::string json;
  json.clear();
  json += R"({"type":"output","seq":)";
  char digits[24];
  auto res = std::to_chars(digits, digits + sizeof(digits), line.seq);
  json.append(digits, res.ptr);
  json += R"(,"data":)";
  append_json_string(json, line.data);
  if (line.split)
    json += R"(,"split":true)";
  json.push_back('}');
  append_frame(out, opcode::text, json);
}

std::shared_ptr<wire_cache> make_wire_cache() {
  return std::make_shared<wire_cache>();
}

const std::string& encoded_frames(const output_batch& batch, std::string& scratch) {
  return encoded_frames(batch, batch.wire.get(), scratch);
}

const std::string& encoded_frames(const output_batch& batch, wire_cache* cache,
                                  std::string& scratch) {
  auto encode = [&batch](std::string& out) {
    out.clear();
    out.reserve(batch.lines.size() * 40);
    for (const auto& line : batch.lines)
      append_output_frame(out, line);
  };
  if (!cache) {
    encode(scratch);
    return scratch;
  }
  std::call_once(cache->once, encode, std::ref(cache->bytes));
  return cache->bytes;
}

bool valid_utf8(std::string_view text) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0, n = text.size(); i < n;) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    auto len = utf8_sequence(p + i, n - i);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

// -- reader -------------------------------------------------------------------

bool reader::feed(const char* data, size_t size, handler& h) {
  if (done_)
    return false;
  in_.append(data, size);
  while (!done_ && parse_one(h)) {
  }
  return !done_;
}

// Parses one frame from the front of in_; false when more bytes are needed or
// the stream ended.
bool reader::parse_one(handler& h) {
  auto p = reinterpret_cast<const unsigned char*>(in_.data());
  size_t n = in_.size();
  if (n < 2)
    return false;
  bool fin = (p[0] & 0x80) != 0;
  uint8_t op = p[0] & 0x0F;
  bool control = (op & 0x08) != 0;
  size_t len_bytes = (p[1] & 0x7F) == 126 ? 2 : (p[1] & 0x7F) == 127 ? 8 : 0;
  if ((p[0] & 0x70) != 0 || (p[1] & 0x80) == 0) {
    done_ = true;
    h.on_error(protocol_error,
               (p[0] & 0x70) ? "reserved bits set" : "client frames must be masked");
    return false;
  }
  if (n < 2 + len_bytes)
    return false;
  uint64_t len = len_bytes == 0 ? (p[1] & 0x7F) : read_length(p + 2, len_bytes);
  if (len >> 63) {
    done_ = true;
    h.on_error(protocol_error, "frame length has its most significant bit set");
    return false;
  }
  if (control && (len > 125 || !fin)) {
    done_ = true;
    h.on_error(protocol_error, "invalid control frame");
    return false;
  }
  if (!control && (len > max_message_ || len + message_.size() > max_message_)) {
    done_ = true;
    h.on_error(message_too_big, "message exceeds the frame size limit");
    return false;
  }
  size_t header = 2 + len_bytes + 4;
  if (n < header + len)
    return false;
  const unsigned char* mask = p + 2 + len_bytes;
  std::string payload(in_.data() + header, static_cast<size_t>(len));
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(payload[i] ^ mask[i & 3]);
  in_.erase(0, header + static_cast<size_t>(len));
  return deliver(op, fin, payload, h);
}

bool reader::deliver(uint8_t op, bool fin, std::string_view payload, handler& h) {
  auto fail = [&](uint16_t code, std::string_view why) {
    done_ = true;
    h.on_error(code, why);
    return false;
  };
  switch (static_cast<opcode>(op)) {
    case opcode::text:
    case opcode::continuation:
      if ((op == 1) == fragmented_)
        return fail(protocol_error, fragmented_ ? "expected a continuation frame"
                                                : "continuation without a message");
      message_.append(payload);
      fragmented_ = !fin;
      if (!fin)
        return true;
      if (!valid_utf8(message_))
        return fail(invalid_payload, "text message is not valid UTF-8");
      h.on_text(message_);
      message_.clear();
      return true;
    case opcode::binary:
      return fail(unsupported_data, "binary messages are not supported");
    case opcode::close: {
      done_ = true;
      uint16_t code = payload.size() >= 2
                          ? static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                                  static_cast<uint8_t>(payload[1]))
                          : uint16_t{normal};
      h.on_close(code);
      return false;
    }
    case opcode::ping:
      h.on_ping(payload);
      return true;
    case opcode::pong:
      h.on_pong();
      return true;
  }
  return fail(protocol_error, "unknown opcode");
}

} // namespace arbor::ws
