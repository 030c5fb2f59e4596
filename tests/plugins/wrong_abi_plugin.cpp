// A plugin built for a future ABI major: the host must refuse it before calling anything in it.
#include <abm/sdk/abm_plugin_abi.h>

static const abm_plugin kDescriptor = {sizeof(abm_plugin), ABM_ABI_MAJOR + 1, 0, "future", "9.0.0", "test",
                                       "built for another ABI", "[]", nullptr, nullptr, nullptr};

extern "C" __attribute__((visibility("default"))) const abm_plugin* abm_plugin_entry(void) { return &kDescriptor; }
