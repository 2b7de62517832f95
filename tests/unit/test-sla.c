/*
 * test-sla.c - business-time arithmetic (calendar.c) and the response
 * clock (sla.c): weekends, holidays, DST in the configured zone, pause
 * credit, next response, and which promise applies.
 */
#include "config.h"

#include "calendar.h"
#include "conf.h"
#include "message.h"
#include "sla.h"
#include "util.h"

#include <string.h>

static gint64
T(const char *text)
{
    gint64 t = 0;

    if (!util_time_parse(text, &t))
        g_error("bad time in test: %s", text);
    return t;
}

static Calendar *
office(const char *hours, const char *holidays)
{
    g_autoptr(GError) error = NULL;
    Calendar *cal = NULL;

    g_assert_cmpint(calendar_parse(hours, holidays, "Europe/Berlin", &cal,
                                   &error),
                    ==, ST_OK);
    g_assert_no_error(error);
    g_assert_nonnull(cal);
    return cal;
}

/* Berlin: CET (+01:00) until 2026-03-29 02:00, then CEST (+02:00). */
static const struct {
    const char *from;
    gint64 secs;
    const char *want;
} add_cases[] = {
    /* Friday afternoon: two hours on Friday, two on Monday. */
    { "2026-03-06T15:00:00+01:00", 4 * 3600, "2026-03-09T11:00:00+01:00" },
    /* From a Saturday: the clock waits for Monday's opening. */
    { "2026-03-07T10:00:00+01:00", 3600, "2026-03-09T10:00:00+01:00" },
    /* "24 hours" are three working days. */
    { "2026-03-09T09:00:00+01:00", 24 * 3600, "2026-03-11T17:00:00+01:00" },
    /* Exactly the rest of the day ends at the closing hour. */
    { "2026-03-09T13:00:00+01:00", 4 * 3600, "2026-03-09T17:00:00+01:00" },
    /* Before opening: counted from the opening. */
    { "2026-03-09T06:00:00+01:00", 3600, "2026-03-09T10:00:00+01:00" },
    /* Christmas Day (a holiday) and the weekend are skipped. */
    { "2026-12-24T16:00:00+01:00", 2 * 3600, "2026-12-28T10:00:00+01:00" },
    /* Across the DST change: Monday 10:00 is 10:00 local in summer
     * time, one hour earlier in UTC than in winter. */
    { "2026-03-27T16:00:00+01:00", 2 * 3600, "2026-03-30T10:00:00+02:00" },
    { "2026-03-09T10:00:00+01:00", 0, "2026-03-09T10:00:00+01:00" },
};

static void
test_calendar_add(void)
{
    g_autoptr(Calendar) cal = office("Mon-Fri 09:00-17:00",
                                     "2026-12-25, 2026-12-26");

    for (guint i = 0; i < G_N_ELEMENTS(add_cases); i++) {
        gint64 got = calendar_add(cal, T(add_cases[i].from),
                                  add_cases[i].secs);
        g_autofree char *g = util_time_iso(got);
        g_autofree char *w = util_time_iso(T(add_cases[i].want));

        g_test_message("%s + %" G_GINT64_FORMAT, add_cases[i].from,
                       add_cases[i].secs);
        g_assert_cmpstr(g, ==, w);
        /* And back: the inverse lands where it started, or on the
         * opening hour in front of a closed stretch. */
        if (add_cases[i].secs > 0)
            g_assert_cmpint(calendar_between(cal, T(add_cases[i].from),
                                             got),
                            ==, add_cases[i].secs);
    }
}

static void
test_calendar_sub(void)
{
    g_autoptr(Calendar) cal = office("Mon-Fri 09:00-17:00", "2026-12-25");

    /* Four hours before Monday 11:00 is Friday 15:00. */
    g_assert_cmpint(calendar_sub(cal, T("2026-03-09T11:00:00+01:00"),
                                 4 * 3600),
                    ==, T("2026-03-06T15:00:00+01:00"));
    /* Landing on an opening hour stays there, not at last night's
     * closing: never early. */
    g_assert_cmpint(calendar_sub(cal, T("2026-03-09T13:00:00+01:00"),
                                 4 * 3600),
                    ==, T("2026-03-09T09:00:00+01:00"));
    /* Over the holiday and the weekend. */
    g_assert_cmpint(calendar_sub(cal, T("2026-12-28T10:00:00+01:00"),
                                 2 * 3600),
                    ==, T("2026-12-24T16:00:00+01:00"));
    g_assert_cmpint(calendar_sub(NULL, 1000, 300), ==, 700);
}

