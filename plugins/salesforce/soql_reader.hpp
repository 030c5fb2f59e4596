// Reads one Salesforce object through the REST query endpoint. Records come ordered by
// SystemModstamp and in batches linked by nextRecordsUrl until "done" is true. The first sync uses
// `query`; later ones use `queryAll` from the last SystemModstamp seen, so records deleted since
// (IsDeleted = true) come back too and leave the store. Checkpoint after every batch:
//   {"since": "2024-03-01T12:00:00Z"}   every record modified before this is stored
// (`>=` on the next run reads records of the checkpoint's own second again; upserts make that harmless).
#pragma once

#include <abm/sdk/api_session.hpp>

#include <functional>
#include <string>
#include <vector>

namespace salesforce {

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

struct Context : abm::sdk::http::Connection {
  std::string api_version;  // "v59.0"
};

struct SObjectSpec {
  std::string object;               // "Account"
  std::vector<std::string> fields;  // Id, SystemModstamp and IsDeleted are added
  // Turns one record into zero or more unified records; returns "" or why it cannot.
  std::function<std::string(const json& record, std::vector<std::string>& out)> map;
  // The unified external ids a deleted record had (default: its Id).
  std::function<std::vector<std::string>(const std::string& id)> deleted_ids;
};

// One query's records, batch by batch (for lookups such as OpportunityStage).
Status queryAllBatches(Context& ctx, const std::string& soql, const std::function<void(const json&)>& on_record);

Status readSObjects(Context& ctx, const std::string& stream, const SObjectSpec& spec, const json& state);

// Salesforce's error body, an array of {"message", "errorCode"}, as one line.
std::string describeError(const abm::sdk::http::Response& r);

}  // namespace salesforce
