/*
 * remind.h - the reminder pass (DESIGN 8): every ticket whose
 * escalation level fell due gets it, exactly once per deadline.
 *
 * Level 1, "approaching" (at the deadline less warn_before): the
 * assignee is told, else the members of the ticket's team, else the
 * escalation address, else the support address (the queue); the
 * priority goes up one step.  Level 2, "breached" (at the deadline):
 * the escalation address (the team's escalate_to, else [sla]
 * escalate_to, else the support address) is told and the ticket is
 * marked breached.  A ticket found past its deadline before it was
 * warned goes straight to level 2: a warning after the fact helps no
 * one, and the priority is raised then instead.
 *
 * Exactly once: the notifications are queued (outbox_queue) and the
 * level recorded in one transaction, so kill -9 anywhere leaves either
 * both or neither.  Tickets are found by an indexed query on
 * escalate_at, so the pass reads only due tickets.  With a business
 * calendar nothing is sent outside business hours: the pass waits for
 * the desk to open.
 */
#ifndef MT_REMIND_H
#define MT_REMIND_H

#include <glib.h>
#include <stdbool.h>

#include "conf.h"
#include "outbox.h"
#include "status.h"
#include "store.h"

typedef struct {
    guint warnings;   /* tickets raised to level 1 */
    guint breaches;   /* tickets raised to level 2 */
    guint notified;   /* mails queued */
    bool is_deferred; /* outside business hours: nothing done */
} RemindCounts;

/* Run the pass at now over store, queueing through outbox; counts_out
 * is filled (also on failure, with what was committed).  With
 * is_dry_run every change is rolled back.  cfg, store and outbox are
 * borrowed.  ST_IOERR or ST_TEMPFAIL from the store. */
Status remind_pass(const Config *cfg, Store *store, Outbox *outbox,
                   gint64 now, bool is_dry_run, RemindCounts *counts_out,
                   GError **error);

#endif