static void
test_calendar_dst(void)
{
    g_autoptr(Calendar) daily = office("Mon-Sun 08:00-20:00", NULL);
    g_autoptr(Calendar) always = office("Mon-Sun 00:00-24:00", NULL);

    /* Saturday 19:00 + 2 h: one hour on Saturday, Sunday (the 23-hour
     * day) opens at 08:00 summer time. */
    g_assert_cmpint(calendar_add(daily, T("2026-03-28T19:00:00+01:00"),
                                 2 * 3600),
                    ==, T("2026-03-29T09:00:00+02:00"));
    /* Twelve business hours a day, however long the day is. */
    g_assert_cmpint(calendar_between(daily, T("2026-03-28T00:00:00+01:00"),
                                     T("2026-03-30T00:00:00+02:00")),
                    ==, 24 * 3600);
    /* Open around the clock: the 23-hour day counts 23 hours; the fall
     * change (2026-10-25) a 25-hour one. */
    g_assert_cmpint(calendar_between(always, T("2026-03-28T00:00:00+01:00"),
                                     T("2026-03-30T00:00:00+02:00")),
                    ==, 47 * 3600);
    g_assert_cmpint(calendar_between(always, T("2026-10-25T00:00:00+02:00"),
                                     T("2026-10-26T00:00:00+01:00")),
                    ==, 25 * 3600);
}

static void
test_calendar_open(void)
{
    g_autoptr(Calendar) cal = office("Mon-Thu 09:00-17:00, Fri 09:00-13:00",
                                     "2026-12-25");

    g_assert_true(calendar_is_open(cal, T("2026-03-09T09:00:00+01:00")));
    g_assert_true(calendar_is_open(cal, T("2026-03-09T17:00:00+01:00")));
    g_assert_false(calendar_is_open(cal, T("2026-03-09T17:00:01+01:00")));
    g_assert_false(calendar_is_open(cal, T("2026-03-09T03:00:00+01:00")));
    g_assert_false(calendar_is_open(cal, T("2026-03-06T14:00:00+01:00")));
    g_assert_false(calendar_is_open(cal, T("2026-03-07T10:00:00+01:00")));
    g_assert_false(calendar_is_open(cal, T("2026-12-25T10:00:00+01:00")));
    g_assert_true(calendar_is_open(NULL, 0));
    g_assert_cmpint(calendar_next_open(cal, T("2026-03-06T14:00:00+01:00")),
                    ==, T("2026-03-09T09:00:00+01:00"));
}

static void
test_calendar_parse(void)
{
    static const char *const bad_hours[] = {
        "Mon-Fri 9-17", "Xyz 09:00-17:00", "Mon 17:00-09:00",
        "Mon-Fri", "Mon 09:00-25:00", "Mon-Fri 09:00-17:00 extra",
    };
    Calendar *cal = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(bad_hours); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(calendar_parse(bad_hours[i], NULL, NULL, &cal,
                                       &error),
                        ==, ST_CONFIG);
        g_assert_null(cal);
        g_assert_true(g_str_has_prefix(error->message, "calendar: "));
    }
    {
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(calendar_parse("Mon-Fri 09:00-17:00", NULL,
                                       "Mars/Olympus", &cal, &error),
                        ==, ST_CONFIG);
        g_assert_nonnull(strstr(error->message, "Mars/Olympus"));
    }
    {
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(calendar_parse("Mon-Fri 09:00-17:00", "2026-13-01",
                                       NULL, &cal, &error),
                        ==, ST_CONFIG);
    }
    g_assert_cmpint(calendar_parse("24/7", NULL, NULL, &cal, NULL), ==,
                    ST_OK);
    g_assert_null(cal);
    g_assert_cmpint(calendar_parse(NULL, NULL, NULL, &cal, NULL), ==, ST_OK);
    g_assert_null(cal);
}

/* --- the clock ----------------------------------------------------- */

static Ticket *
opened(const Config *cfg, gint64 at)
{
    Ticket *t = ticket_new();

    t->created_at = at;
    sla_ticket_opened(cfg, t, at);
    return t;
}

