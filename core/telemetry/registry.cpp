// The registry's state is a handful of small ordered maps behind one mutex: every update is a few
// map lookups (heterogeneous, so a label set already seen allocates nothing), and render() walks
// the maps in order, which makes the output stable from one scrape to the next.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "telemetry/histogram.hpp"
#include "telemetry/registry_state.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::telemetry {

namespace {

// A finite, non-negative duration: a clock that went backwards or a NaN must not poison a sum.
double sane(double seconds) { return std::isfinite(seconds) && seconds > 0 ? seconds : 0.0; }

// HTTP methods come from the client: anything but the standard ones is one label value, so a
// client cannot grow the label set by inventing methods.
std::string_view boundedMethod(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

int boundedStatus(int status) { return status >= 100 && status <= 599 ? status : 0; }

}  // namespace

Registry& Registry::global() {
  static Registry registry;
  return registry;
}

Registry::Registry() : state_(new State) {
  state_->start_epoch_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Registry::~Registry() { delete state_; }

void Registry::syncFinished(std::string_view connector, std::string_view outcome, double seconds,
                            uint64_t records, uint64_t rejected, int64_t finished_epoch_seconds) {
  std::lock_guard lock(state_->mutex);
  auto& c = state_->connectors.entry(connector);
  c.syncs.entry(outcome) += 1;
  c.records += records;
  c.rejected += rejected;
  c.duration.observe(sane(seconds));
  if (outcome == "succeeded" && finished_epoch_seconds > c.last_success) c.last_success = finished_epoch_seconds;
}

void Registry::seedLastSuccess(std::string_view connector, int64_t finished_epoch_seconds) {
  std::lock_guard lock(state_->mutex);
  auto& c = state_->connectors.entry(connector);
  if (finished_epoch_seconds > c.last_success) c.last_success = finished_epoch_seconds;
}

void Registry::setScheduleGap(std::string_view connector, double seconds) {
  std::lock_guard lock(state_->mutex);
  state_->connectors.entry(connector).schedule_gap = std::isfinite(seconds) && seconds >= 0 ? seconds : -1;
}

void Registry::setRunsWaiting(int64_t n) {
  std::lock_guard lock(state_->mutex);
  state_->runs_waiting = n;
}

void Registry::setRunsRunning(int64_t n) {
  std::lock_guard lock(state_->mutex);
  state_->runs_running = n;
}

void Registry::eventsReceived(std::string_view source, uint64_t n, int64_t last_event_epoch_seconds) {
  std::lock_guard lock(state_->mutex);
  auto& s = state_->sources.entry(source);
  s.received += n;
  if (last_event_epoch_seconds > s.last_event) s.last_event = last_event_epoch_seconds;
}

void Registry::eventsRefused(std::string_view source, std::string_view reason, uint64_t n) {
  std::lock_guard lock(state_->mutex);
  state_->sources.entry(source).refused.entry(reason) += n;
}

void Registry::groupCommit(uint64_t requests, uint64_t events, double seconds) {
  std::lock_guard lock(state_->mutex);
  state_->group_commit_requests.observe(static_cast<double>(requests));
  state_->group_commit_events.observe(static_cast<double>(events));
  state_->group_commit_duration.observe(sane(seconds));
}

void Registry::httpRequest(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(state_->mutex);
  auto& r = state_->routes.entry(route);
  r.requests.entry(boundedMethod(method))[boundedStatus(status)] += 1;
  r.duration.observe(sane(seconds));
}

void Registry::setHttpConnections(int64_t open) {
  std::lock_guard lock(state_->mutex);
  state_->http_connections = open;
}

void Registry::metricsStageFinished(double seconds, bool ok) {
  std::lock_guard lock(state_->mutex);
  state_->metrics_stage_duration.observe(sane(seconds));
  if (!ok) state_->metrics_stage_failures += 1;
}

}  // namespace abm::telemetry
