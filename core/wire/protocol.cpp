#include "wire/protocol.hpp"

#include <abm/sdk/json_writer.hpp>

#include "common/timestamp.hpp"

namespace abm::wire {

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

const char* kindName(JsonKind k) {
  switch (k) {
    case JsonKind::Null: return "null";
    case JsonKind::Bool: return "a boolean";
    case JsonKind::Number: return "a number";
    case JsonKind::String: return "a string";
    case JsonKind::Object: return "an object";
    case JsonKind::Array: return "an array";
  }
  return "a value";
}

// One member a message may have: the kind it must be and where its text goes (decoded for
// strings, raw JSON for objects and arrays). A null member counts as absent.
struct Member {
  std::string_view key;
  JsonKind kind;
  std::string* text = nullptr;
  bool* flag = nullptr;
  bool required = false;
  bool seen = false;
};

// Reads `raw` (an object's JSON text) into `members`, ignoring members it does not list, as the
// Airbyte protocol asks. `where` names the object in errors ("STATE message: state.stream").
bool readMembers(std::string_view raw, const std::string& where, std::vector<Member>& members, JsonScratch& scratch,
                 std::string& error) {
  JsonCursor cur(raw, scratch);
  const bool ok = cur.object([&](std::string_view key, const JsonSlice& v) {
    for (auto& m : members) {
      if (m.key != key || v.kind == JsonKind::Null) continue;
      if (m.seen) {
        error = where + ": \"" + std::string(key) + "\" appears twice";
        return false;
      }
      if (v.kind != m.kind) {
        error = where + ": \"" + std::string(key) + "\" must be " + kindName(m.kind) + ", not " + kindName(v.kind);
        return false;
      }
      m.seen = true;
      if (m.text) m.text->assign(v.kind == JsonKind::String ? v.str : v.raw);
      if (m.flag) *m.flag = v.boolean;
    }
    return true;
  });
  if (!ok) {
    if (error.empty()) error = where + ": " + (cur.error() ? cur.error() : "not a JSON object");
    return false;
  }
  for (const auto& m : members)
    if (m.required && !m.seen) {
      error = where + ": \"" + std::string(m.key) + "\" is missing";
      return false;
    }
  return true;
}

}  // namespace

std::string_view messageTypeName(MessageType t) {
  switch (t) {
    case MessageType::Record: return "RECORD";
    case MessageType::State: return "STATE";
    case MessageType::Log: return "LOG";
    case MessageType::Trace: return "TRACE";
    case MessageType::Catalog: return "CATALOG";
    case MessageType::ConnectionStatus: return "CONNECTION_STATUS";
    case MessageType::Spec: return "SPEC";
    case MessageType::Unknown: break;
  }
  return "unknown";
}

bool MessageParser::parse(std::string_view line) {
  scratch_.clear();
  error.clear();
  std::string_view type_name;
  int type_count = 0;
  // The payload member is named after the type; remember each candidate's raw text.
  std::string_view payloads[7];
  const char* kPayloadKeys[7] = {"record", "state", "log", "trace", "catalog", "connectionStatus", "spec"};
  JsonCursor top(line, scratch_);
  const bool ok = top.object([&](std::string_view key, const JsonSlice& v) {
    if (key == "type") {
      ++type_count;
      if (v.kind == JsonKind::String) type_name = v.str;
      return true;
    }
    for (int i = 0; i < 7; ++i)
      if (key == kPayloadKeys[i]) {
        if (!payloads[i].empty()) return false;  // a second payload of the same name: ambiguous
        payloads[i] = v.kind == JsonKind::Object ? v.raw : std::string_view("!");
      }
    return true;
  });
  if (!ok || !top.atEnd()) {
    if (ok || !top.error() || std::string_view(top.error()) != "rejected by caller")
      return fail(std::string("not a JSON object (") + (top.error() ? top.error() : "trailing characters") + ")");
    return fail("a message member appears twice");
  }
  if (type_count == 0) return fail("message has no \"type\"");
  if (type_count > 1) return fail("message has more than one \"type\"");
  if (type_name.empty()) return fail("\"type\" must be a non-empty string");
  type = typeFromName(type_name);
  if (type == MessageType::Unknown) return true;  // newer message types are ignored, as in Airbyte
  const int index = static_cast<int>(type);
  const std::string_view payload = payloads[index];
  if (payload.empty()) return fail(std::string(type_name) + " message without a \"" + kPayloadKeys[index] + "\" object");
  if (payload == "!") return fail(std::string(type_name) + " message: \"" + kPayloadKeys[index] + "\" must be an object");
  switch (type) {
    case MessageType::Record: return parseRecord(payload);
    case MessageType::State: return parseState(payload);
    case MessageType::Log: return parseLog(payload);
    case MessageType::Trace: return parseTrace(payload);
    case MessageType::Catalog: return parseCatalog(payload);
    case MessageType::ConnectionStatus: return parseConnectionStatus(payload);
    case MessageType::Spec: return parseSpec(payload);
    case MessageType::Unknown: break;
  }
  return true;
}

