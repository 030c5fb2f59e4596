#include "prometheus/prometheus_handler.hpp"

#include <system_error>
#include <utility>

#include "telemetry/telemetry.hpp"

namespace abm::prometheus {

int64_t storeSizeBytes(const std::filesystem::path& store_path) {
  std::error_code ec;
  const auto main_size = std::filesystem::file_size(store_path, ec);
  if (ec) return -1;
  auto total = static_cast<int64_t>(main_size);
  // -wal and -shm exist only while a connection has the store open in WAL mode; absent is zero.
  for (const char* suffix : {"-wal", "-shm"}) {
    auto side = store_path;
    side += suffix;
    const auto size = std::filesystem::file_size(side, ec);
    if (!ec) total += static_cast<int64_t>(size);
  }
  return total;
}

http::Handler prometheusHandler(std::filesystem::path store_path) {
  return [store_path = std::move(store_path)](const http::Request&, http::Respond respond) {
    http::Response response;
    response.status = 200;
    response.content_type = kContentType;
    response.body = telemetry::Registry::global().render(storeSizeBytes(store_path));
    respond(std::move(response));
  };
}

void addPrometheusRoute(http::Router& router, std::filesystem::path store_path) {
  router.add("GET", "/metrics", http::Access::Metrics, prometheusHandler(std::move(store_path)));
}

}  // namespace abm::prometheus
