#include "plugin_test/cassette.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>

#include "common/percent_encoding.hpp"
#include "config/regular_file.hpp"

namespace abm::plugin_test {

using nlohmann::json;

namespace {

// Repeated keys hold their values sorted, so the order a client sends them in does not matter.
json parseQuery(std::string_view q) {
  std::map<std::string, std::vector<std::string>> pairs;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    std::string key(part.substr(0, eq)), value(eq == std::string_view::npos ? "" : part.substr(eq + 1));
    std::replace(key.begin(), key.end(), '+', ' ');
    std::replace(value.begin(), value.end(), '+', ' ');
    pairs[percentDecode(key)].push_back(percentDecode(value));
  }
  json out = json::object();
  for (auto& [k, v] : pairs) {
    std::sort(v.begin(), v.end());
    out[k] = v.size() == 1 ? json(v.front()) : json(v);
  }
  return out;
}

// Header names that carry credentials, whatever the vendor calls them.
bool credentialHeader(const std::string& lower) {
  return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie" ||
         lower.find("api-key") != std::string::npos || lower.find("apikey") != std::string::npos ||
         lower.find("api_key") != std::string::npos || lower.find("token") != std::string::npos ||
         lower.find("secret") != std::string::npos;
}

// JSON members of vendor answers that hold credentials (an OAuth token endpoint's answer).
bool credentialMember(std::string lower) {
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "access_token" || lower == "refresh_token" || lower == "id_token" || lower == "client_secret" ||
         lower == "password" || lower == "api_key" || lower == "apikey" || lower == "token" || lower == "secret";
}

void learnMembers(const json& j, Secrets& secrets) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_string() && credentialMember(k)) secrets.add(v.get<std::string>(), "<secret:" + k + ">");
      else learnMembers(v, secrets);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) learnMembers(v, secrets);
  }
}

std::string queryText(const json& query) {
  std::string out;
  for (const auto& [k, v] : query.items()) {
    for (const auto& one : v.is_array() ? v : json::array({v}))
      out += (out.empty() ? "?" : "&") + k + "=" + one.get<std::string>();
  }
  return out;
}

// How alike two requests are: method, then path, then shared query members and body.
int likeness(const RecordedRequest& a, const RecordedRequest& b) {
  int score = (a.method == b.method ? 1000 : 0) + (a.path == b.path ? 500 : 0);
  size_t common = 0;
  while (common < a.path.size() && common < b.path.size() && a.path[common] == b.path[common]) ++common;
  score += static_cast<int>(std::min<size_t>(common, 100));
  for (const auto& [k, v] : a.query.items()) {
    if (b.query.contains(k)) score += b.query[k] == v ? 10 : 3;
  }
  return score + (a.body == b.body ? 5 : 0);
}

// "%3Csecret%3Aname%3E" -> "<secret:name>".
std::string decodePlaceholders(std::string text) {
  static const std::regex kEncoded("%3Csecret%3A([A-Za-z0-9_.-]+)%3E", std::regex::icase);
  if (text.find('%') == std::string::npos) return text;
  return std::regex_replace(text, kEncoded, "<secret:$1>");
}

}  // namespace

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool RecordedRequest::operator==(const RecordedRequest& o) const {
  return method == o.method && path == o.path && query == o.query && body == o.body;
}

std::string RecordedRequest::describe() const {
  std::string out = method + " " + path + queryText(query);
  if (!body.is_null()) {
    std::string b = body.is_string() ? body.get<std::string>() : body.dump();
    if (b.size() > 120) b = b.substr(0, 117) + "...";
    out += " body " + b;
  }
  return out;
}

void Secrets::add(const std::string& value, const std::string& placeholder) {
  // Shorter values would mask pieces of ordinary text rather than a credential.
  if (value.size() < 4 || value == placeholder) return;
  for (const auto& [v, p] : values_)
    if (v == value) return;
  values_.emplace_back(value, placeholder);
  std::stable_sort(values_.begin(), values_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string Secrets::mask(std::string text) const {
  for (const auto& [value, placeholder] : values_) {
    text = replaceAll(std::move(text), value, placeholder);
    const std::string encoded = percentEncode(value);
    if (encoded != value) text = replaceAll(std::move(text), encoded, percentEncode(placeholder));
  }
  return text;
}

json Secrets::mask(const json& value) const {
  if (values_.empty()) return value;
  if (value.is_string()) return mask(value.get<std::string>());
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items()) out[mask(k)] = mask(v);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(mask(v));
    return out;
  }
  return value;
}

json bodyToJson(const std::string& body) {
  if (body.empty()) return nullptr;
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (body[first] == '{' || body[first] == '[')) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  return body;
}

std::string bodyToText(const json& body) {
  if (body.is_null()) return "";
  if (body.is_string()) return body.get<std::string>();
  return body.dump();
}

RecordedRequest toRecorded(const HttpRequest& r, const Secrets& secrets) {
  RecordedRequest out;
  out.method = r.method;
  const std::string target = r.target;
  const size_t q = target.find('?');
  out.path = secrets.mask(percentDecode(target.substr(0, q)));
  out.query = q == std::string::npos ? json::object() : secrets.mask(parseQuery(std::string_view(target).substr(q + 1)));
  // Masked as text first: a form body carries its secrets percent-encoded. A placeholder the plugin
  // got from a recorded answer and sends back encoded reads as the recording's.
  out.body = secrets.mask(bodyToJson(decodePlaceholders(secrets.mask(r.body))));
  return out;
}

