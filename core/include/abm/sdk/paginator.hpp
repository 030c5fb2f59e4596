// Paging through a vendor's list, described as data (header-only, with <abm/sdk/http.hpp>): where the
// next page's cursor, offset or URL sits in the answer (a JSON pointer), or an RFC 8288 Link header,
// and which query parameters carry it. One Pager walks one list:
//   cursor       {"type": "cursor", "next": "/meta/next_cursor", "param": "cursor"}   (HubSpot:
//                "next": "/paging/next/after", "param": "after")
//   offset       {"type": "offset", "param": "start", "next": "/additional_data/pagination/next_start"}
//                or, without "next", offset + the records of the page: {"type": "offset", "param":
//                "_skip", "limit_param": "_limit", "limit": 100, "has_more": "/has_more"}
//   page         {"type": "page", "param": "page", "start": 1, "total": "/meta/total_pages"}
//   next_url     {"type": "next_url", "next": "/links/next"}    (Salesforce: "/nextRecordsUrl")
//   link_header  {"type": "link_header"}                        (Link: <…>; rel="next")
// Every type also ends when "has_more" points at false. A list ends when the next page is not
// named, and fails (error()) when it would loop (the same cursor or URL twice, an offset that does
// not move) or when a next URL names another host than base_url (resolveUrl's same-origin rule).
#pragma once

#include <abm/sdk/http.hpp>
#include <abm/sdk/mapping.hpp>
#include <abm/sdk/oauth.hpp>

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace abm::sdk::http {

// The value `pointer` names in `doc` ("" names the whole of it), or nullptr when it names nothing
// or is no JSON pointer (mapping::detail::pointerError says why).
inline const nlohmann::json* atPointer(const nlohmann::json& doc, std::string_view pointer) {
  if (pointer.empty()) return &doc;
  const std::string p(pointer);
  if (!mapping::detail::pointerError(p).empty()) return nullptr;
  try {
    const nlohmann::json::json_pointer ptr(p);
    return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // an array index that is no number, or past a scalar
  }
}

// RFC 8288: the target of the first link in a Link field whose rel (quoted or not, one of several
// space-separated values, any case) is `rel`; "" when there is none.
inline std::string linkTarget(std::string_view field, std::string_view rel = "next") {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  size_t pos = 0;
  while ((pos = field.find('<', pos)) != std::string_view::npos) {
    const size_t close = field.find('>', pos);
    if (close == std::string_view::npos) return {};
    const std::string target(field.substr(pos + 1, close - pos - 1));
    // The link's parameters run to the next link: a comma outside quotes.
    size_t end = close + 1;
    bool quoted = false;
    for (; end < field.size(); ++end) {
      if (field[end] == '"') quoted = !quoted;
      else if (field[end] == ',' && !quoted) break;
    }
    const std::string params(field.substr(close + 1, end - close - 1));
    size_t p = 0;
    while ((p = params.find(';', p)) != std::string::npos) {
      ++p;
      const size_t stop = std::min(params.find(';', p), params.size());
      std::string param = params.substr(p, stop - p);
      const size_t eq = param.find('=');
      if (eq != std::string::npos) {
        std::string name = lower(param.substr(0, eq)), value = param.substr(eq + 1);
        name.erase(std::remove_if(name.begin(), name.end(), [](unsigned char c) { return std::isspace(c); }), name.end());
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t") + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (name == "rel") {
          size_t w = 0;
          const std::string values = lower(value);
          while (w < values.size()) {
            const size_t next_space = std::min(values.find(' ', w), values.size());
            if (values.substr(w, next_space - w) == lower(std::string(rel))) return target;
            w = next_space + 1;
          }
        }
      }
      p = stop;
    }
    pos = end;
  }
  return {};
}

enum class PagingType { None, Cursor, Offset, Page, NextUrl, LinkHeader };

struct PagingSpec {
  PagingType type = PagingType::None;
  std::string next;         // JSON pointer: the cursor, the next offset or the next URL
  std::string param;        // query parameter for the cursor, offset or page number
  std::string limit_param;  // query parameter for the page size ("" : none sent)
  int64_t limit = 0;        // the page size to ask for (0: the vendor's default)
  std::string has_more;     // JSON pointer to a flag: false means the last page
  std::string total;        // JSON pointer: the total rows (offset) or pages (page)
  int64_t start = 0;        // the first offset, or the first page (default 1)
};

inline constexpr std::string_view kPagingTypes[] = {"none", "cursor", "offset", "page", "next_url", "link_header"};

