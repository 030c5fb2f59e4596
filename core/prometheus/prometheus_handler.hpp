// GET /metrics: the telemetry registry in the Prometheus text format, with the store's size read
// from disk at each scrape. Its own library (abmd_prometheus) rather than part of abmd_telemetry,
// so the HTTP server may report to telemetry without the two libraries depending on each other.
#pragma once

#include <cstdint>
#include <filesystem>

#include "http/http_types.hpp"
#include "http/router.hpp"

namespace abm::prometheus {

// The content type of the text exposition format 0.0.4.
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Bytes of the SQLite store on disk: the database file plus its -wal and -shm files when present;
// -1 when the database file itself cannot be read (missing, no permission).
int64_t storeSizeBytes(const std::filesystem::path& store_path);

// Answers every request at once with Registry::global().render(storeSizeBytes(store_path)). It only
// reads memory and stats three files, so it runs on the event loop.
http::Handler prometheusHandler(std::filesystem::path store_path);

// Adds GET /metrics with Access::Metrics (open unless http.metrics_require_token is set).
void addPrometheusRoute(http::Router& router, std::filesystem::path store_path);

}  // namespace abm::prometheus
