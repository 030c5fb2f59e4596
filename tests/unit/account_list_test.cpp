// Imported account lists without a store: company names reduced for matching, the CSV file read
// by its header, and rows matched to accounts by registrable domain, then by name.
#include <gtest/gtest.h>

#include "segments/company_name.hpp"
#include "common/csv_field.hpp"
#include "segments/list_file.hpp"
#include "segments/list_matching.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::segments;

namespace {

TEST(CompanyName, CasePunctuationAndLegalFormsAreDropped) {
  EXPECT_EQ(normalizeCompanyName("ACME, Inc."), "acme");
  EXPECT_EQ(normalizeCompanyName("Acme Inc"), "acme");
  EXPECT_EQ(normalizeCompanyName("  acme  "), "acme");
  EXPECT_EQ(normalizeCompanyName("Müller GmbH"), "müller");
  EXPECT_EQ(normalizeCompanyName("Globex Corp."), "globex");
  EXPECT_EQ(normalizeCompanyName("Initech Ltd"), "initech");
  EXPECT_EQ(normalizeCompanyName("Umbrella S.A."), "umbrella");
  EXPECT_EQ(normalizeCompanyName("Hooli AG"), "hooli");
  EXPECT_EQ(normalizeCompanyName("Stark B.V."), "stark");
  EXPECT_EQ(normalizeCompanyName("Wayne & Co"), "wayne");
  EXPECT_EQ(normalizeCompanyName("Wonka Co. Ltd."), "wonka");
  EXPECT_EQ(normalizeCompanyName("Soylent LLC"), "soylent");
  EXPECT_EQ(normalizeCompanyName("Coca-Cola"), "coca cola");
  // A legal form that is the whole name stays; one in the middle is part of the name.
  EXPECT_EQ(normalizeCompanyName("Inc"), "inc");
  EXPECT_EQ(normalizeCompanyName("AG Insurance Group"), "ag insurance group");
  EXPECT_EQ(normalizeCompanyName(""), "");
}

TEST(ListFile, HeaderNamesAreMatchedLooselyAndRowsKeepTheirFields) {
  test::TempDir tmp;
  test::writeFile(tmp / "l.csv",
                  "\xEF\xBB\xBF" "Notes,Company Name,Website\r\n"
                  "\"a, b\",\"ACME, Inc.\",https://www.acme.com/about\r\n"
                  "\r\n"
                  "x,Beta,\r\n"
                  "\"multi\nline\",,gamma.io\r\n");
  auto f = readListFile(tmp / "l.csv");
  ASSERT_TRUE(f) << f.error();
  EXPECT_EQ(f->header, (std::vector<std::string>{"Notes", "Company Name", "Website"}));
  ASSERT_EQ(f->rows.size(), 3u);
  EXPECT_EQ(f->rows[0].line, 2);
  EXPECT_EQ(f->rows[0].name, "ACME, Inc.");
  EXPECT_EQ(f->rows[0].domain, "https://www.acme.com/about");
  EXPECT_EQ(f->rows[0].fields[0], "a, b");
  EXPECT_EQ(f->rows[1].line, 4);
  EXPECT_EQ(f->rows[1].domain, "");
  EXPECT_EQ(f->rows[2].line, 5);
  EXPECT_EQ(f->rows[2].domain, "gamma.io");
  EXPECT_EQ(csvLine(f->rows[2].fields), "\"multi\nline\",,gamma.io\n");
  EXPECT_EQ(csvLine({"say \"hi\"", "plain"}), "\"say \"\"hi\"\"\",plain\n");
}

TEST(ListFile, ErrorsNameTheFileAndLine) {
  test::TempDir tmp;
  auto error = [&](const std::string& text) {
    test::writeFile(tmp / "bad.csv", text);
    auto f = readListFile(tmp / "bad.csv");
    return f ? std::string("(read)") : f.error();
  };
  const std::string file = (tmp / "bad.csv").string();
  EXPECT_EQ(error(""), file + " is empty; expected a header row such as name,domain");
  EXPECT_EQ(error("id,industry\n1,x\n").rfind(file + ":1: no company name or domain column in the header; name one of: "
                                                "name, company,", 0),
            0u);
  EXPECT_EQ(error("name\n\"Acme\n"), file + ":2: a quoted field is never closed");
  EXPECT_EQ(error("name\n\"Acme\"x\n"), file + ":2: text after a closing quote");
  EXPECT_EQ(error("name,domain\na,b,c\n"), file + ":2: 3 fields, but the header has 2");
  auto missing = readListFile(tmp / "nope.csv");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), (tmp / "nope.csv").string() + ": cannot read it (no such file, or not readable)");
}

