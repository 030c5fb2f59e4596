// A shared library that is not an abmd plugin: it exports no abm_plugin_entry.
extern "C" __attribute__((visibility("default"))) int some_other_function(void) { return 42; }
