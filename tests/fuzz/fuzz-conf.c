/*
 * fuzz-conf.c - mailtriage.conf as an admin might write it:
 * config_load() (GKeyFile, every typed key, durations, sizes, lists,
 * [source], [agent], [team], [channel], business hours and holidays).
 * A bad file must give ST_CONFIG with a message, never a crash.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "fuzzfile.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *path = fuzz_write_file("mailtriage.conf", data, size);
    g_autoptr(Config) cfg = NULL;
    g_autoptr(GError) error = NULL;
    gint64 secs = 0;
    g_autofree char *text = g_strndup((const char *)data, size);

    /* The duration syntax on its own, as the command line uses it. */
    (void)config_parse_duration(text, &secs);
    if (config_load(path, &cfg, &error) != ST_OK) {
        if (error == NULL || error->message[0] == '\0')
            fuzz_fail("fuzz-conf: a failure without a message");
        return 0;
    }
    if (cfg == NULL)
        fuzz_fail("fuzz-conf: success without a Config");
    if (cfg->agents->len > 0) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, 0);

        if (config_agent_by_email(cfg, agent->email) == NULL)
            fuzz_fail("fuzz-conf: agent '%s' not found by address",
                      agent->email);
    }
    return 0;
}
