#include "collector/collector.hpp"

#include <chrono>
#include <set>

#include "log/logger.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::collector {

using nlohmann::json;

namespace {

// Browsers' analytics libraries post from the website's own origin: let them read the answer.
void addCors(http::Response& r) { r.headers.emplace_back("Access-Control-Allow-Origin", "*"); }

http::Response jsonResponse(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump();
  addCors(r);
  return r;
}

http::Response errorResponse(int status, std::string_view code, std::string_view message) {
  return jsonResponse(status, json{{"success", false}, {"error", {{"code", code}, {"message", message}}}});
}

std::string_view headerOf(const http::Request& r, std::string_view lowercase_name) {
  for (const auto& [name, value] : r.headers)
    if (name == lowercase_name) return value;
  return {};
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

const char* reasonOf(int status) {
  switch (status) {
    case 401: return "unauthorized";
    case 413: return "too_large";
    case 503: return "unavailable";
    default: return "bad_request";
  }
}

// Equal in time that depends on the stored key's length only, not on where the first difference is.
bool sameKey(std::string_view given, std::string_view stored) {
  unsigned diff = given.size() != stored.size() ? 1u : 0u;
  for (size_t i = 0; i < stored.size(); ++i)
    diff |= static_cast<unsigned char>(i < given.size() ? given[i] : 0) ^ static_cast<unsigned char>(stored[i]);
  return diff == 0;
}

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::string> basicAuthUser(std::string_view authorization) {
  constexpr std::string_view kBasic = "basic ";
  if (authorization.size() < kBasic.size()) return std::nullopt;
  for (size_t i = 0; i < kBasic.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBasic[i]) return std::nullopt;
  std::string_view b64 = authorization.substr(kBasic.size());
  while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
  while (!b64.empty() && (b64.back() == '=' || b64.back() == ' ')) b64.remove_suffix(1);
  std::string decoded;
  uint32_t bits = 0;
  int n = 0;
  for (const char c : b64) {
    const int v = base64Value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    n += 6;
    if (n >= 8) {
      n -= 8;
      decoded += static_cast<char>((bits >> n) & 0xFF);
    }
  }
  // "key:" with an empty password; a bare "key" is what older clients sent.
  return decoded.substr(0, decoded.find(':'));
}

Collector::Collector(const config::DaemonConfig& daemon, const pipeline::IdentityRules& identity,
                     std::vector<config::ConnectorConfig> events_connectors)
    : identity_(identity), commit_(daemon.store, identity_), sources_(load(events_connectors)) {
  for (const auto& e : sources_->errors) log::error("event collector: " + e);
  commit_.start();
}

Collector::~Collector() { stop(); }

void Collector::stop() { commit_.stop(); }

std::shared_ptr<const Collector::Sources> Collector::load(const std::vector<config::ConnectorConfig>& connectors) {
  auto sources = std::make_shared<Sources>();
  for (const auto& c : connectors) {
    if (!c.enabled) continue;
    auto s = sourceSettings(c);
    if (!s) {
      sources->errors.push_back(s.error());
      continue;
    }
    const SourceSettings* clash = findSource(*sources, s->write_key);
    if (clash) {
      sources->errors.push_back(c.file.string() + ": settings.write_key: connector " + clash->name +
                                " has the same write key; give each push connector its own, so events land in "
                                "the right source (this connector takes no events until then)");
      continue;
    }
    sources->list.push_back(std::move(*s));
  }
  return sources;
}

void Collector::reload(std::vector<config::ConnectorConfig> events_connectors) {
  auto fresh = load(events_connectors);
  for (const auto& e : fresh->errors) log::error("event collector: " + e);
  std::lock_guard lock(mu_);
  sources_ = std::move(fresh);
}

std::vector<std::string> Collector::errors() const { return sources()->errors; }

std::shared_ptr<const Collector::Sources> Collector::sources() const {
  std::lock_guard lock(mu_);
  return sources_;
}

const SourceSettings* Collector::findSource(const Sources& sources, std::string_view key) {
  const SourceSettings* found = nullptr;
  for (const auto& s : sources.list)  // every key is compared: the time says nothing of which matched
    if (sameKey(key, s.write_key) && !found) found = &s;
  return found;
}

void Collector::refuse(const SourceSettings* source, const http::Respond& respond, int status, std::string_view code,
                       const std::string& message, uint64_t events) {
  const std::string name = source ? source->name : std::string();
  telemetry::Registry::global().eventsRefused(name, reasonOf(status), events);
  if (source) commit_.noteRefused(name, events);
  // The first refusals say why in the log; after that one in a hundred, so a broken client cannot flood it.
  const uint64_t n = refusals_logged_.fetch_add(1);
  if (n < 20 || n % 100 == 0)
    log::warn("event collector refused a request (" + std::to_string(status) + "): " + message, name);
  respond(errorResponse(status, code, message));
}

void Collector::handle(Endpoint endpoint, const http::Request& request, http::Respond respond) {
  const int64_t received_ms = nowMillis();
  const auto snapshot = sources();
  const std::string_view authorization = headerOf(request, "authorization");
  const SourceSettings* source = nullptr;
  std::optional<std::string> header_key;
  if (!authorization.empty()) {
    header_key = basicAuthUser(authorization);
    if (!header_key)
      return refuse(nullptr, respond, 401, "unauthorized",
                    "the Authorization header is not HTTP Basic: send \"Basic base64(WRITE_KEY:)\", or \"writeKey\" "
                    "in the body",
                    1);
    source = findSource(*snapshot, *header_key);
    if (!source)
      return refuse(nullptr, respond, 401, "unauthorized",
                    "unknown write key: use the write_key of an enabled push connector (plugin \"events\")", 1);
  }

  DecodedRequest decoded = decodeRequest(endpoint, request.body, received_ms);
  const uint64_t count = std::max<uint64_t>(decoded.event_count, 1);
  if (!source) {
    if (decoded.write_key.empty()) {
      if (decoded.error) return refuse(nullptr, respond, decoded.error->status, decoded.error->code, decoded.error->message, count);
      return refuse(nullptr, respond, 401, "unauthorized",
                    "no write key: send it as the HTTP Basic user (\"Authorization: Basic base64(WRITE_KEY:)\") or "
                    "as \"writeKey\" in the body",
                    count);
    }
    source = findSource(*snapshot, decoded.write_key);
    if (!source)
      return refuse(nullptr, respond, 401, "unauthorized",
                    "unknown write key: use the write_key of an enabled push connector (plugin \"events\")", count);
  }
  if (decoded.error) return refuse(source, respond, decoded.error->status, decoded.error->code, decoded.error->message, count);

  std::vector<std::unique_ptr<MappedEvent>> events;
  events.reserve(decoded.events.size());
  for (const auto& e : decoded.events) {
    auto mapped = mapEvent(e, *source, identity_);
    if (!mapped) return refuse(source, respond, 400, "bad_request", mapped.error(), count);
    events.push_back(std::move(*mapped));
  }
  if (events.empty()) return respond(jsonResponse(200, json{{"success", true}}));

  const std::string name = source->name;
  auto shared = std::make_shared<http::Respond>(std::move(respond));
  auto done = [shared, name, count](const Status& s) {
    if (s) return (*shared)(jsonResponse(200, json{{"success", true}}));
    telemetry::Registry::global().eventsRefused(name, "unavailable", count);
    (*shared)(errorResponse(503, "unavailable", s.message() + " (nothing of this request was stored; send it again)"));
  };
  switch (commit_.submit(name, std::move(events), done)) {
    case GroupCommit::Submitted::Queued: return;
    case GroupCommit::Submitted::Busy: {
      telemetry::Registry::global().eventsRefused(name, "unavailable", count);
      http::Response r = errorResponse(503, "unavailable", "the event collector is busy writing; send again shortly");
      r.headers.emplace_back("Retry-After", "1");
      return (*shared)(std::move(r));
    }
    case GroupCommit::Submitted::Stopped:
      telemetry::Registry::global().eventsRefused(name, "unavailable", count);
      return (*shared)(errorResponse(503, "unavailable", "the daemon is shutting down; send again once it is back"));
  }
}

}  // namespace abm::collector
