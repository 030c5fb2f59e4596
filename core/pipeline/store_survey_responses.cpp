// Survey responses (NPS answers): upserted by (source, external_id) and tied to their contact and
// account by the rules touchpoints follow (StoreWriter::tiePerson), references to rows not in the
// store yet parked in pending_links. Few next to touchpoints: written one by one, not batched.
#include "pipeline/store_writer.hpp"
#include "pipeline/update_or_insert.hpp"

namespace abm::pipeline {

Status StoreWriter::writeSurveyResponse(const Row& r) {
  using namespace survey_slot;
  PersonTie tie;
  tiePerson(r[AccountExternalId], r[AccountDomain], r[ContactExternalId], r[Email], tie);
  auto bind = [&](store::Statement& st) {
    if (tie.account) st.bind(1, tie.account); else st.bindNull(1);
    if (tie.contact) st.bind(2, tie.contact); else st.bindNull(2);
    st.bindStatic(3, source_);
    st.bindStatic(4, r[ExternalId].text);
    st.bind(5, r[Score].i);
    if (r[Comment].isNull()) st.bindNull(6); else st.bindStatic(6, r[Comment].text);
    st.bindStatic(7, r[RespondedAt].text);
    if (via_.empty()) st.bindNull(8); else st.bindStatic(8, via_);
    st.bind(9, int64_t{tie.via_contact ? 1 : 0});
  };
  int64_t id = 0;
  if (auto s = updateOrInsert(survey_update_, survey_insert_, bind, "survey response", id); !s)
    return Status::error(s.message() + " (" + std::string(r[ExternalId].text) + ")");
  touched(tie.account);
  for (const auto& p : tie.refs)
    if (auto s = addPending("survey_responses", id, p.field, p.kind, p.ref); !s) return s;
  return Status::ok();
}

}  // namespace abm::pipeline
