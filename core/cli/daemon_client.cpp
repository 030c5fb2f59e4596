#include "cli/daemon_client.hpp"

#include <abm/sdk/http.hpp>

namespace abm::cli {

std::string daemonBaseUrl(const std::string& host, uint16_t port) {
  std::string h = host;
  if (h == "0.0.0.0") h = "127.0.0.1";
  if (h == "::") h = "::1";
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return "http://" + h + ":" + std::to_string(port);
}

Result<DaemonClient> DaemonClient::connect(const config::DaemonConfig& daemon) {
  const std::string file = daemon.file.string();
  if (!daemon.http)
    return Status::error(file + " has no \"http\" key, so the daemon has no API to ask; add \"http\": {\"listen\": "
                         "\"127.0.0.1:7470\"} and restart abmd (docs/http.md), or stop abmd and run this again");
  const auto& h = *daemon.http;
  if (h.port == 0)
    return Status::error(file + ": http.listen '" + h.listen +
                         "' lets the daemon take any free port, which abmctl cannot know; set a fixed port");
  if (h.api_tokens.empty() && !h.unresolved_tokens.empty())
    return Status::error(file + ": http.api_tokens: " + h.unresolved_tokens.front() +
                         " cannot be resolved in this shell, and the daemon's API needs a token; set it as the "
                         "service has it (e.g. export the variable) and run this again");
  return DaemonClient(daemonBaseUrl(h.host, h.port), h.api_tokens.empty() ? "" : h.api_tokens.front());
}

DaemonClient::DaemonClient(std::string base_url, std::string token)
    : base_url_(std::move(base_url)), token_(std::move(token)) {
  sdk::http::ClientOptions o;
  o.base_url = base_url_;
  o.url_setting = "http.listen";
  o.connect_timeout = std::chrono::seconds(5);
  o.timeout = std::chrono::seconds(120);  // a reset may discover the streams in a worker first
  o.user_agent = "abmctl";
  http_ = std::make_unique<sdk::http::Client>(std::move(o));
}

DaemonClient::DaemonClient(DaemonClient&&) noexcept = default;
DaemonClient::~DaemonClient() = default;

std::string DaemonClient::Answer::message() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("message") &&
      body["error"]["message"].is_string())
    return body["error"]["message"].get<std::string>();
  return "HTTP " + std::to_string(status);
}

Result<DaemonClient::Answer> DaemonClient::call(const std::string& method, const std::string& target,
                                                const std::string& body) {
  sdk::http::Request req;
  req.method = method;
  req.target = target;
  req.body = body;
  if (!body.empty()) req.headers.push_back("Content-Type: application/json");
  if (!token_.empty()) req.headers.push_back("Authorization: Bearer " + token_);
  const auto r = http_->send(req);
  if (r.transport != CURLE_OK)
    return Status::error("cannot reach the daemon's API: " + r.transport_error + " (is abmd running with this config?)");
  Answer a;
  a.status = r.status;
  a.body = nlohmann::json::parse(r.body, nullptr, false);
  if (a.body.is_discarded()) a.body = nullptr;
  if (r.status == 401)
    return Status::error("the daemon at " + base_url_ + " refused " +
                         (token_.empty() ? std::string("a request without a token: set http.api_tokens as the daemon has them")
                                         : std::string("the token from http.api_tokens: abmd may run with other tokens "
                                                       "(a changed config takes effect at its reload)")));
  return a;
}

}  // namespace abm::cli
