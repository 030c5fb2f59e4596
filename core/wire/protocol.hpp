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
// record_error (one bad source row, with "stream" and "origin", optionally "raw": the row's text).
//
// Everything here is untrusted input: the parser never throws, checks the type of every member it
// reads, and says which member of which message is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/json_scan.hpp"

namespace abm::wire {

// Exit codes of abmd-worker, read by the daemon when the message stream ends.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;       // permanent failure; the reason was sent as a TRACE
constexpr int kExitUsage = 2;
constexpr int kExitRetry = 75;      // transient failure (EX_TEMPFAIL)
constexpr int kExitStopped = 76;    // stopped on request at a checkpoint

enum class MessageType { Record, State, Log, Trace, Catalog, ConnectionStatus, Spec, Unknown };

using RecordField = JsonMember;

// Views into the parsed line (or the parser's scratch), valid until the next parse().
struct RecordMessage {
  std::string_view stream;
  std::string_view origin;
  std::string_view data_raw;
  std::vector<RecordField> fields;
};

// The other messages are rare and small: they own their text.
struct StateMessage {
  std::string stream;
  std::string state_json;  // the stream_state object, as sent
};

struct LogMessage {
  std::string level = "INFO";
  std::string message;
};

struct TraceMessage {
  bool is_error = false;  // trace.type == "ERROR"; other trace types carry nothing the daemon uses
  std::string message;
  std::string failure_type = "system_error";
  std::string stream;     // record_error
  std::string origin;     // record_error
  std::string raw;        // record_error: the source row's text, when the plugin kept it
  int64_t resume_at = 0;  // rate_limited: epoch seconds
};

struct CatalogStream {
  std::string name;
  std::string entity;  // defaults to the name
  bool incremental = false;
};

struct CatalogMessage {
  std::vector<CatalogStream> streams;
};

struct ConnectionStatusMessage {
  bool succeeded = false;
  std::string message;
};

struct SpecMessage {
  std::string name, version, kind, description, abi;
  std::string shipped;  // the abmd version a built-in plugin ships with; "" for others
  std::string options_json = "[]";
};

// Parses one line. On false, `error` says what is wrong and where; the members are then unspecified.
class MessageParser {
 public:
  bool parse(std::string_view line);

  MessageType type = MessageType::Unknown;
  RecordMessage record;
  StateMessage state;
  LogMessage log;
  TraceMessage trace;
  CatalogMessage catalog;
  ConnectionStatusMessage connection_status;
  SpecMessage spec;
  std::string error;

 private:
  bool parseRecord(std::string_view payload);
  bool parseState(std::string_view payload);
  bool parseLog(std::string_view payload);
  bool parseTrace(std::string_view payload);
  bool parseCatalog(std::string_view payload);
  bool parseConnectionStatus(std::string_view payload);
  bool parseSpec(std::string_view payload);
  bool fail(std::string why) {
    error = std::move(why);
    return false;
  }
  JsonScratch scratch_;
};

// The name of a message type as it appears on the wire ("RECORD", ...).
std::string_view messageTypeName(MessageType t);

// Null when `text` is exactly one JSON object (what a record's data and a checkpoint must be),
// else why not. The worker checks plugin output with it before framing, so a plugin cannot
// smuggle members into the envelope.
const char* notOneJsonObject(std::string_view text, JsonScratch& scratch);

// Builders used by the worker.
void appendRecord(std::string& out, std::string_view stream, std::string_view data_json, const char* origin,
                  long long emitted_at_ms);
std::string stateMessage(std::string_view stream, std::string_view state_json);
std::string logMessage(std::string_view level, std::string_view message);
std::string errorTrace(std::string_view message, std::string_view failure_type, long long emitted_at_ms);
// The vendor's quota is spent: failure_type "rate_limited" with "resume_at" (ISO-8601 UTC).
std::string rateLimitedTrace(std::string_view message, int64_t resume_at, long long emitted_at_ms);
std::string recordErrorTrace(std::string_view stream, std::string_view origin, std::string_view reason,
                             long long emitted_at_ms, std::string_view raw_row = {});

}  // namespace abm::wire
