#include <gtest/gtest.h>

#include "common/status.hpp"
#include "pipeline/domain.hpp"
#include "pipeline/public_suffix.hpp"
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

TEST(PublicSuffix, RegistrableDomainsFromTheListsRules) {
  auto psl = PublicSuffixList::fromRules("// comment\ncom\nuk\nco.uk\n*.ck\n!www.ck\n");
  EXPECT_EQ(psl.registrableDomain("eu.acme.com"), "acme.com");
  EXPECT_EQ(psl.registrableDomain("acme.com"), "acme.com");
  EXPECT_EQ(psl.registrableDomain("a.b.acme.co.uk"), "acme.co.uk");
  EXPECT_EQ(psl.registrableDomain("shop.acme.ck"), "shop.acme.ck") << "*.ck: acme.ck is itself a suffix";
  EXPECT_EQ(psl.registrableDomain("www.ck"), "www.ck") << "the exception makes www.ck registrable";
  EXPECT_EQ(psl.registrableDomain("a.www.ck"), "www.ck");
  EXPECT_EQ(psl.registrableDomain("co.uk"), "co.uk") << "a public suffix stays as it is";
  EXPECT_EQ(psl.registrableDomain("x.y.unlisted"), "y.unlisted") << "no rule: the last label is the suffix";
}

TEST(PublicSuffix, TheListDebianShips) {
  const auto psl = PublicSuffixList::load("/usr/share/publicsuffix/public_suffix_list.dat");
  EXPECT_GT(psl.size(), 5000u);
  EXPECT_EQ(psl.registrableDomain("eu.acme.com"), "acme.com");
  EXPECT_EQ(psl.registrableDomain("marketing.acme.co.uk"), "acme.co.uk");
  EXPECT_EQ(psl.registrableDomain("acme.github.io"), "acme.github.io");  // a private suffix
  EXPECT_THROW(PublicSuffixList::load("/nonexistent/psl.dat"), abm::ConfigError);
}