bool MessageParser::parseRecord(std::string_view payload) {
  record.stream = {};
  record.origin = {};
  record.data_raw = {};
  record.fields.clear();
  const char* bad = nullptr;
  std::string_view bad_key;
  JsonCursor cur(payload, scratch_);
  const bool ok = cur.object([&](std::string_view key, const JsonSlice& v) {
    const bool is_stream = key == "stream", is_origin = key == "origin", is_data = key == "data";
    if (!is_stream && !is_origin && !is_data) return true;
    const std::string_view& slot = is_stream ? record.stream : is_origin ? record.origin : record.data_raw;
    if (!slot.empty()) {
      bad = "appears twice";
      return false;
    }
    if (is_stream && v.kind == JsonKind::String) record.stream = v.str;
    else if (is_origin && (v.kind == JsonKind::String || v.kind == JsonKind::Null)) record.origin = v.str;
    else if (is_data && v.kind == JsonKind::Object) record.data_raw = v.raw;
    else bad = is_data ? "must be an object" : "must be a string";
    if (bad) bad_key = key;
    return bad == nullptr;
  });
  if (!ok) {
    if (bad) return fail("RECORD message: \"record." + std::string(bad_key) + "\" " + bad);
    return fail(std::string("RECORD message: ") + (cur.error() ? cur.error() : "syntax error"));
  }
  if (record.stream.empty() || record.data_raw.empty())
    return fail("RECORD message: \"record\" needs a non-empty \"stream\" and a \"data\" object");
  JsonCursor data(record.data_raw, scratch_);
  return data.object([&](std::string_view key, const JsonSlice& v) {
    record.fields.push_back({key, v});
    return true;
  });
}

bool MessageParser::parseState(std::string_view payload) {
  std::string state_type, stream_raw, descriptor_raw;
  std::vector<Member> top{{"type", JsonKind::String, &state_type}, {"stream", JsonKind::Object, &stream_raw, nullptr, true}};
  if (!readMembers(payload, "STATE message: state", top, scratch_, error)) return false;
  if (!state_type.empty() && state_type != "STREAM")
    return fail("STATE message: only per-stream state (\"type\": \"STREAM\") is supported, not \"" + state_type + "\"");
  std::vector<Member> stream{{"stream_descriptor", JsonKind::Object, &descriptor_raw, nullptr, true},
                             {"stream_state", JsonKind::Object, &state.state_json, nullptr, true}};
  if (!readMembers(stream_raw, "STATE message: state.stream", stream, scratch_, error)) return false;
  std::vector<Member> descriptor{{"name", JsonKind::String, &state.stream, nullptr, true}};
  if (!readMembers(descriptor_raw, "STATE message: state.stream.stream_descriptor", descriptor, scratch_, error))
    return false;
  if (state.stream.empty()) return fail("STATE message: the stream name is empty");
  return true;
}

bool MessageParser::parseLog(std::string_view payload) {
  log = {};
  std::vector<Member> m{{"level", JsonKind::String, &log.level}, {"message", JsonKind::String, &log.message}};
  return readMembers(payload, "LOG message: log", m, scratch_, error);
}

