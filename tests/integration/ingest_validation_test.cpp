// What the store accepts from any plugin, end to end through the csv plugin: text is stored as
// well-formed UTF-8 and numbers within their rules, and what is refused is kept readable.
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace abm::test;

namespace {

TEST(IngestValidation, ALatin1ExportIsStoredAsUtf8AndBadRowsAreKeptReadable) {
  Workspace ws;
  ws.writeConfig();
  // A spreadsheet saved as Latin-1: 0xFC is "ü" there, and no character at all in UTF-8.
  writeFile(ws.dir / "data/accounts.csv",
            "external_id,name,domain\n"
            "a1,M\xFCller GmbH,mueller.de\n"
            "a\xFF"
            "2,Bad Id,bad.de\n");
  writeFile(ws.dir / "data/touchpoints.csv",
            "external_id,account_external_id,channel,activity,occurred_at,quantity\n"
            "t1,a1,web,page_view,2026-01-01T00:00:00Z,1\n"
            "t2,a1,web,page_view,2026-01-02T00:00:00Z,-1\n");
  ws.addConnector("files", "csv", R"({"path": "../data"})");
  auto r = run({(binDir() / "abmctl").string(), "-c", ws.config().string(), "sync", "files"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  EXPECT_EQ(queryJoined(ws.store(), "SELECT name FROM accounts", "|"), "M\xEF\xBF\xBDller GmbH");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 1);
  EXPECT_EQ(queryJoined(ws.store(), "SELECT reason FROM rejected_records ORDER BY stream", " | "),
            "field 'external_id': not valid UTF-8, got \"a\xEF\xBF\xBD"
            "2\" | "
            "field 'quantity': expected a quantity from 0 to 1e9, got \"-1\"");
  const std::string data =
      queryText(ws.store(), "SELECT data FROM rejected_records WHERE stream = 'accounts'");
  EXPECT_NE(data.find("a\xEF\xBF\xBD"
                      "2"),
            std::string::npos)
      << data;
  EXPECT_EQ(data.find('\xFF'), std::string::npos) << data;
}

}  // namespace
