// The dashboards in Debian's Chromium, headless, against a real abmd on a store holding known KPI,
// campaign, funnel and account rows (tests/dashboards/dashboard_store.sql): every page signs in with
// ?token=, loads without a single console message, shows the figures of the store and draws its
// charts; screenshots of each at 1280 and 2560 px are kept in <build>/dashboard-screenshots. The
// sign-in itself is checked over plain HTTP too. Then, in-process: pages without Chart.js still show
// their tables and say so, and pages over an empty store say "no data yet".
//
// Chromium runs with --dump-dom after a virtual time budget (the pages' fetches finish inside it) and
// --enable-logging=stderr, which prints every console message as a "CONSOLE" line; the pages also
// collect their own errors into the DOM and mark <body data-state="ready"> when they are done.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/api.hpp"
#include "dashboards/dashboards.hpp"
#include "http/http_server.hpp"
#include "http_client.hpp"
#include "test_support.hpp"

namespace abm::test {
namespace {

using namespace std::chrono_literals;

const std::string kToken = "dashboard-token-0123456789";

// Where the browser is, or empty when the machine has none.
std::string chromiumPath() {
  const auto found = run({"/bin/sh", "-c", "command -v chromium || command -v chromium-browser"});
  std::string path = found.out.substr(0, found.out.find('\n'));
  return found.exit_code == 0 ? path : "";
}

#define REQUIRE_CHROMIUM()                                                                              \
  if (chromiumPath().empty())                                                                            \
  GTEST_SKIP() << "chromium is not installed: the browser tests need Debian's package chromium "        \
                  "(bash scripts/install-test-deps.sh installs it)"

struct PageLoad {
  std::string dom;
  std::vector<std::string> console;  // every console message the page logged
  std::string err;
};

// One page in a fresh headless Chromium (its own profile: no cookie survives from another load).
// With `screenshot` set it saves a PNG of the page at `width` instead of dumping the DOM.
PageLoad loadPage(const std::string& url, int width = 1280, const fs::path& screenshot = {}) {
  TempDir profile;
  std::vector<std::string> argv = {chromiumPath(),
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--hide-scrollbars",
                                   "--no-first-run",
                                   "--user-data-dir=" + profile.path().string(),
                                   "--enable-logging=stderr",
                                   "--v=0",
                                   "--virtual-time-budget=20000",
                                   "--window-size=" + std::to_string(width) + "," + std::to_string(width * 5 / 4)};
  argv.push_back(screenshot.empty() ? "--dump-dom" : "--screenshot=" + screenshot.string());
  argv.push_back(url);
  const auto r = run(argv);
  PageLoad out{r.out, {}, r.err};
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos) out.console.push_back(line);
  EXPECT_EQ(r.exit_code, 0) << url << "\n" << r.err;
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

bool isPng(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in && std::string(magic + 1, 3) == "PNG" && fs::file_size(p) > 10000;
}

// Checks what every page load must give: the page settled, no error of its own, no console message.
void expectCleanLoad(const PageLoad& page, const std::string& what) {
  EXPECT_NE(page.dom.find("data-state=\"ready\""), std::string::npos) << what << " never settled:\n" << page.dom;
  EXPECT_EQ(page.dom.find("data-errors="), std::string::npos) << what << " reported errors:\n" << page.dom;
  EXPECT_TRUE(page.console.empty()) << what << " logged to the console:\n" << joined(page.console);
}

void expectShows(const PageLoad& page, const std::string& what, const std::vector<std::string>& figures) {
  for (const auto& f : figures) EXPECT_NE(page.dom.find(f), std::string::npos) << what << " does not show " << f;
}

class DashboardsInABrowser : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace;
    port_ = freeLoopbackPort();
    ASSERT_TRUE(ws_->store_.open());
    execSql(ws_->store(), readFile(sourceDir() / "tests/dashboards/dashboard_store.sql"));
    ws_->writeConfig(", \"http\": {\"listen\": \"127.0.0.1:" + std::to_string(port_) +
                     "\", \"api_tokens\": [\"${env:ABMD_API_TOKEN}\"]}");
    abmd_ = new Child({(binDir() / "abmd").string(), "-c", ws_->config().string()}, ws_->dir.path(),
                      {{"ABMD_API_TOKEN", kToken}});
    ASSERT_TRUE(waitForHealth(port_, 30s)) << abmd_->err();
  }
  static void TearDownTestSuite() {
    if (abmd_) {
      abmd_->signal(SIGTERM);
      EXPECT_EQ(abmd_->wait(60s), 0) << abmd_->err();
    }
    delete abmd_;
    abmd_ = nullptr;
    delete ws_;
    ws_ = nullptr;
  }
  static std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  static Workspace* ws_;
  static Child* abmd_;
  static uint16_t port_;
};
Workspace* DashboardsInABrowser::ws_ = nullptr;
Child* DashboardsInABrowser::abmd_ = nullptr;
uint16_t DashboardsInABrowser::port_ = 0;

