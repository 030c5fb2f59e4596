#include "rest_definition.hpp"

#include <algorithm>

namespace rest {

namespace http = abm::sdk::http;
namespace mapping = abm::sdk::mapping;

namespace {

constexpr std::string_view kStreamKeys[] = {"path", "query", "records", "paginator", "cursor"};

std::string formatNames() {
  std::string out;
  for (auto f : kCursorFormats) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

std::string readCursor(const json& j, const std::string& where, Cursor& c) {
  if (!j.is_object()) return where + ": expected {\"field\": POINTER, \"param\": NAME, \"format\": ...}";
  for (const auto& [key, v] : j.items()) {
    if (key != "field" && key != "param" && key != "format" && key != "start")
      return where + "." + key + ": unknown key (field, param, format, start)";
    if (key != "start" && !v.is_string()) return where + "." + key + ": must be a string";
  }
  c.field = j.value("field", "");
  c.param = j.value("param", "");
  if (c.field.empty()) return where + ".field: the pointer to the record's cursor value (e.g. \"/update_time\") is missing";
  if (auto why = mapping::detail::pointerError(c.field); !why.empty()) return where + ".field: " + why;
  if (c.param.empty()) return where + ".param: the query parameter that sends the last value (e.g. \"since\") is missing";
  if (c.param.find_first_of("=&?# ") != std::string::npos) return where + ".param: '" + c.param + "' is no query parameter name";
  const std::string format = j.value("format", "raw");
  const auto it = std::find(std::begin(kCursorFormats), std::end(kCursorFormats), format);
  if (it == std::end(kCursorFormats)) return where + ".format: unknown format '" + format + "' (" + formatNames() + ")";
  c.format = static_cast<CursorFormat>(it - std::begin(kCursorFormats));
  if (j.contains("start")) {
    c.start = j["start"];
    if (!c.start.is_string() && !c.start.is_number()) return where + ".start: must be a timestamp, a date or a number";
  }
  return {};
}

std::string readStream(mapping::StreamMapping m, RestStream& s) {
  const std::string where = "streams." + m.stream;
  const json& d = m.definition;
  const auto path = d.find("path");
  if (path == d.end() || !path->is_string() || path->get_ref<const std::string&>().empty())
    return where + ".path: the path to read under base_url (e.g. \"/v1/deals\") is missing";
  s.path = path->get<std::string>();
  if (s.path.find("://") != std::string::npos) return where + ".path: a path under base_url, not a whole URL";
  if (const auto q = d.find("query"); q != d.end()) {
    if (!q->is_object()) return where + ".query: must be an object of strings ({\"sort\": \"update_time ASC\"})";
    for (const auto& [k, v] : q->items()) {
      if (!v.is_string()) return where + ".query." + k + ": must be a string (write numbers as \"500\")";
      s.query.emplace_back(k, v.get<std::string>());
    }
  }
  if (const auto r = d.find("records"); r != d.end()) {
    if (!r->is_string()) return where + ".records: must be a JSON pointer string (\"/data\", or \"\" for the whole answer)";
    s.records = r->get<std::string>();
    if (!s.records.empty())
      if (auto why = mapping::detail::pointerError(s.records); !why.empty()) return where + ".records: " + why;
  }
  if (const auto p = d.find("paginator"); p != d.end())
    if (auto why = http::parsePaging(*p, where + ".paginator", s.paging); !why.empty()) return why;
  if (const auto c = d.find("cursor"); c != d.end()) {
    if (auto why = readCursor(*c, where + ".cursor", s.cursor); !why.empty()) return why;
    s.incremental = true;
    for (const auto& [k, v] : s.query)
      if (k == s.cursor.param) return where + ".query." + k + ": the cursor's param is set by the connector, not in query";
  }
  s.mapping = std::move(m);
  return {};
}

}  // namespace

std::string readDefinition(const json& settings, std::vector<RestStream>& out) {
  out.clear();
  const auto streams = settings.find("streams");
  if (streams == settings.end()) return "streams: missing; describe at least one stream (see docs/rest.md)";
  std::vector<mapping::StreamMapping> mapped;
  if (auto why = mapping::parseStreams(*streams, mapped, kStreamKeys); !why.empty()) return why;
  for (auto& m : mapped) {
    RestStream s;
    if (auto why = readStream(std::move(m), s); !why.empty()) return why;
    out.push_back(std::move(s));
  }
  return {};
}

}  // namespace rest