bool MessageParser::parseTrace(std::string_view payload) {
  trace = {};
  std::string trace_type, error_raw;
  std::vector<Member> top{{"type", JsonKind::String, &trace_type}, {"error", JsonKind::Object, &error_raw}};
  if (!readMembers(payload, "TRACE message: trace", top, scratch_, error)) return false;
  trace.is_error = trace_type == "ERROR";
  if (!trace.is_error) return true;
  if (error_raw.empty()) return fail("TRACE message: an ERROR trace needs an \"error\" object");
  std::string resume_at;
  std::vector<Member> e{{"message", JsonKind::String, &trace.message},
                        {"failure_type", JsonKind::String, &trace.failure_type},
                        {"stream", JsonKind::String, &trace.stream},
                        {"origin", JsonKind::String, &trace.origin},
                        {"raw", JsonKind::String, &trace.raw},
                        {"resume_at", JsonKind::String, &resume_at}};
  if (!readMembers(error_raw, "TRACE message: trace.error", e, scratch_, error)) return false;
  if (!resume_at.empty()) {
    auto t = parseTimestamp(resume_at);
    if (!t) return fail("TRACE message: trace.error.resume_at \"" + resume_at.substr(0, 40) + "\" is not an ISO-8601 time");
    trace.resume_at = *t;
  }
  return true;
}

bool MessageParser::parseCatalog(std::string_view payload) {
  catalog = {};
  std::string streams_raw;
  std::vector<Member> top{{"streams", JsonKind::Array, &streams_raw, nullptr, true}};
  if (!readMembers(payload, "CATALOG message: catalog", top, scratch_, error)) return false;
  JsonCursor cur(streams_raw, scratch_);
  size_t index = 0;
  const bool ok = cur.array([&](const JsonSlice& v) {
    const std::string where = "CATALOG message: catalog.streams[" + std::to_string(index++) + "]";
    if (v.kind != JsonKind::Object) {
      error = where + " must be an object";
      return false;
    }
    CatalogStream s;
    std::vector<Member> m{{"name", JsonKind::String, &s.name, nullptr, true},
                          {"entity", JsonKind::String, &s.entity},
                          {"incremental", JsonKind::Bool, nullptr, &s.incremental}};
    if (!readMembers(v.raw, where, m, scratch_, error)) return false;
    if (s.name.empty()) {
      error = where + ": \"name\" is empty";
      return false;
    }
    if (s.entity.empty()) s.entity = s.name;
    catalog.streams.push_back(std::move(s));
    return true;
  });
  if (!ok && error.empty()) error = std::string("CATALOG message: ") + (cur.error() ? cur.error() : "bad streams");
  return ok;
}

bool MessageParser::parseConnectionStatus(std::string_view payload) {
  connection_status = {};
  std::string status;
  std::vector<Member> m{{"status", JsonKind::String, &status, nullptr, true},
                        {"message", JsonKind::String, &connection_status.message}};
  if (!readMembers(payload, "CONNECTION_STATUS message: connectionStatus", m, scratch_, error)) return false;
  if (status != "SUCCEEDED" && status != "FAILED")
    return fail("CONNECTION_STATUS message: status must be SUCCEEDED or FAILED, not \"" + status.substr(0, 40) + "\"");
  connection_status.succeeded = status == "SUCCEEDED";
  return true;
}

bool MessageParser::parseSpec(std::string_view payload) {
  spec = {};
  std::vector<Member> m{{"name", JsonKind::String, &spec.name, nullptr, true},
                        {"version", JsonKind::String, &spec.version},
                        {"kind", JsonKind::String, &spec.kind},
                        {"description", JsonKind::String, &spec.description},
                        {"abi", JsonKind::String, &spec.abi},
                        {"shipped", JsonKind::String, &spec.shipped},
                        {"options", JsonKind::Array, &spec.options_json}};
  if (!readMembers(payload, "SPEC message: spec", m, scratch_, error)) return false;
  if (spec.name.empty()) return fail("SPEC message: spec.name is empty");
  if (spec.options_json.empty()) spec.options_json = "[]";
  return true;
}

const char* notOneJsonObject(std::string_view text, JsonScratch& scratch) {
  scratch.clear();
  JsonCursor cur(text, scratch);
  JsonSlice v;
  if (!cur.value(v)) return cur.error() ? cur.error() : "not JSON";
  if (v.kind != JsonKind::Object) return "not a JSON object";
  if (!cur.atEnd()) return "more than one JSON value";
  return nullptr;
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
                             long long emitted_at_ms, std::string_view raw_row) {
  std::string out = errorTraceHead(reason, "record_error", emitted_at_ms);
  out += R"(,"stream":)";
  appendJsonString(out, stream);
  out += R"(,"origin":)";
  appendJsonString(out, origin);
  if (!raw_row.empty()) {
    out += R"(,"raw":)";
    appendJsonString(out, raw_row);
  }
  out += "}}}\n";
  return out;
}

}  // namespace abm::wire
