// The plugins the daemon carries itself. Their options are declared like any plugin's, so connector
// files are validated, redacted and documented the same way.
#include "plugin_host/plugin_registry.hpp"

namespace abm::plugin_host {

PluginInfo eventsPluginInfo() {
  PluginInfo p;
  p.name = "events";
  p.version = ABMD_VERSION;
  p.kind = "push";
  p.abi = "built-in";
  p.shipped = ABMD_VERSION;
  p.description =
      "Segment-compatible event collector: websites and apps POST track/identify/page/screen/group/alias "
      "events to the daemon's HTTP listener (/v1/batch and friends) with this connector's write key";
  config::OptionSpec key;
  key.name = "write_key";
  key.type = "string";
  key.required = true;
  key.secret = true;
  key.description = "the key clients send as the HTTP Basic user (or writeKey in the body); use ${env:NAME}";
  config::OptionSpec activities;
  activities.name = "event_activities";
  activities.type = "string_map";
  activities.default_value = nlohmann::json::object();
  activities.description =
      "track event name -> touchpoint activity (e.g. {\"Demo Requested\": \"form_submit\"}); unmapped events "
      "use the event name in snake_case";
  p.options = {key, activities};
  return p;
}

}  // namespace abm::plugin_host
