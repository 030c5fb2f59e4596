#include <gtest/gtest.h>

#include <set>

#include "metrics/markov.hpp"

using namespace abm::metrics;

namespace {
// Tests name channels; the models see small ids.
std::map<std::string, ChannelId>& names() {
  static std::map<std::string, ChannelId> n;
  return n;
}
ChannelId id(const std::string& name) { return names().emplace(name, static_cast<ChannelId>(names().size())).first->second; }
std::string ids(const std::vector<std::string>& c) {
  std::string out;
  for (const auto& x : c) out.push_back(static_cast<char>(id(x)));
  return out;
}
ChannelPath conv(std::vector<std::string> c, double n = 1, double v = 0) { return {ids(c), n, v, 0}; }
ChannelPath null(std::vector<std::string> c) { return {ids(c), 0, 0, 1}; }
template <typename M>
ChannelCredit at(M& credits, const std::string& name) { return credits[id(name)]; }

// Brute-force Shapley over every coalition, to check the closed form.
std::map<ChannelId, double> bruteShapley(const std::vector<ChannelPath>& paths) {
  std::set<ChannelId> all;
  for (const auto& p : paths)
    for (char c : p.channels) all.insert(static_cast<ChannelId>(c));
  std::vector<ChannelId> players(all.begin(), all.end());
  const size_t n = players.size();
  auto worth = [&](unsigned mask) {
    double w = 0;
    for (const auto& p : paths) {
      bool inside = p.conversions > 0;
      for (char c : p.channels) {
        const size_t i = std::find(players.begin(), players.end(), static_cast<ChannelId>(c)) - players.begin();
        inside = inside && (mask >> i & 1u);
      }
      if (inside) w += p.conversions;
    }
    return w;
  };
  std::vector<double> fact(n + 1, 1);
  for (size_t i = 1; i <= n; ++i) fact[i] = fact[i - 1] * static_cast<double>(i);
  std::map<ChannelId, double> out;
  for (size_t i = 0; i < n; ++i)
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
      if (mask >> i & 1u) continue;
      const size_t s = static_cast<size_t>(__builtin_popcount(mask));
      out[players[i]] += fact[s] * fact[n - s - 1] / fact[n] * (worth(mask | 1u << i) - worth(mask));
    }
  return out;
}
}  // namespace

TEST(Markov, IssueReferenceOne) {
  // A>B>A>B>B>A, A>B>B>A, A>A each converting once (repeats collapsed), no null paths: A = 2, B = 1.
  std::vector<ChannelPath> paths = {conv({"A", "B", "A", "B", "A"}), conv({"A", "B", "A"}), conv({"A"})};
  auto c = markovCredits(paths, 1);
  EXPECT_NEAR(at(c, "A").conversions, 2.0, 1e-12);
  EXPECT_NEAR(at(c, "B").conversions, 1.0, 1e-12);
}

TEST(Markov, IssueReferenceTwo) {
  // C1>C2>C3 converts (value 1000), C1 null, C2>C3 null: 0.2 / 0.4 / 0.4 conversions, 200 / 400 / 400.
  std::vector<ChannelPath> paths = {conv({"C1", "C2", "C3"}, 1, 1000), null({"C1"}), null({"C2", "C3"})};
  EXPECT_NEAR(markovConversionProbability(paths, 1, -1), 1.0 / 3, 1e-12);
  EXPECT_NEAR(markovConversionProbability(paths, 1, id("C1")), 1.0 / 6, 1e-12);
  auto c = markovCredits(paths, 1);
  EXPECT_NEAR(at(c, "C1").conversions, 0.2, 1e-12);
  EXPECT_NEAR(at(c, "C2").conversions, 0.4, 1e-12);
  EXPECT_NEAR(at(c, "C3").conversions, 0.4, 1e-12);
  EXPECT_NEAR(at(c, "C1").value, 200, 1e-9);
  EXPECT_NEAR(at(c, "C2").value, 400, 1e-9);
  EXPECT_NEAR(at(c, "C3").value, 400, 1e-9);
}

TEST(Markov, OrderTwoUsesPairsOfChannelsAsStates) {
  // Order 2: A>B converts, C>B does not. With pairs as states, (A,B) always converts and (C,B)
  // never does, so removing C changes nothing while removing A kills every conversion; B is in
  // every converting state too.
  std::vector<ChannelPath> paths = {conv({"A", "B"}), null({"C", "B"})};
  EXPECT_NEAR(markovConversionProbability(paths, 2, -1), 0.5, 1e-12);
  EXPECT_NEAR(markovConversionProbability(paths, 2, id("C")), 0.5, 1e-12);
  EXPECT_NEAR(markovConversionProbability(paths, 2, id("A")), 0.0, 1e-12);
  auto c = markovCredits(paths, 2);
  EXPECT_NEAR(at(c, "A").conversions, 0.5, 1e-12);
  EXPECT_NEAR(at(c, "B").conversions, 0.5, 1e-12);
  EXPECT_NEAR(at(c, "C").conversions, 0.0, 1e-12);
  // Order 1 merges the two B states: B converts half the time whatever came before.
  EXPECT_NEAR(markovConversionProbability(paths, 1, id("C")), 0.25, 1e-12);
}

TEST(Markov, NoConversionsNoCredit) {
  EXPECT_TRUE(markovCredits({null({"A"})}, 1).empty());
  EXPECT_TRUE(markovCredits({}, 1).empty());
}

TEST(Shapley, IssueReference) {
  // a (4 conversions) and a>b (6): a = 7, b = 3.
  std::vector<ChannelPath> paths = {conv({"a"}, 4, 400), conv({"a", "b"}, 6, 600)};
  auto c = shapleyCredits(paths);
  EXPECT_DOUBLE_EQ(at(c, "a").conversions, 7);
  EXPECT_DOUBLE_EQ(at(c, "b").conversions, 3);
  EXPECT_DOUBLE_EQ(at(c, "a").value, 700);
  EXPECT_DOUBLE_EQ(at(c, "b").value, 300);
}

TEST(Shapley, MatchesBruteForceEnumeration) {
  std::vector<ChannelPath> paths = {conv({"web", "email", "web"}, 3), conv({"ads"}, 2), conv({"ads", "sales", "email"}, 5),
                                    conv({"event", "web"}, 1), null({"social", "web"})};
  auto closed = shapleyCredits(paths);
  EXPECT_EQ(closed.count(id("social")), 0u) << "a channel only on null paths earns nothing";
  auto brute = bruteShapley(paths);
  EXPECT_NEAR(brute[id("social")], 0.0, 1e-12);
  for (const auto& [c, v] : brute) EXPECT_NEAR(closed[c].conversions, v, 1e-9) << c;
}