static void
test_clock_first_response(void)
{
    g_autoptr(Config) cfg = config_new_default();
    gint64 t0 = T("2026-03-09T08:00:00Z");
    g_autoptr(Ticket) t = opened(cfg, t0);

    g_assert_cmpint(t->due_at, ==, t0 + 24 * 3600);
    g_assert_cmpint(t->escalate_at, ==, t0 + 20 * 3600);
    g_assert_cmpint(sla_level_due(cfg, t, t0 + 20 * 3600 - 1), ==, 0);
    g_assert_cmpint(sla_level_due(cfg, t, t0 + 20 * 3600), ==, 1);
    g_assert_cmpint(sla_level_due(cfg, t, t0 + 24 * 3600 - 1), ==, 1);
    g_assert_cmpint(sla_level_due(cfg, t, t0 + 24 * 3600), ==, 2);
    sla_escalated(cfg, t, 1, t0 + 20 * 3600);
    g_assert_cmpint(t->escalate_at, ==, t->due_at);
    sla_escalated(cfg, t, 2, t0 + 24 * 3600);
    g_assert_cmpint(t->escalate_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(t->breached_at, ==, t0 + 24 * 3600);
    g_assert_cmpint(sla_level_due(cfg, t, t0 + 99 * 3600), ==, 2);
}

static void
test_clock_pause(void)
{
    g_autoptr(Config) cfg = config_new_default();
    gint64 t0 = T("2026-03-09T08:00:00Z");
    g_autoptr(Ticket) t = opened(cfg, t0);

    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 2 * 3600);
    g_assert_cmpint(t->due_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(t->escalate_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(sla_level_due(cfg, t, t0 + 30 * 3600), ==, 0);
    /* A customer's reply after three hours resumes it, three hours
     * later than it would have been. */
    sla_customer_wrote(cfg, t, t0 + 5 * 3600);
    g_assert_cmpint(t->due_at, ==, t0 + 27 * 3600);
    g_assert_cmpint(t->escalate_at, ==, t0 + 23 * 3600);
    /* A second pause is credited on top, resumed by `ticket set`. */
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 6 * 3600);
    sla_status_changed(cfg, t, TICKET_STATUS_OPEN, t0 + 7 * 3600);
    g_assert_cmpint(t->due_at, ==, t0 + 28 * 3600);
    /* Resolving stops it. */
    sla_status_changed(cfg, t, TICKET_STATUS_RESOLVED, t0 + 8 * 3600);
    g_assert_cmpint(t->due_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(t->escalate_at, ==, MESSAGE_NO_TIME);
}

static void
test_clock_next_response(void)
{
    g_autoptr(Config) cfg = config_new_default();
    gint64 t0 = T("2026-03-09T08:00:00Z");
    g_autoptr(Ticket) t = opened(cfg, t0);

    cfg->sla_next_response = 8 * 3600;
    sla_escalated(cfg, t, 1, t0 + 20 * 3600);
    sla_agent_answered(cfg, t, t0 + 21 * 3600);
    g_assert_cmpint(t->first_response_at, ==, t0 + 21 * 3600);
    g_assert_cmpint(t->due_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(t->escalate_at, ==, MESSAGE_NO_TIME);
    /* A second answer keeps the first response time. */
    sla_agent_answered(cfg, t, t0 + 22 * 3600);
    g_assert_cmpint(t->first_response_at, ==, t0 + 21 * 3600);
    /* The customer writes again: a new deadline, levels start over. */
    sla_customer_wrote(cfg, t, t0 + 30 * 3600);
    g_assert_cmpint(t->due_at, ==, t0 + 38 * 3600);
    g_assert_cmpint(t->escalation_level, ==, 0);
    g_assert_cmpint(t->escalate_at, ==, t0 + 34 * 3600);
    /* Another mail while it runs keeps the deadline. */
    sla_customer_wrote(cfg, t, t0 + 31 * 3600);
    g_assert_cmpint(t->due_at, ==, t0 + 38 * 3600);
}

static void
test_clock_promise(void)
{
    g_autoptr(Config) cfg = config_new_default();
    g_autoptr(Ticket) t = ticket_new();
    SourceConf *phone = g_new0(SourceConf, 1);
    SourceConf *vip = g_new0(SourceConf, 1);

    phone->name = g_strdup("voicemail");
    phone->url = g_strdup("maildir:/srv/voicemail");
    phone->channel = g_strdup("phone");
    g_ptr_array_add(cfg->sources, phone);
    vip->name = g_strdup("vip");
    vip->url = g_strdup("maildir:/srv/vip");
    vip->channel = g_strdup("email");
    vip->sla = 2 * 3600;
    g_ptr_array_add(cfg->sources, vip);
    cfg->sla_priority[PRIORITY_URGENT] = 4 * 3600;

    g_assert_cmpint(sla_first_response(cfg, t), ==, 24 * 3600);
    t->priority = PRIORITY_URGENT;
    g_assert_cmpint(sla_first_response(cfg, t), ==, 4 * 3600);
    /* The phone channel's 5 minutes stay shorter than urgent's 4 h. */
    t->mailbox = g_strdup("maildir:/srv/voicemail/");
    g_assert_cmpint(sla_first_response(cfg, t), ==, 5 * 60);
    g_free(t->mailbox);
    t->mailbox = g_strdup("maildir:/srv/vip");
    g_assert_cmpint(sla_first_response(cfg, t), ==, 2 * 3600);
    t->sla = 30 * 60; /* a rule's `set sla 30m` wins */
    g_assert_cmpint(sla_first_response(cfg, t), ==, 30 * 60);

    /* A short promise is warned about in its second half only. */
    t->created_at = 0;
    sla_ticket_opened(cfg, t, 0);
    g_assert_cmpint(t->due_at, ==, 30 * 60);
    g_assert_cmpint(sla_warn_at(cfg, t), ==, 15 * 60);
    /* A changed promise is measured again from the clock's start. */
    t->sla = 0;
    t->priority = PRIORITY_NORMAL;
    g_free(t->mailbox);
    t->mailbox = NULL;
    sla_promise_changed(cfg, t);
    g_assert_cmpint(t->due_at, ==, 24 * 3600);
}

static void
test_clock_business_hours(void)
{
    g_autoptr(Config) cfg = config_new_default();
    g_autoptr(Ticket) t = NULL;

    cfg->sla_calendar = office("Mon-Fri 09:00-17:00", NULL);
    /* Friday 15:00: 2 h Friday, 8 Monday, 8 Tuesday, 6 Wednesday. */
    t = opened(cfg, T("2026-03-06T15:00:00+01:00"));
    g_assert_cmpint(t->due_at, ==, T("2026-03-11T15:00:00+01:00"));
    g_assert_cmpint(t->escalate_at, ==, T("2026-03-11T11:00:00+01:00"));
    /* Pending over the weekend credits business time only: Friday
     * 16:00 to Monday 10:00 is two business hours. */
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING,
                       T("2026-03-06T16:00:00+01:00"));
    sla_customer_wrote(cfg, t, T("2026-03-09T10:00:00+01:00"));
    g_assert_cmpint(t->paused_total, ==, 2 * 3600);
    g_assert_cmpint(t->due_at, ==, T("2026-03-11T17:00:00+01:00"));
}

/* The i-th ended clock of t, checked field by field. */
static void
assert_ended(const Ticket *t, guint i, ClockKind kind, gint64 started,
             gint64 due, gint64 ended, gint64 paused, ClockEnd end,
             int level)
{
    const EndedClock *c;

    g_assert_cmpuint(i, <, t->ended_clocks->len);
    c = &g_array_index(t->ended_clocks, EndedClock, i);
    g_assert_cmpint(c->kind, ==, kind);
    g_assert_cmpint(c->started_at, ==, started);
    g_assert_cmpint(c->due_at, ==, due);
    g_assert_cmpint(c->ended_at, ==, ended);
    g_assert_cmpint(c->paused_total, ==, paused);
    g_assert_cmpint(c->end, ==, end);
    g_assert_cmpint(c->level, ==, level);
}

static void
test_clock_ended(void)
{
    g_autoptr(Config) cfg = config_new_default();
    gint64 t0 = T("2026-03-09T08:00:00Z");
    gint64 h = 3600;
    g_autoptr(Ticket) t = opened(cfg, t0);

    cfg->sla_next_response = 8 * h;
    /* Warned, paused two hours, answered late for the plain promise but
     * in time with the credit. */
    sla_escalated(cfg, t, 1, t0 + 20 * h);
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 21 * h);
    sla_customer_wrote(cfg, t, t0 + 23 * h);
    g_assert_cmpuint(t->ended_clocks->len, ==, 0);
    sla_agent_answered(cfg, t, t0 + 25 * h);
    g_assert_cmpuint(t->ended_clocks->len, ==, 1);
    assert_ended(t, 0, CLOCK_KIND_FIRST, t0, t0 + 26 * h, t0 + 25 * h,
                 2 * h, CLOCK_END_ANSWERED, 1);
    /* A second answer ends no clock. */
    sla_agent_answered(cfg, t, t0 + 26 * h);
    g_assert_cmpuint(t->ended_clocks->len, ==, 1);
    /* The next response, resolved while paused: the pause so far is
     * credited to its deadline. */
    sla_customer_wrote(cfg, t, t0 + 30 * h);
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 31 * h);
    sla_status_changed(cfg, t, TICKET_STATUS_RESOLVED, t0 + 33 * h);
    assert_ended(t, 1, CLOCK_KIND_NEXT, t0 + 30 * h, t0 + 40 * h,
                 t0 + 33 * h, 2 * h, CLOCK_END_DONE, 0);
    /* Closing a resolved ticket ends nothing more. */
    sla_status_changed(cfg, t, TICKET_STATUS_CLOSED, t0 + 34 * h);
    g_assert_cmpuint(t->ended_clocks->len, ==, 2);
    /* A clock started over a running one replaces it. */
    sla_customer_wrote(cfg, t, t0 + 40 * h);
    sla_ticket_opened(cfg, t, t0 + 41 * h);
    assert_ended(t, 2, CLOCK_KIND_NEXT, t0 + 40 * h, t0 + 48 * h,
                 t0 + 41 * h, 0, CLOCK_END_REPLACED, 0);
    g_assert_cmpuint(t->ended_clocks->len, ==, 3);
}

