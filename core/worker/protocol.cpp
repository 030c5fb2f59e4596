#include "worker/protocol.hpp"

#include <abm/sdk/json_writer.hpp>

#include "common/timestamp.hpp"

namespace abm::worker {

using sdk::appendJsonString;

namespace {

MessageType typeFromName(std::string_view t) {
  if (t == "RECORD") return MessageType::Record;
  if (t == "STATE") return MessageType::State;
  if (t == "LOG") return MessageType::Log;
  if (t == "TRACE") return MessageType::Trace;
  if (t == "CATALOG") return MessageType::Catalog;
  if (t == "CONNECTION_STATUS") return MessageType::ConnectionStatus;
  if (t == "SPEC") return MessageType::Spec;
  return MessageType::Unknown;
}

}  // namespace

bool MessageParser::parse(std::string_view line) {
  scratch_.clear();
  error.clear();
  std::string_view type_name, record_payload;
  JsonCursor top(line, scratch_);
  const bool ok = top.object([&](std::string_view key, const JsonSlice& v) {
    if (key == "type" && v.kind == JsonKind::String) type_name = v.str;
    else if (key == "record" && v.kind == JsonKind::Object) record_payload = v.raw;
    return true;
  });
  if (!ok || !top.atEnd()) {
    error = std::string("not a JSON object (") + (top.error() ? top.error() : "trailing characters") + ")";
    return false;
  }
  type = typeFromName(type_name);
  if (type_name.empty()) {
    error = "message has no \"type\"";
    return false;
  }
  if (type == MessageType::Record) {
    if (record_payload.empty()) {
      error = "RECORD message without a \"record\" object";
      return false;
    }
    return parseRecord(record_payload);
  }
  other = nlohmann::json::parse(line, nullptr, false);
  if (other.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  return true;
}

bool MessageParser::parseRecord(std::string_view payload) {
  record.stream = {};
  record.origin = {};
  record.data_raw = {};
  record.fields.clear();
  JsonCursor cur(payload, scratch_);
  const bool ok = cur.object([&](std::string_view key, const JsonSlice& v) {
    if (key == "stream" && v.kind == JsonKind::String) record.stream = v.str;
    else if (key == "origin" && v.kind == JsonKind::String) record.origin = v.str;
    else if (key == "data" && v.kind == JsonKind::Object) record.data_raw = v.raw;
    return true;
  });
  if (!ok) {
    error = std::string("bad RECORD: ") + (cur.error() ? cur.error() : "syntax error");
    return false;
  }
  if (record.stream.empty() || record.data_raw.empty()) {
    error = "RECORD needs \"stream\" and a \"data\" object";
    return false;
  }
  JsonCursor data(record.data_raw, scratch_);
  return data.object([&](std::string_view key, const JsonSlice& v) {
    record.fields.push_back({key, v});
    return true;
  });
}

void appendRecord(std::string& out, std::string_view stream, std::string_view data, const char* origin,
                  long long emitted_at_ms) {
  out += R"({"type":"RECORD","record":{"stream":)";
  appendJsonString(out, stream);
  out += R"(,"emitted_at":)";
  out += std::to_string(emitted_at_ms);
  if (origin) {
    out += R"(,"origin":)";
    appendJsonString(out, origin);
  }
  out += R"(,"data":)";
  out.append(data);
  out += "}}\n";
}

std::string stateMessage(std::string_view stream, std::string_view state_json) {
  std::string out = R"({"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":)";
  appendJsonString(out, stream);
  out += R"(},"stream_state":)";
  out.append(state_json);
  out += "}}}\n";
  return out;
}

std::string logMessage(std::string_view level, std::string_view message) {
  std::string out = R"({"type":"LOG","log":{"level":)";
  appendJsonString(out, level);
  out += R"(,"message":)";
  appendJsonString(out, message);
  out += "}}\n";
  return out;
}

namespace {

// {"type":"TRACE","trace":{"type":"ERROR","emitted_at":…,"error":{"message":…,"failure_type":…  (left open)
std::string errorTraceHead(std::string_view message, std::string_view failure_type, long long emitted_at_ms) {
  std::string out = R"({"type":"TRACE","trace":{"type":"ERROR","emitted_at":)" + std::to_string(emitted_at_ms) +
                    R"(,"error":{"message":)";
  appendJsonString(out, message);
  out += R"(,"failure_type":)";
  appendJsonString(out, failure_type);
  return out;
}

}  // namespace

std::string errorTrace(std::string_view message, std::string_view failure_type, long long emitted_at_ms) {
  return errorTraceHead(message, failure_type, emitted_at_ms) + "}}}\n";
}

std::string rateLimitedTrace(std::string_view message, int64_t resume_at, long long emitted_at_ms) {
  return errorTraceHead(message, "rate_limited", emitted_at_ms) + R"(,"resume_at":")" + formatTimestamp(resume_at) +
         "\"}}}\n";
}

std::string recordErrorTrace(std::string_view stream, std::string_view origin, std::string_view reason,
                             long long emitted_at_ms, std::string_view raw) {
  std::string out = errorTraceHead(reason, "record_error", emitted_at_ms);
  out += R"(,"stream":)";
  appendJsonString(out, stream);
  out += R"(,"origin":)";
  appendJsonString(out, origin);
  if (!raw.empty()) {
    out += R"(,"raw":)";
    appendJsonString(out, raw);
  }
  out += "}}}\n";
  return out;
}

}  // namespace abm::worker
