#include "pipeline/entity_schema.hpp"

#include <algorithm>
#include <iterator>

namespace abm::pipeline {

static_assert(std::size(sdk::entity_fields::kOpportunities) <= kMaxFields &&
              std::size(sdk::entity_fields::kTouchpoints) <= kMaxFields);
static_assert(std::size(sdk::entity_fields::kTouchpoints) == touchpoint_slot::Properties + 1);
static_assert(std::size(sdk::entity_fields::kOpportunities) == opportunity_slot::ExpectedCloseAt + 1);
static_assert(std::size(sdk::entity_fields::kAccounts) == account_slot::Properties + 1);
static_assert(std::size(sdk::entity_fields::kSurveyResponses) == survey_slot::RespondedAt + 1);
static_assert(std::size(sdk::kEntityNames) == static_cast<size_t>(Entity::SurveyResponses) + 1);

std::optional<Entity> entityFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(sdk::kEntityNames); ++i)
    if (sdk::kEntityNames[i] == name) return static_cast<Entity>(i);
  return std::nullopt;
}

std::string_view entityName(Entity e) { return sdk::kEntityNames[static_cast<size_t>(e)]; }

std::span<const FieldSpec> fieldsOf(Entity e) { return sdk::fieldsOfEntity(entityName(e)); }

bool isChannel(std::string_view v) {
  return std::find(std::begin(sdk::kChannels), std::end(sdk::kChannels), v) != std::end(sdk::kChannels);
}
bool isActivity(std::string_view v) {
  return std::find(std::begin(sdk::kActivities), std::end(sdk::kActivities), v) != std::end(sdk::kActivities);
}

}  // namespace abm::pipeline