void learnSecrets(const HttpRequest& req, const HttpAnswer& answer, Secrets& secrets) {
  for (const auto& [name, value] : req.headers) {
    if (!credentialHeader(name)) continue;
    const size_t space = value.find(' ');
    // "Bearer abc": the credential is what follows the scheme; the whole value is masked too.
    if (name.find("authorization") != std::string::npos && space != std::string::npos)
      secrets.add(value.substr(space + 1), "<secret:" + name + ">");
    secrets.add(value, "<secret:" + name + ">");
  }
  for (const auto& [name, value] : answer.headers)
    if (name == "set-cookie") secrets.add(value.substr(0, value.find(';')), "<secret:cookie>");
  learnMembers(bodyToJson(answer.body), secrets);
  learnMembers(bodyToJson(req.body), secrets);
}

Result<Cassette> Cassette::load(const std::string& file) {
  auto text = config::readRegularFile(file, 256 * 1024 * 1024);
  if (!text) return Status::error(file + ": the cassette " + text.error());
  const json j = json::parse(*text, nullptr, false);
  auto bad = [&](const std::string& where, const std::string& what) {
    return Status::error(file + ": " + where + ": " + what + " (see docs/plugin-testing.md, \"The cassette\")");
  };
  if (!j.is_object()) return bad("(top)", "not a JSON object");
  if (j.value("abm_cassette", 0) != kCassetteVersion)
    return bad("abm_cassette", "expected " + std::to_string(kCassetteVersion));
  if (!j.contains("interactions") || !j["interactions"].is_array()) return bad("interactions", "expected an array");
  Cassette c;
  c.plugin = j.value("plugin", "");
  c.base_url = j.value("base_url", "");
  for (size_t i = 0; i < j["interactions"].size(); ++i) {
    const json& x = j["interactions"][i];
    const std::string at = "interactions[" + std::to_string(i) + "]";
    if (!x.is_object() || !x.contains("request") || !x["request"].is_object() || !x.contains("response") ||
        !x["response"].is_object())
      return bad(at, "expected {\"request\": {...}, \"response\": {...}}");
    const json& rq = x["request"];
    const json& rs = x["response"];
    Exchange e;
    if (!rq.contains("method") || !rq["method"].is_string()) return bad(at + ".request.method", "expected a string");
    if (!rq.contains("path") || !rq["path"].is_string() || rq["path"].get<std::string>().rfind('/', 0) != 0)
      return bad(at + ".request.path", "expected a string starting with /");
    e.request.method = rq["method"];
    e.request.path = rq["path"];
    if (rq.contains("query")) {
      if (!rq["query"].is_object()) return bad(at + ".request.query", "expected an object of strings");
      for (const auto& [k, v] : rq["query"].items()) {
        json values = v.is_array() ? v : json::array({v});
        for (const auto& one : values)
          if (!one.is_string()) return bad(at + ".request.query." + k, "expected a string or an array of strings");
        std::vector<std::string> sorted = values.get<std::vector<std::string>>();
        std::sort(sorted.begin(), sorted.end());
        e.request.query[k] = sorted.size() == 1 ? json(sorted.front()) : json(sorted);
      }
    }
    e.request.body = rq.value("body", json());
    if (!rs.contains("status") || !rs["status"].is_number_integer() || rs["status"] < 100 || rs["status"] > 599)
      return bad(at + ".response.status", "expected an HTTP status (100 to 599)");
    e.status = rs["status"];
    if (rs.contains("headers")) {
      if (!rs["headers"].is_object()) return bad(at + ".response.headers", "expected an object of strings");
      for (const auto& [k, v] : rs["headers"].items()) {
        if (!v.is_string()) return bad(at + ".response.headers." + k, "expected a string");
        std::string lower = k;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
        e.headers[lower] = v;
      }
    }
    e.body = rs.value("body", json());
    c.exchanges.push_back(std::move(e));
  }
  return c;
}

Status Cassette::save(const std::string& file) const {
  json j{{"abm_cassette", kCassetteVersion}, {"plugin", plugin}, {"base_url", base_url}};
  j["interactions"] = json::array();
  for (const auto& e : exchanges) {
    json rq{{"method", e.request.method}, {"path", e.request.path}};
    if (!e.request.query.empty()) rq["query"] = e.request.query;
    if (!e.request.body.is_null()) rq["body"] = e.request.body;
    json rs{{"status", e.status}};
    if (!e.headers.empty()) rs["headers"] = e.headers;
    rs["body"] = e.body;
    j["interactions"].push_back(json{{"request", rq}, {"response", rs}});
  }
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    // A body that is not UTF-8 is kept with U+FFFD in place of its bad bytes (JSON holds only text).
    out << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    if (!out) return Status::error(tmp + ": cannot write the cassette");
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) return Status::error(file + ": cannot write the cassette");
  return Status::ok();
}

const Exchange* Replayer::answer(const RecordedRequest& r) {
  std::lock_guard lock(mu_);
  std::vector<size_t> same;
  for (size_t i = 0; i < cassette_.exchanges.size(); ++i)
    if (cassette_.exchanges[i].request == r) same.push_back(i);
  if (same.empty()) {
    std::string nearest;
    int best = -1;
    for (const auto& e : cassette_.exchanges)
      if (const int s = likeness(r, e.request); s > best) {
        best = s;
        nearest = e.request.describe();
      }
    misses_.push_back(r.describe() + " (nearest recorded: " + (nearest.empty() ? "none, the cassette is empty" : nearest) + ")");
    return nullptr;
  }
  size_t& n = used_[same.front()];
  const Exchange* e = &cassette_.exchanges[same[std::min(n, same.size() - 1)]];
  ++n;
  ++served_;
  return e;
}

void Replayer::rewind() {
  std::lock_guard lock(mu_);
  used_.clear();
  misses_.clear();
  served_ = 0;
}

std::vector<std::string> Replayer::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

size_t Replayer::served() const {
  std::lock_guard lock(mu_);
  return served_;
}

}  // namespace abm::plugin_test
