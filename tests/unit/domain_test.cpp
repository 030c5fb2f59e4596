#include <gtest/gtest.h>

#include "pipeline/domain.hpp"
#include "test_support.hpp"

using namespace abm::pipeline;

TEST(Domain, Normalizes) {
  EXPECT_EQ(*normalizeDomain("acme.com"), "acme.com");
  EXPECT_EQ(*normalizeDomain("ACME.Com"), "acme.com");
  EXPECT_EQ(*normalizeDomain("https://www.acme.com/about?x=1"), "acme.com");
  EXPECT_EQ(*normalizeDomain("http://WWW.Acme.co.uk:8080/"), "acme.co.uk");
  EXPECT_EQ(*normalizeDomain("  www.acme.io.  "), "acme.io");
  EXPECT_EQ(*normalizeDomain("//eu.acme.com#frag"), "eu.acme.com");
  EXPECT_EQ(*normalizeDomain("ftp://user@files.acme.com"), "files.acme.com");
}

TEST(Domain, RefusesWhatIsNotAHost) {
  for (const char* bad : {"", "acme", "acme com", "http://", "a..b.com", ".acme.com", "acme_corp.com!"})
    EXPECT_FALSE(normalizeDomain(bad)) << bad;
}

TEST(Domain, EmailDomain) {
  EXPECT_EQ(*emailDomain("Jane.Doe@Sales.ACME.com"), "sales.acme.com");
  EXPECT_FALSE(emailDomain("no-at-sign"));
  EXPECT_FALSE(emailDomain("@acme.com"));
}

TEST(FreeMail, ShippedListAndAllowOverride) {
  const auto list = abm::test::sourceDir() / "core/data/free_mail_domains.txt";
  auto f = FreeMailDomains::load(list, {});
  EXPECT_TRUE(f.contains("gmail.com"));
  EXPECT_TRUE(f.contains("outlook.com"));
  EXPECT_FALSE(f.contains("acme.com"));
  EXPECT_GT(f.size(), 40u);
  auto allowed = FreeMailDomains::load(list, {"GMAIL.com"});
  EXPECT_FALSE(allowed.contains("gmail.com"));
  EXPECT_TRUE(allowed.contains("yahoo.com"));
}
