// The worker → daemon message protocol: one JSON object per line, shaped like the Airbyte protocol
// so external connectors can speak it too (docs/protocol.md):
//   {"type":"RECORD","record":{"stream":s,"emitted_at":ms,"data":{...},"origin":"file:line"}}
//   {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":s},"stream_state":{...}}}}
//   {"type":"LOG","log":{"level":"INFO","message":m}}
//   {"type":"TRACE","trace":{"type":"ERROR","emitted_at":ms,"error":{"message":m,"failure_type":f, ...}}}
//   {"type":"CATALOG","catalog":{"streams":[{"name":s,"entity":e,"incremental":b}]}}
//   {"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"|"FAILED","message":m}}
//   {"type":"SPEC","spec":{...the plugin descriptor...}}
// failure_type is config_error, system_error, transient_error, rate_limited (with "resume_at"), or
// record_error (one bad source row, with "stream" and "origin"; the run goes on).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/json_scan.hpp"

namespace abm::worker {

enum class MessageType { Record, State, Log, Trace, Catalog, ConnectionStatus, Spec, Unknown };

struct RecordField {
  std::string_view name;
  JsonSlice value;
};

struct RecordMessage {
  std::string_view stream;
  std::string_view origin;
  std::string_view data_raw;
  std::vector<RecordField> fields;
};

// Parses lines; a RECORD takes the allocation-free path, anything else is parsed into `other`.
class MessageParser {
 public:
  bool parse(std::string_view line);

  MessageType type = MessageType::Unknown;
  RecordMessage record;   // valid when type == Record, until the next parse()
  nlohmann::json other;   // the whole message otherwise
  std::string error;      // why parse() returned false

 private:
  bool parseRecord(std::string_view payload);
  JsonScratch scratch_;
};

// Builders used by the worker.
void appendRecord(std::string& out, std::string_view stream, std::string_view data_json, const char* origin,
                  long long emitted_at_ms);
std::string stateMessage(std::string_view stream, std::string_view state_json);
std::string logMessage(std::string_view level, std::string_view message);
std::string errorTrace(std::string_view message, std::string_view failure_type, long long emitted_at_ms);
// The vendor's quota is spent: failure_type "rate_limited" with "resume_at" (ISO-8601 UTC).
std::string rateLimitedTrace(std::string_view message, int64_t resume_at, long long emitted_at_ms);
// A rejected source row; `raw` (its text, valid UTF-8) goes out as "raw" when not empty.
std::string recordErrorTrace(std::string_view stream, std::string_view origin, std::string_view reason,
                             long long emitted_at_ms, std::string_view raw = {});

}  // namespace abm::worker