TEST_F(DashboardsInABrowser, SignInSetsAStrictHttpOnlyCookieThatReadsButCannotWrite) {
  ASSERT_TRUE(abmd_);
  const auto bare = httpRequest(port_, "GET", "/campaigns");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 401);
  EXPECT_EQ(bare->headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(bare->body.find("?token="), std::string::npos) << bare->body;

  const auto wrong = httpRequest(port_, "GET", "/campaigns?token=" + kToken + "x&period=qtd");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->headers.count("set-cookie"), 0u);
  EXPECT_EQ(wrong->body.find(kToken), std::string::npos) << "a token is never echoed";

  const auto good = httpRequest(port_, "GET", "/campaigns?token=" + kToken + "&period=qtd&segment=target");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 303);
  EXPECT_EQ(good->headers.at("location"), "/campaigns?period=qtd&segment=target");
  EXPECT_EQ(good->headers.at("set-cookie"), "abmd_token=" + kToken + "; Path=/; HttpOnly; SameSite=Strict");

  const std::string cookie = "Cookie: theme=dark; abmd_token=" + kToken + "\r\n";
  const auto page = httpRequest(port_, "GET", "/campaigns?period=qtd", "", cookie);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/static/campaigns.js"), std::string::npos);
  const auto api = httpRequest(port_, "GET", "/api/v1/kpis?period=qtd", "", cookie);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200) << api->body;
  EXPECT_NE(api->body.find("forecast_quarter"), std::string::npos);
  const auto stale = httpRequest(port_, "GET", "/api/v1/kpis", "", "Cookie: abmd_token=" + kToken + "0\r\n");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401);
  // The cookie reads; starting a run still takes the bearer header.
  const auto write = httpRequest(port_, "POST", "/api/v1/connectors/nope/sync", "", cookie);
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 401);
  const auto bearer = httpRequest(port_, "POST", "/api/v1/connectors/nope/sync", "",
                                  "Authorization: Bearer " + kToken + "\r\n");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 404) << bearer->body;
}

TEST_F(DashboardsInABrowser, EachPageShowsItsFiguresAndCharts) {
  REQUIRE_CHROMIUM();
  ASSERT_TRUE(abmd_);
  struct Page {
    std::string name, path;
    std::vector<std::string> figures;
  };
  const std::vector<Page> pages = {
      {"executive",
       "/",
       {"1,250,000", "480,000", "40.0%", "42.5 d", "2,259",  // headline, segment all
        "+100%", "+80%",                                      // lift of targets: win rate, deal size
        "72.0%",                                              // target share of pipeline created
        "55.6%",                                              // funnel: mqa went further
        "720,000", "650,000", "15,000"}},                     // forecast, run rate, CAC
      {"campaigns",
       "/campaigns",
       {"LinkedIn ABM Q2", "Spring Webinar Series", "1,000,000", "0.5%", "3.00×", "200.0%", "17,500", "330,000",
        "channel ads", "210,000"}},
      {"performance",
       "/performance",
       {"2.75", "31.5", ">19<", "44.4%", "21.0 d", "25.0%", "Initech", "+45", "82.5", "2026-05"}},
      {"account",
       "/accounts/1",
       {"Acme Corp", "decision_maker", "Jane Roe", "Acme platform deal", "125,000", "2026-03-30 (won)",
        "webinar_attend", "Spring Webinar Series", "current"}},
  };
  const fs::path shots = fs::path(ABMD_TEST_SCREENSHOT_DIR);
  fs::create_directories(shots);
  for (const auto& p : pages) {
    const std::string signed_in = url(p.path + "?token=" + kToken + "&period=last_90d&segment=all");
    const auto load = loadPage(signed_in);
    expectCleanLoad(load, p.name);
    expectShows(load, p.name, p.figures);
    EXPECT_NE(load.dom.find("<canvas"), std::string::npos) << p.name << " drew no chart";
    EXPECT_NE(load.dom.find("id=\"chart-notice\" class=\"notice\" hidden"), std::string::npos)
        << p.name << " says charts are unavailable";
    EXPECT_EQ(load.dom.find("987,654"), std::string::npos) << "an older run's KPI shown on " << p.name;
    EXPECT_EQ(load.dom.find("55,555"), std::string::npos) << "an older run's campaign row shown on " << p.name;
    for (int width : {1280, 2560}) {
      const auto file = shots / (p.name + "-" + std::to_string(width) + ".png");
      fs::remove(file);
      loadPage(signed_in, width, file);
      EXPECT_TRUE(isPng(file)) << file;
    }
  }
  // The model selector starts from the address: first touch credits email, and no event.
  const auto model = loadPage(url("/campaigns?token=" + kToken + "&period=last_90d&model=first_touch"));
  expectCleanLoad(model, "campaigns under first_touch");
  expectShows(model, "campaigns under first_touch", {"channel email", "230,000", "150,000"});
  EXPECT_EQ(model.dom.find("channel event"), std::string::npos) << "w_shaped's credit under first_touch";
  // The period filter reaches the data: the account's timeline holds only the period's touches.
  const auto timeline = loadPage(url("/accounts/1?token=" + kToken + "&period=last_90d"));
  EXPECT_EQ(timeline.dom.find("2025-11-02"), std::string::npos) << "a touch outside last_90d";
}