// Reads a paginator object ({"type": "cursor", ...}); "" or one line naming the key path under
// `where` ("streams.deals.paginator.type: unknown type 'curser' (none, cursor, ...)").
inline std::string parsePaging(const nlohmann::json& j, const std::string& where, PagingSpec& out) {
  out = {};
  if (!j.is_object()) return where + ": must be an object such as {\"type\": \"cursor\", ...}";
  const auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) return where + ".type: missing (none, cursor, offset, page, next_url, link_header)";
  const std::string type = type_it->get<std::string>();
  std::string all;
  for (auto t : kPagingTypes) all += (all.empty() ? "" : ", ") + std::string(t);
  size_t index = 0;
  while (index < std::size(kPagingTypes) && kPagingTypes[index] != type) ++index;
  if (index == std::size(kPagingTypes)) return where + ".type: unknown type '" + type + "' (" + all + ")";
  out.type = static_cast<PagingType>(index);
  // The keys each type reads; any other is a mistake worth naming.
  std::vector<std::string> keys{"type", "has_more"};
  switch (out.type) {
    case PagingType::None: keys = {"type"}; break;
    case PagingType::Cursor: keys.insert(keys.end(), {"next", "param", "limit_param", "limit"}); break;
    case PagingType::Offset: keys.insert(keys.end(), {"next", "param", "limit_param", "limit", "total", "start"}); break;
    case PagingType::Page: keys.insert(keys.end(), {"param", "limit_param", "limit", "total", "start"}); break;
    case PagingType::NextUrl: keys.insert(keys.end(), {"next", "limit_param", "limit"}); break;
    case PagingType::LinkHeader: keys.insert(keys.end(), {"limit_param", "limit"}); break;
  }
  std::string known;
  for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
  for (const auto& [key, value] : j.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      return where + "." + key + ": not a key of a " + type + " paginator (" + known + ")";
    if (key == "limit" || key == "start") {
      if (!value.is_number_integer() || value.get<int64_t>() < (key == "limit" ? 1 : 0))
        return where + "." + key + ": must be a whole number" + (key == "limit" ? " from 1" : " from 0");
      (key == "limit" ? out.limit : out.start) = value.get<int64_t>();
      continue;
    }
    if (!value.is_string()) return where + "." + key + ": must be a string";
    const std::string text = value.get<std::string>();
    if (key == "next" || key == "has_more" || key == "total") {
      if (text.empty()) return where + "." + key + ": must point into the answer (\"/meta/next\"), not be empty";
      if (auto why = mapping::detail::pointerError(text); !why.empty()) return where + "." + key + ": " + why;
    } else if (text.empty() || text.find_first_of("=&?# ") != std::string::npos) {
      return where + "." + key + ": '" + text + "' is no query parameter name";
    }
    if (key == "next") out.next = text;
    if (key == "param") out.param = text;
    if (key == "limit_param") out.limit_param = text;
    if (key == "has_more") out.has_more = text;
    if (key == "total") out.total = text;
  }
  auto missing = [&](const char* key, const std::string& v, const char* example) {
    return v.empty() ? where + "." + key + ": a " + type + " paginator needs it (e.g. " + example + ")" : std::string();
  };
  std::string why;
  if (out.type == PagingType::Cursor) why = missing("next", out.next, "\"/meta/next_cursor\"");
  if (why.empty() && out.type == PagingType::Cursor) why = missing("param", out.param, "\"cursor\"");
  if (out.type == PagingType::Offset) why = missing("param", out.param, "\"offset\"");
  if (out.type == PagingType::Page) why = missing("param", out.param, "\"page\"");
  if (out.type == PagingType::NextUrl) why = missing("next", out.next, "\"/links/next\"");
  if (!why.empty()) return why;
  if (!out.limit_param.empty() && out.limit == 0) return where + ".limit: limit_param is set, so say the page size to ask for";
  if (out.type == PagingType::Page && !j.contains("start")) out.start = 1;
  return {};
}

// Walks the pages of one list. target() is the request to send; after its answer, next() says
// whether there is another page (and target() names it).
class Pager {
 public:
  // `path` under base_url, `query` its parameters (sent on the first request, and on every later one
  // but for a next URL, which carries its own).
  Pager(PagingSpec spec, std::string path, std::vector<std::pair<std::string, std::string>> query, std::string base_url)
      : spec_(std::move(spec)), path_(std::move(path)), query_(std::move(query)), base_url_(std::move(base_url)),
        position_(spec_.start) {
    target_ = build("");
  }

  const std::string& target() const { return target_; }
  const std::string& error() const { return error_; }
  int pages() const { return pages_; }

