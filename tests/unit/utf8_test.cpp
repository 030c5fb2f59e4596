// Well-formedness and repair of UTF-8, against the examples of the Unicode standard.
#include "common/utf8.hpp"

#include <gtest/gtest.h>

using namespace abm;

namespace {
constexpr auto npos = std::string_view::npos;
const std::string kFFFD = "\xEF\xBF\xBD";
}  // namespace

TEST(Utf8, FindsTheFirstIllFormedSequence) {
  EXPECT_EQ(invalidUtf8At(""), npos);
  EXPECT_EQ(invalidUtf8At("plain ascii"), npos);
  EXPECT_EQ(invalidUtf8At("Müller €5 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"), npos);  // up to U+10FFFF
  EXPECT_EQ(invalidUtf8At("ab\xFF"), 2u);
  EXPECT_EQ(invalidUtf8At("a\xC0\xAF"), 1u);         // overlong '/'
  EXPECT_EQ(invalidUtf8At("a\xE0\x80\xAF"), 1u);     // overlong, 3 bytes
  EXPECT_EQ(invalidUtf8At("\xED\xA0\x80"), 0u);      // a surrogate (U+D800)
  EXPECT_EQ(invalidUtf8At("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(invalidUtf8At("ok\xE2\x82"), 2u);        // cut short at the end
  EXPECT_EQ(invalidUtf8At("\x80"), 0u);              // a continuation byte alone
}

TEST(Utf8, RepairReplacesEachMaximalSubpartOnce) {
  // Unicode 15, section 3.9, table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
  EXPECT_EQ(repairUtf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a" + kFFFD + kFFFD + kFFFD + "b" + kFFFD + "c" + kFFFD + kFFFD + "d");
  EXPECT_EQ(repairUtf8(std::string("a\0b", 3)), "a" + kFFFD + "b");
  EXPECT_EQ(repairUtf8("Müller"), "Müller");
}

TEST(Utf8, AnExcerptNeverEndsInsideACharacter) {
  EXPECT_EQ(utf8Excerpt("ääää", 3), "ä");  // byte 3 is the middle of the second ä
  EXPECT_EQ(utf8Excerpt("ääää", 4), "ää");
  EXPECT_EQ(utf8Excerpt("abc", 80), "abc");
  EXPECT_EQ(utf8Excerpt("a\xFF", 80), "a" + kFFFD);
}