static void
test_clock_ended_unanswered(void)
{
    g_autoptr(Config) cfg = config_new_default();
    gint64 t0 = T("2026-03-09T08:00:00Z");
    gint64 h = 3600;
    g_autoptr(Ticket) t = opened(cfg, t0);

    /* Resolved with no answer, breached; the customer writes again: the
     * new clock is still a first-response one. */
    sla_escalated(cfg, t, 2, t0 + 24 * h);
    sla_status_changed(cfg, t, TICKET_STATUS_RESOLVED, t0 + 30 * h);
    assert_ended(t, 0, CLOCK_KIND_FIRST, t0, t0 + 24 * h, t0 + 30 * h, 0,
                 CLOCK_END_DONE, 2);
    sla_status_changed(cfg, t, TICKET_STATUS_OPEN, t0 + 40 * h);
    sla_customer_wrote(cfg, t, t0 + 40 * h);
    sla_agent_answered(cfg, t, t0 + 41 * h);
    assert_ended(t, 1, CLOCK_KIND_FIRST, t0 + 40 * h, t0 + 64 * h,
                 t0 + 41 * h, 0, CLOCK_END_ANSWERED, 0);
}

static void
test_pending_time(void)
{
    g_autoptr(Config) cfg = config_new_default();
    gint64 t0 = T("2026-03-09T08:00:00Z");
    gint64 h = 3600;
    g_autoptr(Ticket) t = opened(cfg, t0);

    g_assert_cmpint(t->pending_since, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(t->pending_total, ==, 0);
    /* Pending after the answer: no clock runs, the wait counts. */
    sla_agent_answered(cfg, t, t0 + h);
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 2 * h);
    g_assert_cmpint(t->pending_since, ==, t0 + 2 * h);
    /* Set pending again: the wait started at the first. */
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 3 * h);
    g_assert_cmpint(t->pending_since, ==, t0 + 2 * h);
    sla_status_changed(cfg, t, TICKET_STATUS_OPEN, t0 + 5 * h);
    g_assert_cmpint(t->pending_since, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(t->pending_total, ==, 3 * h);
    /* Open to open is no wait. */
    sla_status_changed(cfg, t, TICKET_STATUS_OPEN, t0 + 6 * h);
    g_assert_cmpint(t->pending_total, ==, 3 * h);
    /* Resolved from pending ends the wait. */
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING, t0 + 10 * h);
    sla_status_changed(cfg, t, TICKET_STATUS_RESOLVED, t0 + 14 * h);
    g_assert_cmpint(t->pending_total, ==, 7 * h);
    g_assert_cmpint(t->pending_since, ==, MESSAGE_NO_TIME);

    /* With business hours the wait is business time: Friday 16:00 to
     * Monday 10:00 is two hours. */
    cfg->sla_calendar = office("Mon-Fri 09:00-17:00", NULL);
    sla_status_changed(cfg, t, TICKET_STATUS_PENDING,
                       T("2026-03-13T16:00:00+01:00"));
    sla_status_changed(cfg, t, TICKET_STATUS_OPEN,
                       T("2026-03-16T10:00:00+01:00"));
    g_assert_cmpint(t->pending_total, ==, 9 * h);
}

