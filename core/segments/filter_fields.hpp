// The fields a segment filter may name, and the journey's stages in their order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "segments/filter_ast.hpp"

namespace abm::segments {

// The journey's stages, first to last: `stage >= engaged` compares positions in this list. The
// same order as metrics::kStageNames (a unit test holds them equal; segments sits below metrics,
// which cuts its KPIs by saved segments).
inline constexpr std::string_view kStageOrder[] = {"unaware", "target", "aware", "engaged", "mqa", "opportunity", "customer"};

// The position of a stage name (any ASCII case), or nothing.
std::optional<int> stagePosition(std::string_view name);
// "unaware, target, ..." for messages.
std::string stageList();

// The field a name written in a filter stands for (names ignore ASCII case; property keys do not),
// or nothing when there is no such field.
std::optional<Field> resolveField(std::string_view name);
// "name, domain, ..." for messages.
std::string fieldList();

}  // namespace abm::segments