  // After the answer to target() with `records` records on it: true when there is another page.
  bool next(const Response& r, const nlohmann::json& body, size_t records) {
    ++pages_;
    const std::string where = r.endpoint;
    if (!spec_.has_more.empty()) {
      const auto* more = atPointer(body, spec_.has_more);
      if (!more || !more->is_boolean() || !more->get<bool>()) return false;
    }
    switch (spec_.type) {
      case PagingType::None: return false;
      case PagingType::Cursor: {
        const std::string cursor = textAt(body, spec_.next);
        if (cursor.empty()) return false;
        if (!seen_.insert(cursor).second)
          return fail(where + ": the cursor at " + spec_.next + " came back as '" + cursor +
                      "' a second time; the source would loop, so the run stops (check the paginator's next)");
        target_ = build(cursor);
        return true;
      }
      case PagingType::Offset:
      case PagingType::Page: {
        int64_t next = 0;
        if (!spec_.next.empty()) {
          const std::string text = textAt(body, spec_.next);
          if (text.empty()) return false;
          if (!parseWhole(text, next))
            return fail(where + ": the next offset at " + spec_.next + " is '" + text + "', not a whole number");
        } else {
          if (records == 0) return false;
          next = spec_.type == PagingType::Page ? position_ + 1 : position_ + static_cast<int64_t>(records);
          if (!spec_.total.empty()) {
            int64_t total = 0;
            if (!parseWhole(textAt(body, spec_.total), total)) return false;
            if (spec_.type == PagingType::Page ? position_ >= total : next >= total) return false;
          } else if (spec_.has_more.empty() && spec_.limit > 0 && static_cast<int64_t>(records) < spec_.limit) {
            return false;  // a short page is the last one
          }
        }
        if (next <= position_)
          return fail(where + ": the next " + (spec_.type == PagingType::Page ? "page" : "offset") + " (" +
                      std::to_string(next) + ") does not move past this one (" + std::to_string(position_) +
                      "); the source would loop, so the run stops");
        position_ = next;
        target_ = build(std::to_string(next));
        return true;
      }
      case PagingType::NextUrl:
      case PagingType::LinkHeader: {
        const std::string url =
            spec_.type == PagingType::NextUrl ? textAt(body, spec_.next) : linkTarget(r.header("link"), "next");
        if (url.empty()) return false;
        const std::string from = spec_.type == PagingType::NextUrl ? "the next URL at " + spec_.next : std::string("the Link header's next");
        std::string target = url.front() == '?' ? path_ + url : url;
        if (!resolveUrl(base_url_, target))
          return fail(where + ": " + from + " points at " + originOf(url) + ", not the configured host " + originOf(base_url_) +
                      "; refused, so no credentials go there");
        if (!seen_.insert(target).second)
          return fail(where + ": " + from + " names a page already read (" + target.substr(0, target.find('?')) +
                      "); the source would loop, so the run stops");
        target_ = std::move(target);
        return true;
      }
    }
    return false;
  }

 private:
  static std::string textAt(const nlohmann::json& body, const std::string& pointer) {
    const auto* v = atPointer(body, pointer);
    if (!v || v->is_null() || v->is_boolean()) return {};
    return v->is_string() ? v->get<std::string>() : v->dump();
  }
  static bool parseWhole(const std::string& text, int64_t& out) {
    if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
      return false;
    out = std::stoll(text);
    return true;
  }
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  // The request for the page `value` names (a cursor, offset or page number; "" for the first).
  std::string build(const std::string& value) const {
    std::string q;
    auto add = [&](const std::string& k, const std::string& v) { q += (q.empty() ? "" : "&") + formEncode(k) + "=" + formEncode(v); };
    for (const auto& [k, v] : query_) add(k, v);
    if (!spec_.limit_param.empty()) add(spec_.limit_param, std::to_string(spec_.limit));
    const bool numbered = spec_.type == PagingType::Offset || spec_.type == PagingType::Page;
    if (numbered) add(spec_.param, value.empty() ? std::to_string(spec_.start) : value);
    if (spec_.type == PagingType::Cursor && !value.empty()) add(spec_.param, value);
    if (q.empty()) return path_;
    return path_ + (path_.find('?') == std::string::npos ? "?" : "&") + q;
  }

  PagingSpec spec_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> query_;
  std::string base_url_;
  int64_t position_;
  std::string target_;
  std::string error_;
  std::set<std::string> seen_;
  int pages_ = 0;
};

}  // namespace abm::sdk::http
