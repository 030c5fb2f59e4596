#include "prometheus/prometheus_handler.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/catch_all.hpp"
#include "log/logger.hpp"
#include "store/store_size.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::prometheus {

struct MetricsRoute::State {
  explicit State(store::Location store) : size(std::move(store)) {}

  std::mutex mutex;
  std::condition_variable wake;
  std::vector<http::Respond> waiting;
  bool stopping = false;
  std::thread thread;
  store::StoreSize size;  // the thread's alone
  bool size_failed = false;
};

namespace {

http::Response scrapeAnswer(int64_t store_bytes) {
  http::Response response;
  response.status = 200;
  response.content_type = kContentType;
  response.body = telemetry::Registry::global().render(store_bytes);
  return response;
}

void answer(std::vector<http::Respond>& scrapes, int64_t store_bytes) {
  if (scrapes.empty()) return;
  const auto response = scrapeAnswer(store_bytes);
  for (auto& respond : scrapes) respond(response);
  scrapes.clear();
}

// Measures once for every scrape that waits, until stop().
void work(MetricsRoute::State& s) {
  for (;;) {
    std::vector<http::Respond> scrapes;
    {
      std::unique_lock lock(s.mutex);
      s.wake.wait(lock, [&] { return s.stopping || !s.waiting.empty(); });
      if (s.stopping) return;  // stop() answers what is left
      scrapes.swap(s.waiting);
    }
    int64_t bytes = -1;
    const auto escaped = catchAll([&] { bytes = s.size.bytes(); });
    // Said once when measuring starts failing, not at every scrape; the missing sample says the rest.
    const std::string why = escaped.empty() ? s.size.error() : escaped;
    if (bytes < 0 && !s.size_failed) log::warn("/metrics: no abmd_store_size_bytes: " + why);
    if (bytes >= 0 && s.size_failed) log::info("/metrics: the store's size can be measured again");
    s.size_failed = bytes < 0;
    answer(scrapes, bytes);
  }
}

}  // namespace

MetricsRoute::MetricsRoute(store::Location store) : state_(std::make_shared<State>(std::move(store))) {
  state_->thread = std::thread([s = state_.get()] { work(*s); });
}

MetricsRoute::~MetricsRoute() { stop(); }

void MetricsRoute::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  std::vector<http::Respond> left;
  {
    std::lock_guard lock(state_->mutex);
    left.swap(state_->waiting);
  }
  answer(left, -1);
}

http::Handler MetricsRoute::handler() {
  return [state = state_](const http::Request&, http::Respond respond) {
    {
      std::lock_guard lock(state->mutex);
      if (!state->stopping) {
        state->waiting.push_back(std::move(respond));
        state->wake.notify_one();
        return;
      }
    }
    respond(scrapeAnswer(-1));
  };
}

std::unique_ptr<MetricsRoute> addPrometheusRoute(http::Router& router, store::Location store) {
  auto route = std::make_unique<MetricsRoute>(std::move(store));
  router.add("GET", "/metrics", http::Access::Metrics, route->handler());
  return route;
}

}  // namespace abm::prometheus
