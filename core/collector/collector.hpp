// The event collector: Segment's HTTP tracking API (POST /v1/batch, /v1/track, /v1/identify,
// /v1/page, /v1/screen, /v1/group, /v1/alias) on the daemon's listener, for push connectors
// ({"plugin": "events", "settings": {"write_key": ..., "event_activities": {...}}}). A request is
// authenticated by its write key (HTTP Basic user, or "writeKey" in the body), decoded, mapped to
// unified rows, and answered 200 {"success": true} only once its events are committed (group
// commit). See docs/collector.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collector/event_rows.hpp"
#include "collector/group_commit.hpp"
#include "collector/segment_event.hpp"
#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"
#include "pipeline/identity_rules.hpp"

namespace abm::collector {

class Collector {
 public:
  // `events_connectors` are the connectors whose plugin is "events", settings already validated
  // against the plugin's options. The identity rules are copied: the writer thread uses them.
  Collector(const config::DaemonConfig& daemon, const pipeline::IdentityRules& identity,
            std::vector<config::ConnectorConfig> events_connectors);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // POST on the seven endpoints, and OPTIONS on them for browsers' CORS preflight; all Public (the
  // collector checks its own write keys).
  void addRoutes(http::Router& router);
  // SIGHUP: new write keys and event_activities, connectors added or removed. Requests already
  // decoded finish with the settings they started with.
  void reload(std::vector<config::ConnectorConfig> events_connectors);
  // Commits and answers what is queued; later requests are answered 503.
  void stop();

  // One request to `endpoint`: what the routes call.
  void handle(Endpoint endpoint, const http::Request& request, http::Respond respond);

  // Push connectors the last load or reload could not take: "<file>: settings.<key>: <what>".
  std::vector<std::string> errors() const;

 private:
  struct Sources {
    std::vector<SourceSettings> list;
    std::vector<std::string> errors;
  };
  static std::shared_ptr<const Sources> load(const std::vector<config::ConnectorConfig>& connectors);
  std::shared_ptr<const Sources> sources() const;
  // The push connector whose write key `key` is, compared in constant time; nullptr when none.
  static const SourceSettings* findSource(const Sources& sources, std::string_view key);
  void refuse(const SourceSettings* source, const http::Respond& respond, int status, std::string_view code,
              const std::string& message, uint64_t events);

  pipeline::IdentityRules identity_;
  GroupCommit commit_;
  mutable std::mutex mu_;
  std::shared_ptr<const Sources> sources_;
  std::atomic<uint64_t> refusals_logged_{0};
};

// The key of an "Authorization: Basic base64(key:)" header: the user part; nullopt when the header
// is not HTTP Basic or not valid base64.
std::optional<std::string> basicAuthUser(std::string_view authorization);

}  // namespace abm::collector
