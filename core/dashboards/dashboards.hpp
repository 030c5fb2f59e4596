// The dashboards (docs/dashboards.md): the executive page at /, /campaigns, /performance and
// /accounts/{account_id}, static HTML, CSS and JavaScript compiled into the daemon from
// core/dashboards/pages and served under /static/, plus Chart.js from Debian's libjs-chart.js read
// from the system at /static/chart.js. The pages hold no data: they read the read API from the
// browser. Every route is Access::Page: with api_tokens set, a browser signs in with ?token=T.
#pragma once

#include <filesystem>
#include <string_view>

#include "http/router.hpp"

namespace abm::dashboards {

// Where Debian's libjs-chart.js installs its UMD build (it defines window.Chart).
inline constexpr const char* kDebianChartJs = "/usr/share/javascript/chart.js/chart.min.js";

struct DashboardOptions {
  // Read when first asked for and kept once found; while it is missing /static/chart.js is 404 and
  // the pages show their tables and say that the charts are unavailable.
  std::filesystem::path chart_js = kDebianChartJs;
};

void addDashboardRoutes(http::Router& router, DashboardOptions options = {});

// A compiled-in file of core/dashboards/pages by name ("executive.html"), or empty.
std::string_view pageFile(std::string_view name);

}  // namespace abm::dashboards
