/* abm_plugin_abi.h — the C ABI between abmd and a connector plugin.
 *
 * A plugin is a shared library exporting one function, `abm_plugin_entry`, that returns a pointer to
 * a static `abm_plugin` descriptor. The host reads `abi_major` first and refuses the library when it
 * differs from ABM_ABI_MAJOR; `struct_size` lets later minor versions append fields.
 *
 * Only C types cross this boundary: no C++ classes, no exceptions, no allocator ownership. Every
 * string the plugin hands the host is copied by the host before the call returns. Plugins written in
 * C++ use the header-only wrapper in <abm/sdk/plugin.hpp> instead of this file directly.
 */
#ifndef ABM_PLUGIN_ABI_H
#define ABM_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ABM_ABI_MAJOR 1
#define ABM_ABI_MINOR 3
#define ABM_PLUGIN_ENTRY_SYMBOL "abm_plugin_entry"

/* The three outcomes of a step, as in Fluent Bit's output callbacks. */
typedef enum abm_status {
  ABM_OK = 0,    /* done; everything emitted is good */
  ABM_RETRY = 1, /* transient failure (network, vendor 5xx): the scheduler retries with backoff */
  ABM_ERROR = 2  /* permanent failure (bad settings, bad credentials): retrying will not help */
} abm_status;

typedef enum abm_log_level {
  ABM_LOG_DEBUG = 0,
  ABM_LOG_INFO = 1,
  ABM_LOG_WARN = 2,
  ABM_LOG_ERROR = 3
} abm_log_level;

/* Callbacks the host passes into every lifecycle call. `ctx` is opaque to the plugin. */
typedef struct abm_host {
  uint32_t struct_size;
  void* ctx;
  /* One record of `stream`; `data_json` is a JSON object (not NUL-terminated, `data_len` bytes).
   * `origin` says where it came from ("touchpoints.csv:42") and may be NULL.
   * Returns 0 to go on, non-zero when the host asks the plugin to checkpoint and return. */
  int (*emit_record)(void* ctx, const char* stream, const char* data_json, size_t data_len,
                     const char* origin);
  /* A checkpoint: every record of `stream` emitted so far is covered by `state_json` (a JSON value).
   * On the next run the plugin receives the last committed checkpoint. */
  int (*emit_state)(void* ctx, const char* stream, const char* state_json, size_t state_len);
  /* A source row the plugin could not turn into a record. The run goes on; the row is counted as
   * rejected and reported with its origin and reason. */
  void (*reject)(void* ctx, const char* stream, const char* origin, const char* reason);
  /* During discover: one stream, as JSON {"name":..., "entity":..., "incremental":bool}. A stream
   * that is not incremental (or omits the key) is full refresh: its read gets "null" every run. */
  void (*emit_stream)(void* ctx, const char* stream_json);
  void (*log)(void* ctx, abm_log_level level, const char* message);
  /* The reason for a failing call (one line, no secrets). The last one before the call returns wins. */
  void (*fail)(void* ctx, const char* message);
  /* Non-zero once the host wants the plugin to stop at its next checkpoint (daemon shutting down). */
  int (*should_stop)(void* ctx);
  /* ABI 1.1: the vendor's quota is spent until `resume_at` (seconds since the epoch, UTC). The plugin
   * checkpoints, calls this, and returns ABM_RETRY; the run ends "rate_limited" and the scheduler
   * resumes it then. Check struct_size before calling: a 1.0 host does not have it. */
  void (*rate_limited)(void* ctx, int64_t resume_at, const char* reason);
  /* ABI 1.2: a folder private to this connector (mode 0700) that outlives the run, for what a plugin
   * keeps between runs outside the store: rotated refresh tokens, request counts. NULL when the host
   * gives none. Check struct_size before reading it. */
  const char* state_dir;
  /* ABI 1.3: like `reject`, with the row's source text (`raw_len` bytes, as read), which the host
   * keeps with the reject so that the row can be fixed and sent again. Check struct_size first. */
  void (*reject_raw)(void* ctx, const char* stream, const char* origin, const char* reason, const char* raw,
                     size_t raw_len);
} abm_host;

typedef struct abm_plugin {
  uint32_t struct_size; /* sizeof(abm_plugin) as the plugin was built */
  uint16_t abi_major;   /* ABM_ABI_MAJOR as the plugin was built */
  uint16_t abi_minor;
  const char* name;    /* short name used in connector files: "csv", "hubspot" */
  const char* version; /* the plugin's own version */
  const char* kind;    /* one of "crm", "marketing_automation", "email", "ads", "web_analytics", "file",
                        * "declarative", "external", "test"; the host refuses others (docs/plugin-sdk.md#kinds) */
  const char* description;
  /* The plugin's settings as a JSON array of options:
   * [{"name","type","required","secret","default","description","choices"}], type one of
   * string, integer, number, boolean, string_list, string_map, timestamp (1.3: an ISO-8601 string).
   * "choices" (1.3, optional) lists the only values a string, or each item of a string_list, may take.
   * "pattern" (optional; a host that predates it ignores it) is an ECMAScript regular expression such
   * a value must match in full. Both apply to each value of a string_map too. */
  const char* options_json;

  /* Verifies the settings can reach the source (credentials, folder, endpoint). */
  abm_status (*check)(const abm_host* host, const char* settings_json);
  /* Lists the streams through host->emit_stream, in the order they should be read. */
  abm_status (*discover)(const abm_host* host, const char* settings_json);
  /* Reads one stream from `state_json` ("null" for a full refresh) to the end, emitting records
   * and checkpoints through the host. */
  abm_status (*read)(const abm_host* host, const char* settings_json, const char* stream,
                     const char* state_json);
} abm_plugin;

typedef const abm_plugin* (*abm_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ABM_PLUGIN_ABI_H */
