#include "dashboards/dashboards.hpp"

#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "log/logger.hpp"

namespace abm::dashboards {

namespace {

using http::Access;
using http::Response;

std::string contentType(std::string_view name) {
  const auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  return "text/javascript; charset=utf-8";
}

// Scripts and styles come from this daemon only, so an injected script has nowhere to load from;
// Chart.js sizes its canvases through inline styles.
void addPageHeaders(Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                         "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

Response fileResponse(std::string_view name) {
  const auto bytes = pageFile(name);
  if (bytes.empty()) return Response::error(404, "not_found", "no dashboard file " + std::string(name));
  auto r = Response::text(200, std::string(bytes), contentType(name));
  addPageHeaders(r);
  return r;
}

void replace(std::string& text, std::string_view hole, std::string_view value) {
  if (const auto at = text.find(hole); at != std::string::npos) text.replace(at, hole.size(), value);
}

// A page is the frame every page shares (layout.html) around its own part (`page`.html), with its
// title and script: the frame is written once.
std::string composePage(const std::string& page, const std::string& title) {
  std::string html(pageFile("layout.html"));
  replace(html, "{{title}}", title);
  replace(html, "{{page}}", page);
  replace(html, "{{main}}", pageFile(page + ".html"));
  return html;
}

void servePage(http::Router& router, const std::string& pattern, const std::string& page, const std::string& title) {
  auto html = std::make_shared<const std::string>(composePage(page, title));
  router.add("GET", pattern, Access::Page, [html](const http::Request&, http::Respond respond) {
    auto r = Response::text(200, *html, contentType(".html"));
    addPageHeaders(r);
    respond(std::move(r));
  });
}

// Chart.js as the system has it: read once found, looked for again on each request while missing
// (installing the package needs no restart).
class ChartJs {
 public:
  explicit ChartJs(std::filesystem::path path) : path_(std::move(path)) {}
  Response response() {
    std::lock_guard lock(mu_);
    if (!bytes_) {
      std::ifstream in(path_, std::ios::binary);
      std::ostringstream text;
      if (in) text << in.rdbuf();
      if (!in || text.str().empty()) {
        if (!warned_) log::warn("dashboards: no Chart.js at " + path_.string() +
                                " (Debian package libjs-chart.js); the pages show tables without charts");
        warned_ = true;
        return Response::error(404, "not_found",
                               "Chart.js is not installed (" + path_.string() + ", Debian package libjs-chart.js)");
      }
      bytes_ = std::make_shared<const std::string>(text.str());
    }
    auto r = Response::text(200, *bytes_, "text/javascript; charset=utf-8");
    addPageHeaders(r);
    return r;
  }

 private:
  std::mutex mu_;
  std::filesystem::path path_;
  std::shared_ptr<const std::string> bytes_;
  bool warned_ = false;
};

}  // namespace

void addDashboardRoutes(http::Router& router, DashboardOptions options) {
  servePage(router, "/", "executive", "Executive");
  servePage(router, "/campaigns", "campaigns", "Campaigns");
  servePage(router, "/performance", "performance", "Performance");
  servePage(router, "/accounts/{account_id}", "account", "Account");
  auto chart = std::make_shared<ChartJs>(options.chart_js);
  router.add("GET", "/static/chart.js", Access::Page,
             [chart](const http::Request&, http::Respond respond) { respond(chart->response()); });
  // The pages' own scripts and styles; the pages themselves are served at their routes only.
  router.add("GET", "/static/{file}", Access::Page, [](const http::Request& request, http::Respond respond) {
    const auto& file = request.params.at("file");
    if (file.size() > 5 && file.substr(file.size() - 5) == ".html")
      return respond(Response::error(404, "not_found", "no such resource: " + request.path));
    auto r = fileResponse(file);
    if (r.status == 404) r = Response::error(404, "not_found", "no such resource: " + request.path);
    respond(std::move(r));
  });
}

}  // namespace abm::dashboards
