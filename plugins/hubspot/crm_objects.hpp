// How each HubSpot CRM object becomes a unified record (see README.md for the field mapping).
#pragma once

#include "crm_reader.hpp"

namespace hubspot {

ObjectSpec companiesSpec(const json& settings);
ObjectSpec contactsSpec(const json& settings);
// Deals need the pipelines' stage metadata (label, probability, closed) to read their stage.
Status dealsSpec(Context& ctx, ObjectSpec& spec);
ObjectSpec meetingsSpec();
ObjectSpec callsSpec();

}  // namespace hubspot
