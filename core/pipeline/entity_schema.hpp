// The unified entities as the pipeline handles them. The field tables live in the SDK
// (<abm/sdk/entities.hpp>) so plugins and host share one definition; a field's position in its
// table is its slot in a validated Row.
#pragma once

#include <abm/sdk/entities.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace abm::pipeline {

enum class Entity { Accounts, Contacts, Opportunities, Campaigns, Touchpoints, AdSpend, SurveyResponses };

std::optional<Entity> entityFromName(std::string_view name);
std::string_view entityName(Entity e);

using FieldType = sdk::FieldType;
using FieldSpec = sdk::EntityField;

std::span<const FieldSpec> fieldsOf(Entity e);

constexpr size_t kMaxFields = 16;

// Slots per entity, in the order of the SDK's field tables.
namespace account_slot {
enum { ExternalId, Name, Domain, Industry, EmployeeCount, AnnualRevenue, Country, IsTarget, Tier, CreatedAt, UpdatedAt,
       Properties };
}
namespace contact_slot {
enum { ExternalId, AccountExternalId, AccountDomain, Email, FirstName, LastName, Title, BuyingRole, CreatedAt, UpdatedAt };
}
namespace opportunity_slot {
enum { ExternalId, AccountExternalId, AccountDomain, Name, Stage, Type, Amount, Currency, Probability, IsClosed, IsWon,
       CreatedAt, ClosedAt, UpdatedAt, ExpectedCloseAt };
}
namespace campaign_slot {
enum { ExternalId, Name, Channel, StartedAt, EndedAt };
}
namespace touchpoint_slot {
enum { ExternalId, AccountExternalId, AccountDomain, ContactExternalId, Email, CampaignExternalId, Channel, Activity,
       OccurredAt, Quantity, Properties };
}
namespace ad_spend_slot {
enum { CampaignExternalId, Date, Impressions, Clicks, Cost, Currency };
}
namespace survey_slot {
enum { ExternalId, AccountExternalId, AccountDomain, ContactExternalId, Email, Score, Comment, RespondedAt };
}

bool isChannel(std::string_view v);
bool isActivity(std::string_view v);

}  // namespace abm::pipeline
