#include "api/control_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"

namespace abm::api {

http::Response shuttingDown() {
  auto r =
      ApiError::unavailable("shutting_down", "the daemon is shutting down; retry once it is back").response();
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

namespace {

std::string quoted(const std::string& name) { return "'" + utf8Excerpt(name, 100) + "'"; }

// The body a sync request may carry: nothing, {} (as some clients send) or {"full_refresh": bool}.
ApiResult<SyncRequest> parseSyncBody(const std::string& body, const std::string& endpoint) {
  SyncRequest request;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return request;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return ApiError::badRequest("invalid_body", "the body is not a JSON object; send no body, {} or "
                                                "{\"full_refresh\": true} (" + endpoint + ")");
  for (const auto& [key, value] : j.items()) {
    if (key != "full_refresh")
      return ApiError::badRequest("invalid_body", "unknown key '" + utf8Excerpt(key, 100) +
                                                      "' in the body; the only option is full_refresh (" +
                                                      endpoint + ")");
    if (!value.is_boolean())
      return ApiError::badRequest("invalid_body", "full_refresh must be true or false (" + endpoint + ")");
    request.full_refresh = value.get<bool>();
  }
  return request;
}

http::Response syncAnswer(const std::string& name, const SyncRequestResult& r) {
  switch (r.kind) {
    case SyncRequestResult::Started: {
      auto response = jsonResponse(202, {{"connector", name}, {"status", "started"}, {"run_id", r.run_id}});
      response.headers.emplace_back("Location", "/api/v1/runs/" + std::to_string(r.run_id));
      return response;
    }
    case SyncRequestResult::Queued:
      return jsonResponse(202, {{"connector", name}, {"status", "queued"}, {"run_id", nullptr}});
    case SyncRequestResult::AlreadyRunning:
      return ApiError{
          409, "already_running",
          "connector " + quoted(name) +
              " is running a sync now; GET /api/v1/runs?connector=" + utf8Excerpt(name, 100) +
              "&status=running shows it, ask again once it has ended"}
          .response();
    case SyncRequestResult::UnknownConnector:
      return ApiError::notFound("no connector " + quoted(name) +
                                "; GET /api/v1/connectors lists the configured connectors")
          .response();
    case SyncRequestResult::NotPullable:
      return ApiError{
          409, "not_pullable",
          "connector " + quoted(name) +
              " is a push source: it receives events on the collector (/v1/batch, /v1/track, ...) and "
              "has nothing to pull"}
          .response();
    case SyncRequestResult::ShuttingDown:
      return shuttingDown();
  }
  return ApiError::internal("unexpected answer from the scheduler").response();
}

http::Response resetAnswer(const std::string& name, const std::string& stream, const StateResetResult& r) {
  switch (r.kind) {
    case StateResetResult::Reset:
      return jsonResponse(200, {{"connector", name},
                                {"stream", stream.empty() ? nlohmann::json(nullptr) : nlohmann::json(stream)},
                                {"removed", r.removed}});
    case StateResetResult::Busy:
      return ApiError{409, "already_running",
                      "connector " + quoted(name) + " " + r.detail +
                          "; its checkpoints are in use, so they are left as they are: ask again once the run has "
                          "ended"}
          .response();
    case StateResetResult::UnknownConnector:
      return ApiError::notFound("no connector " + quoted(name) +
                                "; GET /api/v1/connectors lists the configured connectors")
          .response();
    case StateResetResult::UnknownStream:
      return ApiError::notFound("connector " + quoted(name) + " has no stream " + quoted(stream) +
                                " (known streams: " + (r.detail.empty() ? "none" : r.detail) + ")")
          .response();
    case StateResetResult::NotPullable:
      return ApiError{409, "not_pullable",
                      "connector " + quoted(name) + " is a push source: it keeps no checkpoints to reset"}
          .response();
    case StateResetResult::ShuttingDown:
      return shuttingDown();
    case StateResetResult::Failed:
      return ApiError::internal("resetting the checkpoints of " + quoted(name) + " failed: " + r.detail).response();
  }
  return ApiError::internal("unexpected answer from the scheduler").response();
}

ApiResult<DaemonControl*> controlOf(const Call& call) {
  if (!call.control)
    return ApiError::unavailable("unavailable", "this daemon cannot act on connectors on request (" +
                                                    call.endpoint + ")");
  return call.control;
}

}  // namespace

void startSync(const Call& call, const std::string& body, http::Respond respond) {
  auto request = parseSyncBody(body, call.endpoint);
  if (!request) return respond(request.error().response());
  auto control = controlOf(call);
  if (!control) return respond(control.error().response());
  const std::string name = call.params.at("name");
  (*control)->requestSync(name, *request,
                          [respond, name](SyncRequestResult r) { respond(syncAnswer(name, r)); });
}

std::vector<ParamSpec> stateResetParams() { return {textParam("stream")}; }

void resetConnectorState(const Call& call, http::Respond respond) {
  auto control = controlOf(call);
  if (!control) return respond(control.error().response());
  const std::string name = call.params.at("name");
  const std::string stream = call.query.text("stream") ? *call.query.text("stream") : "";
  (*control)->resetState(name, stream, [respond, name, stream](StateResetResult r) {
    respond(resetAnswer(name, stream, r));
  });
}

}  // namespace abm::api
