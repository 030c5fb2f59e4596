// The SDK's data-driven paginator (<abm/sdk/paginator.hpp>): JSON pointers, RFC 8288 Link headers,
// each paging type walked over vendor-shaped answers, loops and foreign hosts refused.
#include <gtest/gtest.h>

#include <abm/sdk/paginator.hpp>

namespace {

using nlohmann::json;
namespace http = abm::sdk::http;

http::PagingSpec spec(const json& j) {
  http::PagingSpec s;
  const std::string why = http::parsePaging(j, "streams.deals.paginator", s);
  EXPECT_EQ(why, "") << j.dump();
  return s;
}

http::Response answer(const std::string& endpoint, const std::string& link = "") {
  http::Response r;
  r.status = 200;
  r.endpoint = endpoint;
  if (!link.empty()) r.headers["link"] = link;
  return r;
}

TEST(SdkJsonPointer, FindsNestedValuesAndNothingElse) {
  const json doc = json::parse(R"({"meta": {"next_cursor": "c2"}, "a/b": {"~x": 1}, "list": [10, 20], "n": null})");
  EXPECT_EQ(*http::atPointer(doc, "/meta/next_cursor"), "c2");
  EXPECT_EQ(*http::atPointer(doc, "/a~1b/~0x"), 1);
  EXPECT_EQ(*http::atPointer(doc, "/list/1"), 20);
  EXPECT_EQ(http::atPointer(doc, ""), &doc);
  EXPECT_TRUE(http::atPointer(doc, "/n")->is_null());
  for (const char* missing : {"/meta/next", "/list/2", "/list/01", "/list/x", "/meta/next_cursor/deeper", "meta", "/a~2b"})
    EXPECT_EQ(http::atPointer(doc, missing), nullptr) << missing;
}

TEST(SdkLinkHeader, FindsTheNextLinkAmongSeveral) {
  EXPECT_EQ(http::linkTarget(R"(<https://api.example.com/items?page=2>; rel="next")"), "https://api.example.com/items?page=2");
  // GitHub's shape: several links, the next one not first; unquoted rel.
  EXPECT_EQ(http::linkTarget(R"(<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel=next, )"
                             R"(<https://api.github.com/x?page=9>; rel="last")"),
            "https://api.github.com/x?page=3");
  // A quoted rel with several values, any case, other parameters around it; a comma in a quoted title.
  EXPECT_EQ(http::linkTarget(R"(</items?cursor=a,b>; title="one, two"; REL="last Next"; type="application/json")"),
            "/items?cursor=a,b");
  EXPECT_EQ(http::linkTarget(R"(<https://x.test/p?page=1>; rel="prev")"), "");
  EXPECT_EQ(http::linkTarget(R"(<https://x.test/p?page=1>; rel="nextpage")"), "");
  EXPECT_EQ(http::linkTarget(""), "");
}

TEST(SdkPaginator, DefinitionMistakesNameTheirKeyPath) {
  http::PagingSpec s;
  auto why = [&](const json& j) { return http::parsePaging(j, "streams.deals.paginator", s); };
  EXPECT_EQ(why({{"type", "curser"}}),
            "streams.deals.paginator.type: unknown type 'curser' (none, cursor, offset, page, next_url, link_header)");
  EXPECT_EQ(why(json::object()), "streams.deals.paginator.type: missing (none, cursor, offset, page, next_url, link_header)");
  EXPECT_EQ(why("cursor"), "streams.deals.paginator: must be an object such as {\"type\": \"cursor\", ...}");
  EXPECT_EQ(why({{"type", "cursor"}, {"param", "cursor"}}),
            "streams.deals.paginator.next: a cursor paginator needs it (e.g. \"/meta/next_cursor\")");
  EXPECT_EQ(why({{"type", "cursor"}, {"next", "meta/next"}, {"param", "cursor"}}),
            "streams.deals.paginator.next: 'meta/next' is not a JSON pointer: it must start with '/' (e.g. \"/id\")");
  EXPECT_EQ(why({{"type", "offset"}, {"param", "start"}, {"nxt", "/x"}}),
            "streams.deals.paginator.nxt: not a key of a offset paginator (type, has_more, next, param, limit_param, limit, total, start)");
  EXPECT_EQ(why({{"type", "page"}, {"param", "page"}, {"limit_param", "per_page"}}),
            "streams.deals.paginator.limit: limit_param is set, so say the page size to ask for");
  EXPECT_EQ(why({{"type", "page"}, {"param", "page"}, {"limit", 0}}), "streams.deals.paginator.limit: must be a whole number from 1");
  EXPECT_EQ(why({{"type", "offset"}, {"param", "a&b"}}), "streams.deals.paginator.param: 'a&b' is no query parameter name");
  EXPECT_EQ(why({{"type", "link_header"}, {"next", "/x"}}),
            "streams.deals.paginator.next: not a key of a link_header paginator (type, has_more, limit_param, limit)");
  EXPECT_EQ(why({{"type", "next_url"}, {"next", "/links/next"}}), "");
  EXPECT_EQ(why({{"type", "page"}, {"param", "page"}}), "");
  EXPECT_EQ(s.start, 1) << "pages count from 1 unless start says otherwise";
}

TEST(SdkPaginator, CursorAtAPointerUntilItIsNullAndALoopIsAnError) {
  http::Pager p(spec({{"type", "cursor"}, {"next", "/meta/next_cursor"}, {"param", "cursor"}, {"limit_param", "limit"},
                      {"limit", 2}}),
                "/v1/things", {{"sort", "updated_at asc"}}, "https://api.example.com/base");
  EXPECT_EQ(p.target(), "/v1/things?sort=updated_at%20asc&limit=2");
  ASSERT_TRUE(p.next(answer("GET /v1/things"), json::parse(R"({"data": [1, 2], "meta": {"next_cursor": "c/2"}})"), 2));
  EXPECT_EQ(p.target(), "/v1/things?sort=updated_at%20asc&limit=2&cursor=c%2F2");
  ASSERT_TRUE(p.next(answer("GET /v1/things"), json::parse(R"({"meta": {"next_cursor": "c3"}})"), 2));
  EXPECT_FALSE(p.next(answer("GET /v1/things"), json::parse(R"({"meta": {"next_cursor": null}})"), 1));
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(p.pages(), 3);

  http::Pager loop(spec({{"type", "cursor"}, {"next", "/meta/next_cursor"}, {"param", "cursor"}}), "/v1/things", {}, "https://api.example.com");
  ASSERT_TRUE(loop.next(answer("GET /v1/things"), json::parse(R"({"meta": {"next_cursor": "same"}})"), 1));
  EXPECT_FALSE(loop.next(answer("GET /v1/things"), json::parse(R"({"meta": {"next_cursor": "same"}})"), 1));
  EXPECT_EQ(loop.error(), "GET /v1/things: the cursor at /meta/next_cursor came back as 'same' a second time; the source "
                          "would loop, so the run stops (check the paginator's next)");
}

TEST(SdkPaginator, HubSpotsAfterCursorIsACursorPaginator) {
  http::Pager p(spec({{"type", "cursor"}, {"next", "/paging/next/after"}, {"param", "after"}, {"limit_param", "limit"}, {"limit", 100}}),
                "/crm/v3/objects/companies", {}, "https://api.hubapi.com");
  const json page1 = json::parse(R"({"results": [{}], "paging": {"next": {"after": "1001", "link": "..."}}})");
  ASSERT_TRUE(p.next(answer("GET /crm/v3/objects/companies"), page1, 1));
  EXPECT_EQ(p.target(), "/crm/v3/objects/companies?limit=100&after=1001");
  EXPECT_EQ(http::hubspotNextAfter(page1), "1001") << "the same cursor the hand-written helper reads";
  EXPECT_FALSE(p.next(answer("GET /crm/v3/objects/companies"), json::parse(R"({"results": [{}]})"), 1));
}

TEST(SdkPaginator, PipedrivesNextStartIsAnOffsetAtAPointer) {
  http::Pager p(spec({{"type", "offset"}, {"param", "start"}, {"next", "/additional_data/pagination/next_start"},
                      {"has_more", "/additional_data/pagination/more_items_in_collection"}, {"limit_param", "limit"}, {"limit", 2}}),
                "/v1/organizations", {}, "https://acme.pipedrive.com/api");
  EXPECT_EQ(p.target(), "/v1/organizations?limit=2&start=0");
  ASSERT_TRUE(p.next(answer("GET /v1/organizations"),
                     json::parse(R"({"additional_data": {"pagination": {"start": 0, "limit": 2, "more_items_in_collection": true, "next_start": 2}}})"), 2));
  EXPECT_EQ(p.target(), "/v1/organizations?limit=2&start=2");
  EXPECT_FALSE(p.next(answer("GET /v1/organizations"),
                      json::parse(R"({"additional_data": {"pagination": {"start": 2, "limit": 2, "more_items_in_collection": false}}})"), 1));
  EXPECT_EQ(p.error(), "");

  http::Pager stuck(spec({{"type", "offset"}, {"param", "start"}, {"next", "/next_start"}}), "/v1/persons", {}, "https://x.test");
  EXPECT_FALSE(stuck.next(answer("GET /v1/persons"), json{{"next_start", 0}}, 5));
  EXPECT_EQ(stuck.error(), "GET /v1/persons: the next offset (0) does not move past this one (0); the source would loop, so the run stops");
}

TEST(SdkPaginator, OffsetAndLimitStopOnHasMoreTotalOrAShortPage) {
  // Close: _skip/_limit until has_more is false.
  http::Pager close(spec({{"type", "offset"}, {"param", "_skip"}, {"limit_param", "_limit"}, {"limit", 2}, {"has_more", "/has_more"}}),
                    "/api/v1/lead/", {}, "https://api.close.com");
  EXPECT_EQ(close.target(), "/api/v1/lead/?_limit=2&_skip=0");
  ASSERT_TRUE(close.next(answer("GET /api/v1/lead/"), json{{"has_more", true}}, 2));
  EXPECT_EQ(close.target(), "/api/v1/lead/?_limit=2&_skip=2");
  EXPECT_FALSE(close.next(answer("GET /api/v1/lead/"), json{{"has_more", false}}, 1));

  // Mailchimp's shape: offset/count with total_items.
  http::Pager total(spec({{"type", "offset"}, {"param", "offset"}, {"limit_param", "count"}, {"limit", 2}, {"total", "/total_items"}}),
                    "/3.0/campaigns", {}, "https://us6.api.mailchimp.com");
  ASSERT_TRUE(total.next(answer("GET /3.0/campaigns"), json{{"total_items", 3}}, 2));
  EXPECT_FALSE(total.next(answer("GET /3.0/campaigns"), json{{"total_items", 3}}, 1));

  // Neither flag nor total: a page shorter than the limit, or an empty one, is the last.
  http::Pager shortpage(spec({{"type", "offset"}, {"param", "offset"}, {"limit_param", "limit"}, {"limit", 3}}), "/items", {}, "https://x.test");
  ASSERT_TRUE(shortpage.next(answer("GET /items"), json::object(), 3));
  EXPECT_FALSE(shortpage.next(answer("GET /items"), json::object(), 2));
  http::Pager empty(spec({{"type", "offset"}, {"param", "offset"}}), "/items", {}, "https://x.test");
  ASSERT_TRUE(empty.next(answer("GET /items"), json::object(), 7));
  EXPECT_EQ(empty.target(), "/items?offset=7");
  EXPECT_FALSE(empty.next(answer("GET /items"), json::object(), 0));
}

TEST(SdkPaginator, PageNumbersUntilTheLastPage) {
  http::Pager p(spec({{"type", "page"}, {"param", "page"}, {"limit_param", "per_page"}, {"limit", 50}, {"total", "/meta/total_pages"}}),
                "/api/v1/users?active=true", {}, "https://x.test");
  EXPECT_EQ(p.target(), "/api/v1/users?active=true&per_page=50&page=1");
  ASSERT_TRUE(p.next(answer("GET /api/v1/users"), json::parse(R"({"meta": {"total_pages": 2}})"), 50));
  EXPECT_EQ(p.target(), "/api/v1/users?active=true&per_page=50&page=2");
  EXPECT_FALSE(p.next(answer("GET /api/v1/users"), json::parse(R"({"meta": {"total_pages": 2}})"), 50));
}

TEST(SdkPaginator, NextUrlsStayOnTheConfiguredHostAndNeverRepeat) {
  // JSON:API links.next, absolute on the same host.
  http::Pager p(spec({{"type", "next_url"}, {"next", "/links/next"}}), "/v2/people", {{"page[size]", "2"}}, "https://api.example.com/");
  EXPECT_EQ(p.target(), "/v2/people?page%5Bsize%5D=2");
  ASSERT_TRUE(p.next(answer("GET /v2/people"), json::parse(R"({"links": {"next": "https://api.example.com/v2/people?page[after]=x"}})"), 2));
  EXPECT_EQ(p.target(), "https://api.example.com/v2/people?page[after]=x");
  // Facebook's paging.next.link-style nesting, relative; then the end.
  http::Pager nested(spec({{"type", "next_url"}, {"next", "/paging/next/link"}}), "/v1/x", {}, "https://api.example.com");
  ASSERT_TRUE(nested.next(answer("GET /v1/x"), json::parse(R"({"paging": {"next": {"link": "/v1/x?after=MTAx"}}})"), 1));
  EXPECT_EQ(nested.target(), "/v1/x?after=MTAx");
  EXPECT_FALSE(nested.next(answer("GET /v1/x"), json::parse(R"({"paging": {}})"), 1));
  EXPECT_EQ(nested.error(), "");

  // Salesforce's nextRecordsUrl, absent once done.
  http::Pager sf(spec({{"type", "next_url"}, {"next", "/nextRecordsUrl"}}), "/services/data/v60.0/query?q=SELECT", {}, "https://my.salesforce.com");
  const json batch = json::parse(R"({"done": false, "nextRecordsUrl": "/services/data/v60.0/query/01g-2000"})");
  ASSERT_TRUE(sf.next(answer("GET /services/data/v60.0/query"), batch, 2000));
  EXPECT_EQ(sf.target(), *http::salesforceNextRecordsUrl(batch));
  EXPECT_FALSE(sf.next(answer("GET /services/data/v60.0/query/01g-2000"), json::parse(R"({"done": true})"), 10));

  http::Pager evil(spec({{"type", "next_url"}, {"next", "/links/next"}}), "/v2/people", {}, "https://api.example.com");
  EXPECT_FALSE(evil.next(answer("GET /v2/people"), json::parse(R"({"links": {"next": "https://evil.example.net/v2/people?page=2"}})"), 1));
  EXPECT_EQ(evil.error(), "GET /v2/people: the next URL at /links/next points at https://evil.example.net, not the configured host "
                          "https://api.example.com; refused, so no credentials go there");

  http::Pager loop(spec({{"type", "next_url"}, {"next", "/next"}}), "/v2/people", {}, "https://api.example.com");
  ASSERT_TRUE(loop.next(answer("GET /v2/people"), json{{"next", "/v2/people?page=2"}}, 1));
  EXPECT_FALSE(loop.next(answer("GET /v2/people"), json{{"next", "/v2/people?page=2"}}, 1));
  EXPECT_EQ(loop.error(), "GET /v2/people: the next URL at /next names a page already read (/v2/people); the source would loop, so the run stops");
}

TEST(SdkPaginator, LinkHeadersAndHasMoreEndALinkWalk) {
  http::Pager p(spec({{"type", "link_header"}, {"limit_param", "per_page"}, {"limit", 100}}), "/repos/o/r/issues", {}, "https://api.github.com");
  EXPECT_EQ(p.target(), "/repos/o/r/issues?per_page=100");
  ASSERT_TRUE(p.next(answer("GET /repos/o/r/issues", R"(<https://api.github.com/repos/o/r/issues?per_page=100&page=2>; rel="next", )"
                                                      R"(<https://api.github.com/repos/o/r/issues?per_page=100&page=5>; rel="last")"),
                     json::array(), 100));
  EXPECT_EQ(p.target(), "https://api.github.com/repos/o/r/issues?per_page=100&page=2");
  EXPECT_FALSE(p.next(answer("GET /repos/o/r/issues", R"(<https://api.github.com/repos/o/r/issues?page=1>; rel="first")"), json::array(), 3));

  http::Pager off(spec({{"type", "link_header"}}), "/items", {}, "https://api.example.com");
  EXPECT_FALSE(off.next(answer("GET /items", R"(<https://other.example.com/items?page=2>; rel="next")"), json::array(), 1));
  EXPECT_NE(off.error().find("the Link header's next points at https://other.example.com"), std::string::npos) << off.error();

  http::Pager flagged(spec({{"type", "cursor"}, {"next", "/next"}, {"param", "c"}, {"has_more", "/more"}}), "/items", {}, "https://x.test");
  EXPECT_FALSE(flagged.next(answer("GET /items"), json{{"next", "c2"}, {"more", false}}, 1)) << "has_more false ends even with a cursor";
}

}  // namespace
