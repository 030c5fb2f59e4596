#include "stream_reader.hpp"

#include "cursor_value.hpp"

namespace rest {

namespace http = abm::sdk::http;
using abm::sdk::Status;

namespace {

json checkpointOf(const RestStream& s, const json& max) {
  return s.incremental ? json{{"cursor", max}} : json::object();
}

std::string keysOf(const json& body) {
  if (!body.is_object()) return "the answer is " + std::string(body.is_array() ? "an array: use \"records\": \"\"" : "no object");
  std::string keys;
  for (const auto& [k, v] : body.items()) keys += (keys.empty() ? "" : ", ") + k;
  return "its keys: " + keys;
}

}  // namespace

std::string firstTarget(const RestStream& s, const std::string& base_url) {
  return http::Pager(s.paging, s.path, s.query, base_url).target();
}

Status readStream(abm::sdk::Host& host, http::ApiSession& api, const std::string& base_url, const RestStream& s,
                  const json& state) {
  const std::string& name = s.mapping.stream;
  json last;  // the cursor value the request starts from
  if (s.incremental) last = state.is_object() && state.contains("cursor") ? state["cursor"] : s.cursor.start;
  auto query = s.query;
  if (s.incremental && !last.is_null()) {
    std::string why;
    const std::string value = formatCursor(last, s.cursor.format, why);
    if (!why.empty()) return Status::error("streams." + name + ".cursor: " + why);
    query.emplace_back(s.cursor.param, value);
  }
  http::Pager pager(s.paging, s.path, std::move(query), base_url);
  json max = last;
  for (;;) {
    http::Answer a = api.call({"GET", pager.target()});
    if (!a.ok()) return a.status;  // the pages before are checkpointed
    const std::string& where = a.response.endpoint;
    const json* records = http::atPointer(a.body, s.records);
    if (!records)
      return Status::error(where + ": streams." + name + ".records '" + s.records + "' finds nothing in the answer (" +
                           keysOf(a.body) + ")");
    static const json kNone = json::array();
    if (records->is_null()) records = &kNone;  // Pipedrive's "data": null on an empty list
    if (!records->is_array())
      return Status::error(where + ": streams." + name + ".records '" + s.records + "' finds " +
                           std::string(records->type_name()) + ", not an array of records");
    const std::string origin = where + " page " + std::to_string(pager.pages() + 1);
    const json page_start = max;
    size_t index = 0;
    for (const auto& record : *records) {
      const std::string at = origin + " record " + std::to_string(++index);
      if (!record.is_object()) {
        host.reject(name, at, name + ": a record is a JSON object, found " + std::string(record.type_name()), record.dump());
        continue;
      }
      const auto mapped = abm::sdk::mapping::apply(s.mapping, record);
      if (!mapped.ok()) {
        host.reject(name, at, mapped.error, record.dump());
        continue;
      }
      if (s.incremental)
        if (const json* v = http::atPointer(record, s.cursor.field); v && cursorAfter(*v, max)) max = *v;
      if (!host.emit(name, mapped.json, at.c_str())) {
        // Shutting down: the page is not whole, so the checkpoint keeps the cursor it started from.
        host.checkpoint(name, checkpointOf(s, page_start));
        return Status::ok();
      }
    }
    host.checkpoint(name, checkpointOf(s, max));
    if (!pager.next(a.response, a.body, records->size())) {
      if (!pager.error().empty()) return Status::error(pager.error());
      return Status::ok();
    }
    if (host.stopRequested()) return Status::ok();
  }
}

}  // namespace rest