// An HttpServer with the API and the dashboards in this process, over `store`, with Chart.js at
// `chart_js`, open on loopback (no tokens).
class InProcessDashboards {
 public:
  InProcessDashboards(const store::Location& store, const fs::path& chart_js) {
    config::HttpSettings settings;
    settings.port = 0;
    router_ = std::make_shared<http::Router>();
    api_ = api::addRoutes(*router_, api::ApiContext{store, nullptr, 2, 64});
    dashboards::addDashboardRoutes(*router_, {chart_js});
    server_ = std::make_unique<http::HttpServer>(io_, settings, router_);
    EXPECT_TRUE(server_->start().isOk());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~InProcessDashboards() {
    boost::asio::post(io_, [this] { server_->stop([this] { io_.stop(); }); });
    thread_.join();
    api_->stop();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

 private:
  boost::asio::io_context io_;
  std::shared_ptr<http::Router> router_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

TEST(DashboardsWithoutChartJs, ThePagesShowTheirTablesAndSaySo) {
  REQUIRE_CHROMIUM();
  TempDir dir;
  TestStore store(dir / "abm.db");
  ASSERT_TRUE(store.open());
  execSql(store.ref(), readFile(sourceDir() / "tests/dashboards/dashboard_store.sql"));
  InProcessDashboards server(store.location(), dir / "no-chart.min.js");
  for (const std::string path : {"/", "/campaigns", "/performance", "/accounts/1"}) {
    const auto load = loadPage(server.url(path));
    EXPECT_NE(load.dom.find("data-state=\"ready\""), std::string::npos) << path;
    EXPECT_EQ(load.dom.find("data-errors="), std::string::npos) << path << ":\n" << load.dom;
    EXPECT_NE(load.dom.find("id=\"chart-notice\" class=\"notice\">"), std::string::npos)
        << path << " hides that charts are unavailable:\n" << load.dom;
    EXPECT_EQ(load.dom.find("<canvas"), std::string::npos) << path;
    EXPECT_NE(load.dom.find("<table"), std::string::npos) << path;
    // The one console message is the browser's own about the missing script.
    for (const auto& line : load.console)
      EXPECT_NE(line.find("404"), std::string::npos) << path << ": " << line;
  }
  expectShows(loadPage(server.url("/")), "executive without charts", {"1,250,000", "+100%"});
}

TEST(DashboardsBeforeAnyMetricsRun, ThePagesSayNoDataYet) {
  REQUIRE_CHROMIUM();
  TempDir dir;
  TestStore store(dir / "abm.db");
  ASSERT_TRUE(store.open());
  execSql(store.ref(),
          "INSERT INTO accounts(account_id, name, is_target, created_at, updated_at)"
          " VALUES (1, 'Fresh Co', FALSE, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  InProcessDashboards server(store.location(), dashboards::kDebianChartJs);
  for (const std::string path : {"/", "/campaigns", "/performance", "/accounts/1"}) {
    const auto load = loadPage(server.url(path));
    expectCleanLoad(load, path);
    EXPECT_NE(load.dom.find("No data yet"), std::string::npos) << path << ":\n" << load.dom;
  }
  // A missing account is said on the page, not thrown at the console.
  const auto missing = loadPage(server.url("/accounts/99"));
  EXPECT_NE(missing.dom.find("no account 99"), std::string::npos) << missing.dom;
}

}  // namespace
}  // namespace abm::test
