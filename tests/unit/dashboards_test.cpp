// The dashboards' parts without a browser: the token cookie (reading it from a Cookie header,
// writing any token into one, the clean URL the sign-in redirects to), the compiled-in pages and
// their routes, and Chart.js served from the system file or refused when it is missing.
#include <gtest/gtest.h>

#include <tuple>

#include "dashboards/dashboards.hpp"
#include "http/token_cookie.hpp"
#include "test_support.hpp"

using namespace abm;

namespace {

TEST(TokenCookie, ReadsTheNamedCookieAmongOthers) {
  EXPECT_EQ(http::cookieValue("abmd_token=abc", "abmd_token"), "abc");
  EXPECT_EQ(http::cookieValue("a=1; abmd_token=x%3By ;b=2", "abmd_token"), "x;y");
  EXPECT_EQ(http::cookieValue("xabmd_token=1; abmd_tokens=2", "abmd_token"), "");
  EXPECT_EQ(http::cookieValue("", "abmd_token"), "");
  EXPECT_EQ(http::cookieValue("abmd_token=bad%zz", "abmd_token"), "") << "a broken escape is no token";
}

TEST(TokenCookie, AnyVisibleAsciiTokenSurvivesTheCookie) {
  const std::string token = R"(a;b,c"d\e%f=g!~)";
  const auto set = http::tokenCookie(token);
  EXPECT_EQ(set.find(';'), set.find("; Path=/")) << "the value holds no ';' of its own: " << set;
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("; SameSite=Strict"), std::string::npos);
  const auto pair = set.substr(0, set.find(';'));
  EXPECT_EQ(pair.find_first_of("\",\\ "), std::string::npos) << pair;
  EXPECT_EQ(http::cookieValue(pair, "abmd_token"), token);
}

TEST(TokenCookie, TheRedirectKeepsEveryOtherParameterAsSent) {
  EXPECT_EQ(http::withoutTokenParam("/campaigns?token=T&period=last_90d"), "/campaigns?period=last_90d");
  EXPECT_EQ(http::withoutTokenParam("/?period=2026-05&token=T&segment=segment%3AA%20B"),
            "/?period=2026-05&segment=segment%3AA%20B");
  EXPECT_EQ(http::withoutTokenParam("/accounts/7?to%6Ben=T&token=U"), "/accounts/7");
  EXPECT_EQ(http::withoutTokenParam("/performance?token=T"), "/performance");
  EXPECT_EQ(http::withoutTokenParam("/performance"), "/performance");
}

TEST(TokenCookie, SignInSetsTheCookieOnlyForAGoodToken) {
  http::ApiTokens tokens;
  tokens.replace({"good-token"});
  http::Request good;
  good.target = "/campaigns?token=good-token&period=qtd";
  good.query = {{"token", "good-token"}, {"period", "qtd"}};
  const auto ok = http::tokenLogin(good, tokens);
  EXPECT_EQ(ok.status, 303);
  std::map<std::string, std::string> headers(ok.headers.begin(), ok.headers.end());
  EXPECT_EQ(headers["Location"], "/campaigns?period=qtd");
  EXPECT_EQ(headers["Set-Cookie"], "abmd_token=good-token; Path=/; HttpOnly; SameSite=Strict");

  http::Request bad = good;
  bad.query = {{"token", "good-tokeN"}};
  const auto refused = http::tokenLogin(bad, tokens);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.content_type, "text/html; charset=utf-8");
  for (const auto& [name, value] : refused.headers) EXPECT_NE(name, "Set-Cookie");
  EXPECT_EQ(refused.body.find("good-tokeN"), std::string::npos) << "the token is never echoed";

  // Without tokens the pages are open: the redirect cleans the URL and sets nothing.
  http::ApiTokens none;
  const auto open = http::tokenLogin(good, none);
  EXPECT_EQ(open.status, 303);
  for (const auto& [name, value] : open.headers) EXPECT_NE(name, "Set-Cookie");
}

TEST(TokenCookie, AnEmptyTokenIsNeverAccepted) {
  http::ApiTokens tokens;
  tokens.replace({"t"});
  EXPECT_FALSE(tokens.acceptsToken(""));
  EXPECT_TRUE(tokens.acceptsToken("t"));
  EXPECT_TRUE(tokens.accepts("Bearer t"));
  EXPECT_FALSE(tokens.accepts("Bearer "));
}

// Calls the route of `path` the way the server would and gives its answer.
http::Response get(const http::Router& router, const std::string& path) {
  auto m = router.match("GET", path);
  EXPECT_TRUE(m.route) << path;
  if (!m.route) return http::Response::error(404, "not_found", path);
  EXPECT_EQ(m.route->access, http::Access::Page) << path;
  http::Request request;
  request.method = "GET";
  request.path = request.target = path;
  request.params = m.params;
  http::Response out;
  m.route->handler(request, [&](http::Response r) { out = std::move(r); });
  return out;
}

TEST(Dashboards, EveryPageIsServedAtItsRouteWithItsScripts) {
  http::Router router;
  dashboards::addDashboardRoutes(router);
  const std::tuple<const char*, const char*, const char*> pages[] = {{"/", "executive.js", "Executive"},
                                                                     {"/campaigns", "campaigns.js", "Campaigns"},
                                                                     {"/performance", "performance.js", "Performance"},
                                                                     {"/accounts/12", "account.js", "Account"}};
  for (const auto& [path, script, title] : pages) {
    const auto page = get(router, path);
    // The shared frame around the page's own part, every hole filled.
    EXPECT_EQ(page.body.rfind("<!doctype html>\n", 0), 0u) << path << ": nothing before the doctype (no quirks mode)";
    EXPECT_NE(page.body.find(std::string("<title>abmd · ") + title + "</title>"), std::string::npos) << path;
    EXPECT_NE(page.body.find("<div id=\"errors\" hidden></div>"), std::string::npos) << path;
    EXPECT_NE(page.body.find("</h1>"), std::string::npos) << path << ": the page's own part";
    EXPECT_EQ(page.body.find("{{"), std::string::npos) << path;
    EXPECT_EQ(page.body.substr(page.body.size() - 8), "</html>\n") << path;
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find(std::string("/static/") + script), std::string::npos) << path;
    EXPECT_NE(page.body.find("/static/chart.js"), std::string::npos) << path;
    const auto js = get(router, std::string("/static/") + script);
    EXPECT_EQ(js.status, 200) << script;
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(js.body, std::string(dashboards::pageFile(script)));
  }
  EXPECT_EQ(get(router, "/static/dash.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get(router, "/static/nope.js").status, 404);
  EXPECT_EQ(get(router, "/static/executive.html").status, 404) << "pages are served at their routes only";
}

TEST(Dashboards, ChartJsComesFromTheSystemOrIsRefused) {
  test::TempDir dir;
  http::Router missing;
  dashboards::addDashboardRoutes(missing, {dir / "chart.min.js"});
  const auto refused = get(missing, "/static/chart.js");
  EXPECT_EQ(refused.status, 404);
  EXPECT_NE(refused.body.find("libjs-chart.js"), std::string::npos) << refused.body;

  // Installed later: found on the next request, no restart.
  test::writeFile(dir / "chart.min.js", "window.Chart = function () {};\n");
  const auto served = get(missing, "/static/chart.js");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body, "window.Chart = function () {};\n");
  EXPECT_EQ(served.content_type, "text/javascript; charset=utf-8");
}

}  // namespace
