// abm-demo-gen: writes a deterministic, realistic ABM data set as the csv plugin reads it: target
// and non-target accounts, their buying groups, campaigns with daily ad spend, a year of touchpoints
// across email, ads, web, events and sales, opportunities won and lost (open ones with the date they
// are expected to close), the technologies each account uses, and NPS survey answers. The same seed
// always gives the same files, byte for byte.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "common/timestamp.hpp"

namespace {

using abm::Rng;

const std::vector<std::string> kPrefixes = {"North", "Blue", "Bright", "Iron", "Silver", "Green", "Summit", "Atlas",
                                            "Nova", "Vertex", "Quantum", "Harbor", "Pioneer", "Cedar", "Falcon",
                                            "Orbit", "Crescent", "Granite", "Lumen", "Apex", "Meridian", "Polar",
                                            "Redwood", "Sterling", "Titan"};
const std::vector<std::string> kSuffixes = {"wind", "stone", "field", "gate", "line", "works", "point", "bridge",
                                            "path", "forge", "scale", "wave", "peak", "sight", "loop", "core"};
const std::vector<std::string> kKinds = {"Analytics", "Systems", "Logistics", "Health", "Bank", "Software",
                                         "Manufacturing", "Energy", "Retail", "Insurance", "Labs", "Media"};
const std::vector<std::string> kIndustries = {"Software", "Financial Services", "Healthcare", "Manufacturing",
                                              "Retail", "Logistics", "Energy", "Media", "Insurance", "Education"};
const std::vector<std::string> kCountries = {"US", "US", "US", "GB", "DE", "FR", "CA", "NL", "AU", "SE", "JP"};
const std::vector<std::string> kTlds = {".com", ".com", ".com", ".io", ".co", ".net"};
const std::vector<std::string> kFirst = {"Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Olivia", "Ethan", "Sofia",
                                         "Mateo", "Chloe", "Leo", "Zoe", "Omar", "Priya", "Kenji", "Lena", "Ivan",
                                         "Aisha", "Diego", "Hannah", "Felix", "Nora", "Samuel"};
const std::vector<std::string> kLast = {"Smith", "Garcia", "Chen", "Patel", "Müller", "Dubois", "Kim", "Rossi",
                                        "Nguyen", "Johnson", "O'Brien", "Silva", "Novak", "Tanaka", "Khan",
                                        "Larsen", "Cohen", "Brown", "Weber", "Moreau"};
const std::vector<std::string> kTechnologies = {"Salesforce", "HubSpot", "Marketo", "Snowflake", "Segment",
                                                "Outreach", "Gong", "6sense", "Slack", "Zendesk"};
const std::vector<std::string> kComments = {"", "", "", "Great onboarding", "Support was slow", "Love the reports",
                                            "Pricing is steep", "Easy to use", "Missing integrations"};
struct Role {
  std::string role, title;
};
const std::vector<Role> kRoles = {{"decision_maker", "VP of Marketing"},   {"decision_maker", "Chief Revenue Officer"},
                                  {"champion", "Director of Demand Gen"}, {"champion", "Head of Growth"},
                                  {"influencer", "Marketing Ops Manager"}, {"influencer", "Sales Ops Lead"},
                                  {"user", "Marketing Analyst"},          {"user", "SDR Manager"},
                                  {"blocker", "Procurement Manager"}};

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ts(int64_t t) { return abm::formatTimestamp(t); }

struct Account {
  std::string id, name, domain;
  bool target;
  double engagement;  // expected touches per week
  int contacts_begin, contacts_end;
};

struct Campaign {
  std::string id, name, channel;
  int64_t start, end;
};

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir;
  int accounts_n = 300;
  long touchpoints_target = 40000;
  uint64_t seed = 20261031;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto num = [&](long& v) {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a number");
      v = std::stol(argv[++i]);
    };
    long v;
    if (a == "--accounts") num(v), accounts_n = static_cast<int>(v);
    else if (a == "--touchpoints") num(touchpoints_target);
    else if (a == "--seed") num(v), seed = static_cast<uint64_t>(v);
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: abm-demo-gen OUT_DIR [--accounts N] [--touchpoints N] [--seed S]\n"
                   "Writes accounts.csv, contacts.csv, opportunities.csv, campaigns.csv, touchpoints.csv,\n"
                   "ad_spend.csv and survey_responses.csv for the csv plugin. Same arguments, same bytes.\n";
      return 0;
    } else if (out_dir.empty()) out_dir = a;
    else {
      std::cerr << "abm-demo-gen: unexpected argument " << a << "\n";
      return 2;
    }
  }
  if (out_dir.empty()) {
    std::cerr << "usage: abm-demo-gen OUT_DIR [--accounts N] [--touchpoints N] [--seed S]\n";
    return 2;
  }
  std::filesystem::create_directories(out_dir);
  Rng rng{seed};
  // What later versions added (technologies, survey answers) draws from its own stream, so the
  // rows the generator wrote before stay as they were for the same seed.
  Rng extra{seed ^ 0x5eed5eedull};
  const int64_t end = abm::daysFromCivil(2026, 10, 31) * 86400;
  const int64_t start = end - 365 * 86400;

  // Accounts: about a third are targets; targets are engaged more, as an ABM program intends.
  std::vector<Account> accounts;
  std::ofstream af(out_dir + "/accounts.csv");
  af << "external_id,name,domain,industry,employee_count,annual_revenue,country,is_target,tier,created_at,"
        "properties.technologies\n";
  for (int i = 0; i < accounts_n; ++i) {
    Account a;
    a.id = "acc-" + std::to_string(1000 + i);
    const std::string stem = rng.pick(kPrefixes) + rng.pick(kSuffixes);
    a.name = stem + " " + rng.pick(kKinds);
    std::string lower;
    for (char c : stem) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    a.domain = lower + (i >= 400 ? std::to_string(i) : "") + rng.pick(kTlds);
    for (const auto& other : accounts)
      if (other.domain == a.domain) a.domain = lower + std::to_string(i) + rng.pick(kTlds);
    a.target = rng.chance(0.35);
    a.engagement = (a.target ? 2.5 : 0.6) * (0.2 + 1.6 * rng.unit());
    const int employees = static_cast<int>(std::exp(3.5 + 5.5 * rng.unit()));
    const double revenue = std::round(employees * (80000 + 120000 * rng.unit()));
    const std::string tier = a.target ? (rng.chance(0.25) ? "Tier 1" : rng.chance(0.5) ? "Tier 2" : "Tier 3") : "";
    // Some CRMs store websites rather than domains; the store normalizes them.
    const std::string website = rng.chance(0.15) ? "https://www." + a.domain + "/" : a.domain;
    af << a.id << "," << csvField(a.name) << "," << website << "," << csvField(rng.pick(kIndustries)) << ","
       << employees << "," << static_cast<long long>(revenue) << "," << rng.pick(kCountries) << "," << (a.target ? "true" : "false") << ","
       << tier << "," << ts(start - rng.range(30, 900) * 86400) << ",";
    // The technologies the company uses, as a JSON list (segments filter on them).
    std::string technologies = "[";
    for (size_t k = 0, n = static_cast<size_t>(extra.range(0, 3)), first = extra.next(); k < n; ++k)
      technologies += (k ? ",\"" : "\"") + kTechnologies[(first + k) % kTechnologies.size()] + "\"";
    af << (technologies == "[" ? "" : csvField(technologies + "]")) << "\n";
    accounts.push_back(a);
  }

  // Contacts: a buying group per account; a few use personal mail and rely on the explicit account id.
  struct Contact {
    std::string id, email;
    int account;
  };
  std::vector<Contact> contacts;
  std::ofstream cf(out_dir + "/contacts.csv");
  cf << "external_id,account_external_id,email,first_name,last_name,title,buying_role,created_at\n";
  for (size_t ai = 0; ai < accounts.size(); ++ai) {
    auto& a = accounts[ai];
    a.contacts_begin = static_cast<int>(contacts.size());
    const int n = a.target ? rng.range(5, 12) : rng.range(2, 8);
    for (int k = 0; k < n; ++k) {
      Contact c;
      c.id = "con-" + std::to_string(10000 + contacts.size());
      c.account = static_cast<int>(ai);
      const std::string first = rng.pick(kFirst), last = rng.pick(kLast);
      std::string local;
      for (char ch : first + "." + last)
        if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '.') local += static_cast<char>(std::tolower(ch));
      const bool personal = rng.chance(0.05);
      c.email = local + std::to_string(k) + "@" + (personal ? "gmail.com" : a.domain);
      const auto& role = rng.pick(kRoles);
      // A contact known only by email: tied to its account through the email's domain.
      const bool by_domain = !personal && rng.chance(0.2);
      cf << c.id << "," << (by_domain ? "" : a.id) << "," << c.email << "," << csvField(first) << ","
         << csvField(last) << "," << csvField(role.title) << "," << role.role << ","
         << ts(start + rng.range(0, 300) * 86400) << "\n";
      contacts.push_back(c);
    }
    a.contacts_end = static_cast<int>(contacts.size());
  }

  // Campaigns.
  const std::vector<std::pair<std::string, std::string>> kCampaignKinds = {
      {"email", "Nurture: {} Playbook"},  {"email", "Newsletter {}"},     {"ads", "LinkedIn ABM {}"},
      {"ads", "Google Search {}"},        {"event", "Webinar: {} Trends"}, {"event", "Field Event {}"},
      {"web", "Content Hub {}"},          {"sales", "Outbound Sequence {}"}, {"social", "Social Program {}"}};
  std::vector<Campaign> campaigns;
  std::ofstream kf(out_dir + "/campaigns.csv");
  kf << "external_id,name,channel,started_at,ended_at\n";
  for (int q = 0; q < 4; ++q)
    for (const auto& [channel, pattern] : kCampaignKinds) {
      Campaign c;
      c.id = "cmp-" + std::to_string(100 + campaigns.size());
      std::string name = pattern;
      name.replace(name.find("{}"), 2, "Q" + std::to_string(q + 1));
      c.name = name;
      c.channel = channel;
      c.start = start + q * 91 * 86400;
      c.end = c.start + 91 * 86400 - 1;
      kf << c.id << "," << csvField(c.name) << "," << c.channel << "," << ts(c.start) << "," << ts(c.end) << "\n";
      campaigns.push_back(c);
    }
  auto campaignFor = [&](const std::string& channel, int64_t t) -> const Campaign* {
    std::vector<const Campaign*> fit;
    for (const auto& c : campaigns)
      if (c.channel == channel && t >= c.start && t <= c.end) fit.push_back(&c);
    return fit.empty() ? nullptr : fit[rng.next() % fit.size()];
  };

  // Touchpoints: engagement rises over the year for targets, so journeys progress.
  struct Act {
    std::string channel, activity;
    double weight;
    bool person;
  };
  const std::vector<Act> kActs = {{"email", "email_send", 20, true},       {"email", "email_open", 10, true},
                                  {"email", "email_click", 4, true},       {"email", "email_bounce", 0.5, true},
                                  {"ads", "ad_impression", 18, false},     {"ads", "ad_click", 3, false},
                                  {"web", "page_view", 22, false},         {"web", "form_submit", 1.5, true},
                                  {"event", "webinar_attend", 1.2, true},  {"sales", "meeting", 0.8, true},
                                  {"sales", "call", 1.5, true},            {"social", "social_engagement", 2, true}};
  double total_weight = 0;
  for (const auto& a : kActs) total_weight += a.weight;
  double engagement_sum = 0;
  for (const auto& a : accounts) engagement_sum += a.engagement;
  const std::vector<std::string> kPages = {"/", "/pricing", "/product", "/customers", "/blog/abm-guide", "/demo",
                                           "/integrations", "/security"};
  std::ofstream tf(out_dir + "/touchpoints.csv");
  tf << "external_id,account_external_id,contact_external_id,campaign_external_id,channel,activity,occurred_at,"
        "quantity,url,utm_source\n";
  long tp = 0;
  std::vector<int64_t> first_touch(accounts.size(), 0), touches(accounts.size(), 0);
  for (size_t ai = 0; ai < accounts.size(); ++ai) {
    const auto& a = accounts[ai];
    const long n = std::lround(static_cast<double>(touchpoints_target) * a.engagement / engagement_sum);
    for (long k = 0; k < n; ++k) {
      double pickw = rng.unit() * total_weight;
      const Act* act = &kActs.back();
      for (const auto& x : kActs)
        if ((pickw -= x.weight) < 0) {
          act = &x;
          break;
        }
      // Targets lean to the recent months: t = start + year * u^(1/2) skews late.
      const double u = a.target ? std::sqrt(rng.unit()) : rng.unit();
      const int64_t t = start + static_cast<int64_t>(u * 365 * 86400);
      const Campaign* c = campaignFor(act->channel, t);
      std::string contact;
      if (act->person && a.contacts_end > a.contacts_begin)
        contact = contacts[static_cast<size_t>(rng.range(a.contacts_begin, a.contacts_end - 1))].id;
      const int quantity = act->activity == "ad_impression" ? rng.range(1, 40) : 1;
      std::string url, utm;
      if (act->channel == "web") url = rng.pick(kPages);
      if (act->channel == "ads") utm = c && c->name.rfind("LinkedIn", 0) == 0 ? "linkedin" : "google";
      tf << "tp-" << (1000000 + tp++) << "," << a.id << "," << contact << "," << (c ? c->id : "") << ","
         << act->channel << "," << act->activity << "," << ts(t) << "," << quantity << "," << url << "," << utm
         << "\n";
      if (!first_touch[ai] || t < first_touch[ai]) first_touch[ai] = t;
      ++touches[ai];
    }
  }

  // Opportunities: engaged accounts open deals; targets open more, bigger ones, and win more often.
  std::ofstream of(out_dir + "/opportunities.csv");
  of << "external_id,account_external_id,name,stage,type,amount,currency,probability,is_closed,is_won,created_at,"
        "closed_at,expected_close_at\n";
  int opp = 0;
  for (size_t ai = 0; ai < accounts.size(); ++ai) {
    const auto& a = accounts[ai];
    if (!touches[ai]) continue;
    const double p_open = std::min(0.9, (a.target ? 0.25 : 0.08) + a.engagement * 0.08);
    int deals = 0;
    while (rng.chance(p_open) && deals < 3) {
      ++deals;
      const int64_t created = first_touch[ai] + static_cast<int64_t>(rng.unit() * static_cast<double>(end - first_touch[ai]) * 0.8);
      const double amount = std::round((a.target ? 45000 : 18000) * (0.4 + 1.6 * rng.unit()) / 100) * 100;
      const int64_t closed = created + rng.range(20, 140) * 86400;
      const bool is_closed = closed < end;
      const bool won = is_closed && rng.chance(a.target ? 0.45 : 0.22);
      std::string stage = !is_closed ? rng.pick(std::vector<std::string>{"Discovery", "Proposal", "Negotiation"})
                                     : (won ? "Closed Won" : "Closed Lost");
      const char* prob = !is_closed ? (stage == "Discovery" ? "0.2" : stage == "Proposal" ? "0.5" : "0.75")
                                    : (won ? "1" : "0");
      const char* type = deals == 1 ? "new_business" : (rng.chance(0.6) ? "expansion" : "renewal");
      of << "opp-" << (5000 + opp++) << "," << a.id << "," << csvField(a.name + " - " + (deals == 1 ? "Platform" : "Expansion"))
         << "," << stage << "," << type << "," << static_cast<long long>(amount) << ",USD," << prob << "," << (is_closed ? "true" : "false")
         << "," << (won ? "true" : "false") << "," << ts(created) << "," << (is_closed ? ts(closed) : "") << ","
         << (is_closed ? "" : ts(closed)) << "\n";
    }
  }

  // Daily spend of the paid campaigns.
  std::ofstream sf(out_dir + "/ad_spend.csv");
  sf << "campaign_external_id,date,impressions,clicks,cost,currency\n";
  for (const auto& c : campaigns) {
    if (c.channel != "ads") continue;
    for (int64_t d = c.start; d <= c.end && d < end; d += 86400) {
      const int impressions = rng.range(800, 6000);
      const int clicks = impressions * rng.range(3, 15) / 1000;
      const double cost = std::round(clicks * (4.0 + 8.0 * rng.unit()) * 100) / 100;
      sf << c.id << "," << ts(d).substr(0, 10) << "," << impressions << "," << clicks << "," << cost << ",USD\n";
    }
  }
  // NPS answers: some contacts answer a survey now and then; engaged targets are the happier ones.
  std::ofstream rf(out_dir + "/survey_responses.csv");
  rf << "external_id,contact_external_id,score,comment,responded_at\n";
  int responses = 0;
  for (const auto& a : accounts)
    for (int ci = a.contacts_begin; ci < a.contacts_end; ++ci) {
      if (!extra.chance(0.12)) continue;
      const double mood = (a.target ? 0.55 : 0.35) + 0.1 * std::min(a.engagement, 3.0) + 0.3 * extra.unit();
      const int score = std::clamp(static_cast<int>(std::lround(mood * 10 - 1 + 2 * extra.unit())), 0, 10);
      const int64_t t = start + static_cast<int64_t>(extra.unit() * 365 * 86400);
      rf << "nps-" << (70000 + responses++) << "," << contacts[static_cast<size_t>(ci)].id << "," << score << ","
         << csvField(extra.pick(kComments)) << "," << ts(t) << "\n";
    }
  std::cout << "wrote " << accounts.size() << " accounts, " << contacts.size() << " contacts, " << campaigns.size()
            << " campaigns, " << tp << " touchpoints, " << opp << " opportunities, " << responses
            << " survey responses to " << out_dir << "\n";
  return 0;
}
