// Activities of the counted types → touchpoints of their lead (contact_external_id = leadId), through
// the activity pager. Which types count is the `activity_types` setting; how each maps:
//   web_page_visited (1)        web   page_view     properties.page ← primaryAttributeValue
//   form_filled (2)             web   form_submit   properties.form
//   email_bounced (8)           email email_bounce  properties.email
//   email_opened (10)           email email_open    properties.email
//   email_clicked (11)          email email_click   properties.email, properties.link ← attribute "Link"
//   program_status_changed (104) event ← `program_status_activities` of the new status (default
//                               Attended → webinar_attend), else other; properties.program, status
#pragma once

#include "marketo_session.hpp"

namespace marketo {

Status readActivities(Context& ctx, const std::string& stream, const json& state);

}  // namespace marketo
