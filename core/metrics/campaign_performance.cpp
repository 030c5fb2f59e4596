#include "metrics/campaign_performance.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>

namespace abm::metrics {

namespace {

constexpr int64_t kDay = 86400;

// Sends, bounces and impressions reach an account without showing that anyone there engaged.
bool engages(int activity) {
  const std::string_view name = sdk::kActivities[static_cast<size_t>(activity)];
  return name != "email_send" && name != "email_bounce" && name != "ad_impression";
}

// How many of the days [from, to) (midnights) start inside [start, end).
int64_t daysWithin(int64_t from, int64_t to, int64_t start, int64_t end) {
  const int64_t first = start > from ? from + (start - from + kDay - 1) / kDay * kDay : from;
  const int64_t last = std::min(to, end);
  return last > first ? (last - first + kDay - 1) / kDay : 0;
}

std::optional<double> ratio(double num, double den) {
  if (den == 0) return std::nullopt;
  return num / den;
}

}  // namespace

std::vector<int64_t> firstWonDeals(std::vector<WonDeal> won) {
  std::sort(won.begin(), won.end(), [](const WonDeal& a, const WonDeal& b) {
    if (a.account != b.account) return a.account < b.account;
    if (a.closed != b.closed) return a.closed < b.closed;
    return a.opportunity < b.opportunity;
  });
  std::vector<int64_t> first;
  for (size_t i = 0; i < won.size(); ++i)
    if (i == 0 || won[i].account != won[i - 1].account) first.push_back(won[i].opportunity);
  std::sort(first.begin(), first.end());
  return first;
}

CampaignPerformance::CampaignPerformance(int64_t as_of, int lookback_days, std::vector<OtherCost> other_costs)
    : periods_(campaignPeriods(as_of)), lookback_seconds_(int64_t{lookback_days} * kDay), sums_(periods_.size()) {
  // A cost is spread evenly over its days; a period gets the share of the days that start in it.
  for (const OtherCost& c : other_costs) {
    if (!c.channel) continue;  // no channel: only the overall CAC of the KPIs counts it
    const int channel = channelIndex(*c.channel);
    if (channel < 0) continue;
    const int64_t days = (c.to - c.from + kDay - 1) / kDay;
    for (size_t p = 0; p < periods_.size(); ++p)
      if (const int64_t in = daysWithin(c.from, c.to, periods_[p].start, periods_[p].end); in > 0)
        sums_[p].channels[static_cast<size_t>(channel)].other_costs +=
            c.amount * static_cast<double>(in) / static_cast<double>(days);
  }
}

void CampaignPerformance::addCampaign(int64_t campaign, int channel) { campaign_channel_[campaign] = channel; }

void CampaignPerformance::addAccount(const std::vector<CampaignTouch>& touches,
                                     const std::vector<CampaignOpportunity>& opportunities) {
  std::vector<int64_t> reached, engaged;
  for (size_t p = 0; p < periods_.size(); ++p) {
    const KpiPeriod& period = periods_[p];
    PeriodSums& sums = sums_[p];
    // Reach and engagement count the account once per campaign and channel.
    reached.clear();
    engaged.clear();
    std::array<bool, kChannelCount> channel_reached{}, channel_engaged{};
    for (const CampaignTouch& t : touches) {
      if (!period.contains(t.time)) continue;
      const bool engaging = engages(t.activity);
      channel_reached[static_cast<size_t>(t.channel)] = true;
      if (engaging) channel_engaged[static_cast<size_t>(t.channel)] = true;
      if (!t.campaign) continue;
      reached.push_back(t.campaign);
      if (engaging) engaged.push_back(t.campaign);
    }
    for (auto* ids : {&reached, &engaged}) {
      std::sort(ids->begin(), ids->end());
      ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
    for (int64_t c : reached) {
      Sums& s = sums.campaigns[c];
      s.seen = true;
      ++s.reached;
    }
    for (int64_t c : engaged) ++sums.campaigns[c].engaged;
    for (size_t ch = 0; ch < kChannelCount; ++ch) {
      if (channel_reached[ch]) {
        sums.channels[ch].seen = true;
        ++sums.channels[ch].reached;
      }
      if (channel_engaged[ch]) ++sums.channels[ch].engaged;
    }
  }

  // Influence: the touches in the lookback before each opportunity's creation, ends included.
  std::vector<int64_t> campaigns;
  for (const CampaignOpportunity& o : opportunities) {
    campaigns.clear();
    std::array<bool, kChannelCount> channels{};
    const CampaignTouch* earliest = nullptr;
    for (const CampaignTouch& t : touches) {
      if (t.time < o.created - lookback_seconds_) continue;
      if (t.time > o.created) break;
      if (!earliest) earliest = &t;
      channels[static_cast<size_t>(t.channel)] = true;
      if (t.campaign) campaigns.push_back(t.campaign);
    }
    if (!earliest) continue;
    std::sort(campaigns.begin(), campaigns.end());
    campaigns.erase(std::unique(campaigns.begin(), campaigns.end()), campaigns.end());
    for (size_t p = 0; p < periods_.size(); ++p) {
      if (!periods_[p].contains(o.created)) continue;
      PeriodSums& sums = sums_[p];
      for (int64_t c : campaigns) {
        Sums& s = sums.campaigns[c];
        s.seen = true;
        s.influenced += o.amount;
      }
      for (size_t ch = 0; ch < kChannelCount; ++ch)
        if (channels[ch]) {
          sums.channels[ch].seen = true;
          sums.channels[ch].influenced += o.amount;
        }
      if (earliest->campaign) sums.campaigns[earliest->campaign].sourced += o.amount;
      sums.channels[static_cast<size_t>(earliest->channel)].sourced += o.amount;
    }
  }
}

void CampaignPerformance::addSpend(const SpendDay& day) {
  int channel = -1;
  if (day.campaign)
    if (auto it = campaign_channel_.find(day.campaign); it != campaign_channel_.end()) channel = it->second;
  if (channel < 0) channel = channelIndex("ads");  // spend comes from the ad platforms
  for (size_t p = 0; p < periods_.size(); ++p) {
    if (!periods_[p].contains(day.day)) continue;
    std::array<Sums*, 2> targets{&sums_[p].channels[static_cast<size_t>(channel)], nullptr};
    if (day.campaign) targets[1] = &sums_[p].campaigns[day.campaign];
    for (Sums* s : targets) {
      if (!s) continue;
      s->seen = true;
      s->spend += day.cost;
      s->impressions += day.impressions;
      s->clicks += day.clicks;
    }
  }
}

void CampaignPerformance::addCredit(const CampaignCredit& credit) {
  for (size_t p = 0; p < periods_.size(); ++p) {
    if (!periods_[p].contains(credit.at)) continue;
    std::array<Sums*, 2> targets{&sums_[p].channels[static_cast<size_t>(credit.channel)], nullptr};
    if (credit.campaign) targets[1] = &sums_[p].campaigns[credit.campaign];
    for (Sums* s : targets) {
      if (!s) continue;
      s->seen = true;
      (credit.revenue ? s->attributed_revenue : s->attributed_pipeline) += credit.value;
      if (credit.revenue && credit.first_win) s->new_customer_credit += credit.credit;
    }
  }
}

CampaignPerformanceRow CampaignPerformance::row(const std::string& period, int64_t campaign,
                                                std::optional<int> channel, const Sums& s, bool with_costs) const {
  CampaignPerformanceRow r;
  r.period = period;
  r.campaign_id = campaign;
  r.channel = channel;
  r.spend = s.spend;
  r.impressions = s.impressions;
  r.clicks = s.clicks;
  r.ctr = ratio(static_cast<double>(s.clicks), static_cast<double>(s.impressions));
  r.cpc = ratio(s.spend, static_cast<double>(s.clicks));
  r.cpm = ratio(1000 * s.spend, static_cast<double>(s.impressions));
  r.accounts_reached = s.reached;
  r.accounts_engaged = s.engaged;
  r.influenced_pipeline = s.influenced;
  r.sourced_pipeline = s.sourced;
  r.attributed_pipeline = s.attributed_pipeline;
  r.attributed_revenue = s.attributed_revenue;
  r.roas = ratio(s.attributed_revenue, s.spend);
  r.roi = ratio(s.attributed_revenue - s.spend, s.spend);
  r.cac = ratio(s.spend + (with_costs ? s.other_costs : 0), s.new_customer_credit);
  return r;
}

std::vector<CampaignPerformanceRow> CampaignPerformance::rows() const {
  std::vector<CampaignPerformanceRow> out;
  for (size_t p = 0; p < periods_.size(); ++p) {
    for (const auto& [campaign, s] : sums_[p].campaigns) {
      if (!s.seen) continue;
      std::optional<int> channel;
      if (auto it = campaign_channel_.find(campaign); it != campaign_channel_.end() && it->second >= 0)
        channel = it->second;
      out.push_back(row(periods_[p].name, campaign, channel, s, false));
    }
    for (size_t ch = 0; ch < kChannelCount; ++ch)
      if (sums_[p].channels[ch].seen)
        out.push_back(row(periods_[p].name, 0, static_cast<int>(ch), sums_[p].channels[ch], true));
  }
  return out;
}

}  // namespace abm::metrics