/* Times at and beyond the ends of the dates GLib can name: a walk that
 * cannot start there counts plain seconds, held at the ends of gint64,
 * and nothing crashes (a century-long promise from 9999-12-31 once
 * made a deadline with no date). */
static void
test_calendar_edges(void)
{
    g_autoptr(Calendar) cal = office("Mon-Fri 09:00-17:00", NULL);
    const gint64 last = T("9999-12-31T23:59:59Z");
    const gint64 huge[] = { last, last + 1, G_MAXINT64 - 1,
                            G_MININT64 + 1, T("0001-01-01T00:00:00Z") };

    for (guint i = 0; i < G_N_ELEMENTS(huge); i++) {
        gint64 t = huge[i];

        g_test_message("t = %" G_GINT64_FORMAT, t);
        g_assert_cmpint(calendar_add(cal, t, 3600), ==,
                        t > G_MAXINT64 - 3600 ? G_MAXINT64 : t + 3600);
        g_assert_cmpint(calendar_sub(cal, t, 3600), ==,
                        t < G_MININT64 + 3601 ? G_MININT64 + 1 : t - 3600);
        g_assert_cmpint(calendar_next_open(cal, t), ==, t);
        g_assert_true(calendar_is_open(cal, t));
        g_assert_cmpint(calendar_between(cal, t - 1, t), ==, 1);
    }
    g_assert_cmpint(calendar_add(cal, G_MAXINT64 - 1, G_MAXINT64), ==,
                    G_MAXINT64);
    g_assert_cmpint(calendar_between(cal, G_MININT64 + 1, G_MAXINT64), ==,
                    G_MAXINT64);
    /* The longest promise from a walkable time: a walk of ten years,
     * then the rest in plain seconds. */
    g_assert_cmpint(calendar_add(cal, T("2026-03-09T09:00:00Z"),
                                 CONFIG_MAX_DURATION),
                    >, T("2036-01-01T00:00:00Z"));
}