class ListMatching : public ::testing::Test {
 protected:
  pipeline::PublicSuffixList suffixes_ = pipeline::PublicSuffixList::fromRules("com\nio\nuk\nco.uk\nde\n");
  AccountIndex index_{{{1, "Acme, Inc.", "acme.com"},
                       {2, "Beta GmbH", "beta.co.uk"},
                       {3, "Gamma", "gamma.io"},
                       {4, "gamma LLC", ""},
                       {5, "Delta", "shared.com"},
                       {6, "Epsilon", "shared.com"}}};
};

TEST_F(ListMatching, DomainsWithSchemeWwwSubdomainsAndPathsMeetTheirAccount) {
  for (const char* d : {"acme.com", "https://www.acme.com/about?x=1", "WWW.ACME.COM", "http://eu.acme.com:8080/"}) {
    auto m = index_.match("", d, suffixes_);
    EXPECT_EQ(m.outcome, MatchOutcome::Matched) << d << ": " << m.reason;
    EXPECT_EQ(m.account_ids, std::vector<int64_t>{1}) << d;
    EXPECT_EQ(m.matched_by, "domain");
  }
  auto uk = index_.match("", "shop.beta.co.uk", suffixes_);
  EXPECT_EQ(uk.account_ids, std::vector<int64_t>{2});
}

TEST_F(ListMatching, NamesWithSuffixesMatchWhenTheDomainDoesNot) {
  auto m = index_.match("ACME Inc.", "", suffixes_);
  EXPECT_EQ(m.outcome, MatchOutcome::Matched);
  EXPECT_EQ(m.matched_by, "name");
  EXPECT_EQ(m.account_ids, std::vector<int64_t>{1});
  auto b = index_.match("beta ltd", "unknown.com", suffixes_);
  EXPECT_EQ(b.outcome, MatchOutcome::Matched);
  EXPECT_EQ(b.matched_by, "name");
  EXPECT_EQ(b.account_ids, std::vector<int64_t>{2});
}

TEST_F(ListMatching, AmbiguousNamesAndDomainsGiveTheCandidates) {
  auto m = index_.match("Gamma Corp", "", suffixes_);
  EXPECT_EQ(m.outcome, MatchOutcome::Ambiguous);
  EXPECT_EQ(m.account_ids, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(m.reason, "the name 'gamma' is that of accounts 3, 4");
  // The domain settles what the name cannot.
  EXPECT_EQ(index_.match("Gamma Corp", "gamma.io", suffixes_).account_ids, std::vector<int64_t>{3});
  auto d = index_.match("", "shared.com", suffixes_);
  EXPECT_EQ(d.outcome, MatchOutcome::Ambiguous);
  EXPECT_EQ(d.account_ids, (std::vector<int64_t>{5, 6}));
  // An ambiguous domain, and then a name that settles it.
  EXPECT_EQ(index_.match("Delta", "shared.com", suffixes_).account_ids, std::vector<int64_t>{5});
}

TEST_F(ListMatching, UnmatchedRowsSayWhy) {
  EXPECT_EQ(index_.match("Nope Ltd", "nope.com", suffixes_).reason,
            "no account has the domain nope.com; no account is named 'nope'");
  EXPECT_EQ(index_.match("", "not a domain", suffixes_).reason, "'not a domain' is not a domain");
  EXPECT_EQ(index_.match("", "", suffixes_).reason, "no company name or domain");
  EXPECT_EQ(index_.match("", "", suffixes_).outcome, MatchOutcome::Unmatched);
}

}  // namespace
