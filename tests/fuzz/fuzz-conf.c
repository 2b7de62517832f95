/*
 * fuzz-conf.c - mailtriage.conf as an admin might write it:
 * config_load() (GKeyFile, every typed key, durations, sizes, lists,
 * [source], [agent], [team], [channel], business hours and holidays),
 * then what a loaded config drives: one ticket's response clock
 * through sla.c and the business-hours calendar, for each priority
 * and source.  A bad file must give ST_CONFIG with a message, never a
 * crash, and a file that loads must not crash the clock.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "conf.h"
#include "sla.h"
#include "ticket.h"
#include "fuzz.h"
#include "fuzzfile.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init_glib();
    return 0;
}

/* A ticket's life on the config's clock: opened, warned, breached,
 * pending, answered, written to again; times a run could see. */
static void
run_clock(const Config *cfg, const char *mailbox, Priority priority)
{
    g_autoptr(Ticket) ticket = ticket_new();
    const gint64 opened = 1767225600; /* 2026-01-01 00:00 UTC */
    gint64 t;

    g_free(ticket->mailbox);
    ticket->mailbox = g_strdup(mailbox);
    ticket->priority = priority;
    sla_ticket_opened(cfg, ticket, opened);
    t = sla_warn_at(cfg, ticket);
    if (t != MESSAGE_NO_TIME && sla_level_due(cfg, ticket, t) >= 1)
        sla_escalated(cfg, ticket, 1, t);
    if (ticket->due_at != MESSAGE_NO_TIME &&
        sla_level_due(cfg, ticket, ticket->due_at) == 2)
        sla_escalated(cfg, ticket, 2, ticket->due_at);
    sla_status_changed(cfg, ticket, TICKET_STATUS_PENDING, opened + 3600);
    sla_customer_wrote(cfg, ticket, opened + 86400);
    sla_promise_changed(cfg, ticket);
    sla_agent_answered(cfg, ticket, opened + 2 * 86400);
    sla_customer_wrote(cfg, ticket, opened + 3 * 86400);
    (void)sla_level_due(cfg, ticket, opened + 400 * 86400);
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
    for (int p = PRIORITY_LOW; p <= PRIORITY_URGENT; p++) {
        run_clock(cfg, NULL, (Priority)p);
        for (guint i = 0; i < cfg->sources->len; i++) {
            const SourceConf *src = g_ptr_array_index(cfg->sources, i);

            run_clock(cfg, src->name, (Priority)p);
        }
    }
    if (cfg->agents->len > 0) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, 0);

        if (config_agent_by_email(cfg, agent->email) == NULL)
            fuzz_fail("fuzz-conf: agent '%s' not found by address",
                      agent->email);
    }
    return 0;
}
