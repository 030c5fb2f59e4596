// Fuzzes the worker protocol as the daemon reads it (core/wire/protocol.*): one line through the
// parser, and a parsed RECORD through the validator of every entity, as the sync reader does.
// Beyond "does not crash" it checks that:
//  - a rejected line always says why, and an accepted one has a known shape: a RECORD has a stream
//    and data inside the line, a STATE a stream and an object, a CATALOG only named streams;
//  - what the worker frames parses back: any stream name, origin and object data go through
//    appendRecord and come out the same; a record_error with any text round-trips too;
//  - record data that is not one JSON object never parses as a RECORD of its stream once framed
//    (the envelope cannot be closed early).
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "pipeline/record_validator.hpp"
#include "wire/protocol.hpp"

namespace {

using abm::wire::MessageParser;
using abm::wire::MessageType;

bool inside(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

void checkParsed(MessageParser& p, std::string_view line) {
  switch (p.type) {
    case MessageType::Record: {
      FUZZ_CHECK(!p.record.stream.empty(), "a RECORD without a stream was accepted");
      FUZZ_CHECK(inside(p.record.data_raw, line), "RECORD data lies outside the line");
      FUZZ_CHECK(!p.record.data_raw.empty() && p.record.data_raw.front() == '{', "RECORD data is not an object");
      for (auto entity : {abm::pipeline::Entity::Accounts, abm::pipeline::Entity::Contacts,
                          abm::pipeline::Entity::Opportunities, abm::pipeline::Entity::Campaigns,
                          abm::pipeline::Entity::Touchpoints, abm::pipeline::Entity::AdSpend}) {
        abm::pipeline::Row row;
        std::string error;
        if (!abm::pipeline::validateRecord(entity, p.record.fields, row, error))
          FUZZ_CHECK(!error.empty(), "a rejected record carries no reason");
      }
      break;
    }
    case MessageType::State:
      FUZZ_CHECK(!p.state.stream.empty(), "a STATE without a stream name was accepted");
      FUZZ_CHECK(!p.state.state_json.empty() && p.state.state_json.front() == '{', "stream_state is not an object");
      break;
    case MessageType::Catalog:
      for (const auto& s : p.catalog.streams) FUZZ_CHECK(!s.name.empty() && !s.entity.empty(), "an unnamed stream");
      break;
    case MessageType::Spec:
      FUZZ_CHECK(!p.spec.name.empty() && p.spec.options_json.front() == '[', "a SPEC without name or options");
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  MessageParser p;

  // 1. The input as one message line.
  if (p.parse(input)) checkParsed(p, input);
  else FUZZ_CHECK(!p.error.empty(), "a rejected line carries no reason");

  // 2. The input as what a plugin hands the worker: split into stream | origin | data.
  const size_t a = input.find('\x1f'), b = a == std::string_view::npos ? a : input.find('\x1f', a + 1);
  const std::string stream = a == std::string_view::npos ? "s" : std::string(input.substr(0, a));
  const std::string origin = b == std::string_view::npos ? "o" : std::string(input.substr(a + 1, b - a - 1));
  const std::string_view record_data = b == std::string_view::npos ? input : input.substr(b + 1);
  if (stream.find('\0') != std::string::npos || origin.find('\0') != std::string::npos) return 0;  // C strings in the ABI

  abm::JsonScratch scratch;
  const bool one_object = abm::wire::notOneJsonObject(record_data, scratch) == nullptr;
  std::string line;
  abm::wire::appendRecord(line, stream, record_data, origin.c_str(), 1);
  line.pop_back();
  const bool parsed = p.parse(line);
  if (one_object && !stream.empty()) {
    FUZZ_CHECK(parsed, "a framed record with one-object data does not parse: " + p.error);
    FUZZ_CHECK(p.type == MessageType::Record && p.record.stream == stream && p.record.origin == origin,
               "a framed record came back different");
    FUZZ_CHECK(p.record.data_raw == record_data.substr(record_data.find('{'), p.record.data_raw.size()),
               "framed record data came back different");
  }

  // 3. A rejected row with arbitrary text in every member round-trips.
  std::string trace = abm::wire::recordErrorTrace(stream, origin, input, 1, input);
  trace.pop_back();
  FUZZ_CHECK(p.parse(trace), "a record_error trace does not parse: " + p.error);
  FUZZ_CHECK(p.type == MessageType::Trace && p.trace.failure_type == "record_error", "trace came back different");
  return 0;
}
