// Compiled into every plugin built inside the abmd tree (abm_add_plugin adds it there, never to an
// out-of-tree plugin): the abmd version the library ships with. The worker's describe reports it,
// and `abmctl plugins` marks the plugin built-in, whatever folder the library was copied to.
extern "C" __attribute__((visibility("default"))) const char abm_plugin_shipped[] = ABMD_SHIPPED_VERSION;