static void
test_clock_longest_promise(void)
{
    g_autoptr(Config) cfg = config_new_default();
    g_autoptr(Ticket) t = NULL;
    const gint64 last = T("9999-12-31T12:00:00Z");

    cfg->sla_calendar = office("Mon-Fri 09:00-17:00", NULL);
    cfg->sla_first_response = CONFIG_MAX_DURATION;
    t = opened(cfg, last);
    g_assert_cmpint(t->due_at, ==, last + CONFIG_MAX_DURATION);
    g_assert_cmpint(sla_warn_at(cfg, t), ==,
                    t->due_at - cfg->sla_warn_before);
    g_assert_cmpint(sla_level_due(cfg, t, t->due_at), ==, 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/calendar/add", test_calendar_add);
    g_test_add_func("/calendar/sub", test_calendar_sub);
    g_test_add_func("/calendar/dst", test_calendar_dst);
    g_test_add_func("/calendar/open", test_calendar_open);
    g_test_add_func("/calendar/parse", test_calendar_parse);
    g_test_add_func("/calendar/edges", test_calendar_edges);
    g_test_add_func("/sla/first-response", test_clock_first_response);
    g_test_add_func("/sla/pause", test_clock_pause);
    g_test_add_func("/sla/next-response", test_clock_next_response);
    g_test_add_func("/sla/promise", test_clock_promise);
    g_test_add_func("/sla/business-hours", test_clock_business_hours);
    g_test_add_func("/sla/ended", test_clock_ended);
    g_test_add_func("/sla/ended-unanswered", test_clock_ended_unanswered);
    g_test_add_func("/sla/pending-time", test_pending_time);
    g_test_add_func("/sla/longest-promise", test_clock_longest_promise);
    return g_test_run();
}
