// Leads → contacts. Marketo cannot list leads changed since a date, but its activity log says which
// leads were created (New Lead), changed (Change Data Value), deleted (Delete Lead) or touched (the
// counted activity types): each page of those activities names leads, which are then read by id
// (GET /rest/v1/leads.json?filterType=id&filterValues=..., at most 300 a request) and stored. A
// deleted lead leaves the store.
#pragma once

#include "marketo_session.hpp"

namespace marketo {

Status readLeads(Context& ctx, const std::string& stream, const json& state);

}  // namespace marketo
