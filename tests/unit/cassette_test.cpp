// abm-plugin-test's cassettes: requests match on method, path, query in any order and body; repeated
// requests replay in recorded order; a miss names the nearest recorded request; secrets never reach
// the file, and a masked cassette still matches the masked request.
#include <gtest/gtest.h>

#include <fstream>

#include "plugin_test/cassette.hpp"
#include "test_support.hpp"

namespace abm::plugin_test {
namespace {

using nlohmann::json;

HttpRequest get(const std::string& target) { return {"GET", target, {}, ""}; }

Exchange exchange(const HttpRequest& r, int status, const std::string& body) {
  Exchange e;
  e.request = toRecorded(r, Secrets());
  e.status = status;
  e.body = bodyToJson(body);
  return e;
}

TEST(Cassette, QueryOrderDoesNotMatterButItsValuesDo) {
  Cassette c;
  c.exchanges.push_back(exchange(get("/v1/items?limit=2&after=abc"), 200, R"({"page": 1})"));
  Replayer r(c);
  const Exchange* hit = r.answer(toRecorded(get("/v1/items?after=abc&limit=2"), Secrets()));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, json({{"page", 1}}));
  EXPECT_EQ(r.answer(toRecorded(get("/v1/items?after=abd&limit=2"), Secrets())), nullptr);
  ASSERT_EQ(r.misses().size(), 1u);
  EXPECT_EQ(r.misses()[0], "GET /v1/items?after=abd&limit=2 (nearest recorded: GET /v1/items?after=abc&limit=2)");
}

TEST(Cassette, JsonBodiesMatchAsJsonAndOtherBodiesAsText) {
  Cassette c;
  c.exchanges.push_back(exchange({"POST", "/search", {}, R"({"a": 1, "b": [2]})"}, 200, "{}"));
  c.exchanges.push_back(exchange({"POST", "/token", {}, "grant_type=x"}, 200, "{}"));
  Replayer r(c);
  EXPECT_NE(r.answer(toRecorded({"POST", "/search", {}, R"({"b":[2],"a":1})"}, Secrets())), nullptr);
  EXPECT_EQ(r.answer(toRecorded({"POST", "/search", {}, R"({"a": 2, "b": [2]})"}, Secrets())), nullptr);
  EXPECT_NE(r.answer(toRecorded({"POST", "/token", {}, "grant_type=x"}, Secrets())), nullptr);
}

TEST(Cassette, RepeatedRequestsReplayInRecordedOrderThenRepeatTheLast) {
  Cassette c;
  c.exchanges.push_back(exchange(get("/poll"), 200, R"({"n": 1})"));
  c.exchanges.push_back(exchange(get("/other"), 200, R"({"n": 0})"));
  c.exchanges.push_back(exchange(get("/poll"), 200, R"({"n": 2})"));
  Replayer r(c);
  EXPECT_EQ(r.answer(toRecorded(get("/poll"), Secrets()))->body["n"], 1);
  EXPECT_EQ(r.answer(toRecorded(get("/poll"), Secrets()))->body["n"], 2);
  EXPECT_EQ(r.answer(toRecorded(get("/poll"), Secrets()))->body["n"], 2);
  r.rewind();
  EXPECT_EQ(r.answer(toRecorded(get("/poll"), Secrets()))->body["n"], 1);
}

TEST(Cassette, SecretsAreMaskedInQueryBodyAndAnswerWhereverTheyAppear) {
  Secrets s;
  s.add("tok en/1", "<secret:settings.api_token>");
  const RecordedRequest rq = toRecorded({"POST", "/x?api_token=tok%20en%2F1&q=1", {}, "key=tok%20en%2F1&n=2"}, s);
  EXPECT_EQ(rq.query["api_token"], "<secret:settings.api_token>");
  EXPECT_EQ(rq.body, "key=<secret:settings.api_token>&n=2");
  // A placeholder from a recorded answer (a rotated token), sent back percent-encoded, reads the same.
  EXPECT_EQ(toRecorded({"POST", "/x", {}, "key=%3Csecret%3Asettings.api_token%3E&n=2"}, Secrets()).body, rq.body);
  // Credential headers and token members of answers are learned and masked too.
  HttpRequest req{"GET", "/me", {{"authorization", "Bearer live-token-123"}}, ""};
  HttpAnswer ans{200, {}, R"({"refresh_token": "rotated-456", "echo": "live-token-123"})"};
  learnSecrets(req, ans, s);
  const json masked = s.mask(bodyToJson(ans.body));
  EXPECT_EQ(masked.dump(), R"({"echo":"<secret:authorization>","refresh_token":"<secret:refresh_token>"})");
}

TEST(Cassette, AMaskedCassetteSavesLoadsAndStillMatchesTheMaskedRequest) {
  test::TempDir dir;
  Secrets s;
  s.add("s3cret-value", "<secret:settings.access_token>");
  Cassette c;
  c.plugin = "demo";
  Exchange e;
  e.request = toRecorded(get("/items?token=s3cret-value&page=2&page=1"), s);
  e.status = 200;
  e.headers["content-type"] = "application/json";
  e.body = s.mask(bodyToJson(R"({"items": [1], "note": "s3cret-value"})"));
  c.exchanges.push_back(e);
  const std::string file = (dir / "c.json").string();
  ASSERT_TRUE(c.save(file));
  std::ifstream in(file);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text.find("s3cret-value"), std::string::npos) << text;
  auto loaded = Cassette::load(file);
  ASSERT_TRUE(loaded) << loaded.error();
  Replayer r(*loaded);
  // At replay the connector's secret setting holds the placeholder itself.
  Secrets none;
  const Exchange* hit = r.answer(toRecorded(get("/items?page=1&page=2&token=<secret:settings.access_token>"), none));
  ASSERT_NE(hit, nullptr) << (r.misses().empty() ? "" : r.misses()[0]);
  EXPECT_EQ(hit->body["items"], json::array({1}));
}

TEST(Cassette, ABodyThatIsNotUtf8IsSavedWithReplacementCharacters) {
  test::TempDir dir;
  Cassette c;
  Exchange e;
  e.request = toRecorded(get("/export.csv"), Secrets());
  e.body = bodyToJson("name\nCaf\xE9 Ltd\n");  // Latin-1, as some exports are
  c.exchanges.push_back(e);
  const std::string file = (dir / "c.json").string();
  ASSERT_TRUE(c.save(file));
  auto loaded = Cassette::load(file);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->exchanges[0].body, "name\nCaf\xEF\xBF\xBD Ltd\n");
}

TEST(Cassette, ABadFileIsRefusedNamingTheKey) {
  test::TempDir dir;
  const std::string file = (dir / "bad.json").string();
  std::ofstream(file) << R"({"abm_cassette": 1, "interactions": [{"request": {"method": "GET", "path": "x"},
                              "response": {"status": 200}}]})";
  auto loaded = Cassette::load(file);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("interactions[0].request.path: expected a string starting with /"), std::string::npos)
      << loaded.error();
}

}  // namespace
}  // namespace abm::plugin_test
