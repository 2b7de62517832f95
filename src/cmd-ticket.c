/*
 * cmd-ticket.c - `ticket list`, `ticket show ID`, `ticket set ID K=V`.
 *
 * The JSON shapes are the contract of DESIGN 9: fields are added, never
 * renamed or removed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "agents.h"
#include "commands.h"
#include "json.h"
#include "report.h"
#include "sla.h"
#include "util.h"

static void
write_ticket_fields(JsonWriter *w, const Ticket *t, const char *prefix)
{
    g_autofree char *tag = ticket_tag(t->id, prefix);
    GHashTableIter iter;
    gpointer k, v;
    g_autoptr(GList) keys = NULL;

    json_kv_int(w, "id", t->id);
    json_kv_string(w, "tag", tag);
    json_kv_string(w, "subject", t->subject);
    json_kv_string(w, "status", ticket_status_name(t->status));
    json_kv_string(w, "category", t->category);
    json_kv_string(w, "priority", ticket_priority_name(t->priority));
    json_kv_string(w, "team", t->team);
    json_kv_string(w, "assignee", t->assignee);
    json_key(w, "customer");
    json_begin_object(w);
    json_kv_string(w, "name", t->customer_name);
    json_kv_string(w, "email", t->customer_email);
    json_end_object(w);
    json_kv_string(w, "mailbox", t->mailbox);
    json_kv_time(w, "created_at", t->created_at);
    json_kv_time(w, "updated_at", t->updated_at);
    json_kv_time(w, "first_response_at", t->first_response_at);
    json_kv_time(w, "resolved_at", t->resolved_at);
    json_kv_time(w, "due_at", t->due_at);
    json_kv_int(w, "escalation_level", t->escalation_level);
    /* Additions to the contract: the clock is paused (pending) since
     * paused_at; breached_at is the last breach, kept after an answer. */
    json_kv_time(w, "paused_at", t->paused_at);
    json_kv_time(w, "breached_at", t->breached_at);
    json_key(w, "rating");
    if (t->rating_score > 0) {
        json_begin_object(w);
        json_kv_int(w, "score", t->rating_score);
        json_kv_string(w, "comment", t->rating_comment);
        json_end_object(w);
    } else
        json_null(w);
    json_key(w, "linked_ticket");
    if (t->linked_ticket != 0)
        json_int(w, t->linked_ticket);
    else
        json_null(w);
    json_key(w, "fields");
    json_begin_object(w);
    g_hash_table_iter_init(&iter, t->fields);
    while (g_hash_table_iter_next(&iter, &k, &v))
        keys = g_list_prepend(keys, k);
    keys = g_list_sort(keys, (GCompareFunc)strcmp);
    for (GList *l = keys; l != NULL; l = l->next)
        json_kv_string(w, l->data, g_hash_table_lookup(t->fields, l->data));
    json_end_object(w);
}

static void
write_message(JsonWriter *w, const StoredMessage *m)
{
    json_begin_object(w);
    json_kv_int(w, "id", m->id);
    json_kv_string(w, "message_id", m->message_id);
    json_kv_string(w, "direction", direction_name(m->direction));
    json_kv_string(w, "role", role_name(m->role));
    json_kv_string(w, "kind", message_kind_name(m->kind));
    json_kv_bool(w, "verified", m->is_verified);
    json_kv_string(w, "from", m->from);
    json_kv_string(w, "to", m->to);
    json_kv_string(w, "cc", m->cc);
    json_kv_string(w, "subject", m->subject);
    json_kv_time(w, "date", m->date);
    json_kv_time(w, "received_at", m->received_at);
    json_kv_string(w, "source", m->source);
    json_kv_string(w, "text", m->text);
    json_kv_string(w, "reply_text", m->reply_text);
    json_key(w, "attachments");
    json_begin_array(w);
    for (guint i = 0; m->attachments != NULL && i < m->attachments->len;
         i++) {
        const StoredAttachment *a = g_ptr_array_index(m->attachments, i);

        json_begin_object(w);
        json_kv_string(w, "filename", a->filename);
        json_kv_string(w, "content_type", a->content_type);
        json_kv_int(w, "size", a->size);
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "problems");
    json_begin_array(w);
    if (m->problems != NULL) {
        g_auto(GStrv) lines = g_strsplit(m->problems, "\n", -1);

        for (char **l = lines; *l != NULL; l++)
            if (**l != '\0')
                json_string(w, *l);
    }
    json_end_array(w);
    json_end_object(w);
}

/* The lead's filters of `ticket list`, as given. */
typedef struct {
    char *assignee;
    char *category;
    gboolean breached;
    char *due_within;
    char *older_than;
} ListFilterArgs;

static void
list_filter_args_clear(ListFilterArgs *a)
{
    g_free(a->assignee);
    g_free(a->category);
    g_free(a->due_within);
    g_free(a->older_than);
}

static Status
list_filter_apply(const ListFilterArgs *a, gint64 now, TicketFilter *f,
                  GError **error)
{
    gint64 secs = 0;

    f->now = now;
    if (a->assignee != NULL)
        f->assignee = strcmp(a->assignee, "-") == 0 ? "" : a->assignee;
    if (a->category != NULL)
        f->category = strcmp(a->category, "-") == 0 ? "" : a->category;
    f->is_breached = a->breached;
    if (a->due_within != NULL) {
        if (!config_parse_duration(a->due_within, &secs) || secs <= 0)
            return status_set(error, ST_USAGE,
                              "ticket list: --due-within '%s' is not a "
                              "duration (e.g. 4h, 90m, 2d)",
                              a->due_within);
        f->due_by = now + secs;
    }
    if (a->older_than != NULL) {
        if (!config_parse_duration(a->older_than, &secs) || secs <= 0)
            return status_set(error, ST_USAGE,
                              "ticket list: --older-than '%s' is not a "
                              "duration (e.g. 3d, 12h)",
                              a->older_than);
        f->created_by = now - secs;
    }
    return ST_OK;
}

static Status
ticket_list(Ctx *ctx, int argc, char **argv, GError **error)
{
    gboolean as_json = FALSE;
    char *status_name = NULL;
    gint64 limit = 0;
    ListFilterArgs more = { 0 };
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "JSON output", NULL },
        { "status", 0, 0, G_OPTION_ARG_STRING, &status_name,
          "only tickets with this status", "S" },
        { "limit", 0, 0, G_OPTION_ARG_INT64, &limit, "at most N", "N" },
        { "assignee", 0, 0, G_OPTION_ARG_STRING, &more.assignee,
          "only tickets of this agent (- for unassigned)", "NAME" },
        { "category", 0, 0, G_OPTION_ARG_STRING, &more.category,
          "only tickets of this category (- for none)", "C" },
        { "breached", 0, 0, G_OPTION_ARG_NONE, &more.breached,
          "only tickets past their deadline", NULL },
        { "due-within", 0, 0, G_OPTION_ARG_STRING, &more.due_within,
          "only tickets due within this time, e.g. 4h", "TIME" },
        { "older-than", 0, 0, G_OPTION_ARG_STRING, &more.older_than,
          "only tickets opened longer ago than this, e.g. 3d", "TIME" },
        { NULL },
    };
    TicketFilter filter = { .status = -1 };
    g_autoptr(GPtrArray) tickets = NULL;
    bool help_shown = false;
    Status st;

    st = cmd_parse_options(&argc, &argv, "", "List tickets.", entries,
                           &help_shown, error);
    if (st != ST_OK || help_shown)
        goto out;
    if (status_name != NULL) {
        TicketStatus s;

        if (!ticket_status_from_name(status_name, &s)) {
            st = status_set(error, ST_USAGE,
                            "ticket list: unknown status '%s' (new, open, "
                            "pending, resolved, closed, spam)",
                            status_name);
            goto out;
        }
        filter.status = (int)s;
    }
    filter.limit = limit;
    if ((st = list_filter_apply(&more, ctx_now(ctx), &filter, error)) !=
        ST_OK)
        goto out;
    if ((st = store_ticket_list(ctx->store, &filter, &tickets, error)) !=
        ST_OK)
        goto out;
    if (as_json) {
        g_autoptr(JsonWriter) w = json_writer_new(true);
        g_autofree char *text = NULL;

        json_begin_array(w);
        for (guint i = 0; i < tickets->len; i++) {
            json_begin_object(w);
            write_ticket_fields(w, g_ptr_array_index(tickets, i),
                                ctx->cfg->subject_tag);
            json_end_object(w);
        }
        json_end_array(w);
        text = json_writer_finish(g_steal_pointer(&w));
        cmd_print(text);
        goto out;
    }
    printf("%-8s %-9s %-7s %-30s %s\n", "TICKET", "STATUS", "PRIO",
           "CUSTOMER", "SUBJECT");
    for (guint i = 0; i < tickets->len; i++) {
        const Ticket *t = g_ptr_array_index(tickets, i);

        printf("%-8" G_GINT64_FORMAT " %-9s %-7s %-30.30s %s\n", t->id,
               ticket_status_name(t->status),
               ticket_priority_name(t->priority),
               t->customer_email != NULL && *t->customer_email != '\0'
                   ? t->customer_email
                   : "(unknown sender)",
               t->subject != NULL && *t->subject != '\0' ? t->subject
                                                         : "(no subject)");
    }
out:
    g_free(status_name);
    list_filter_args_clear(&more);
    return st;
}

static Status
parse_ticket_id(const char *text, gint64 *id_out, GError **error)
{
    char *end = NULL;
    const char *p = text;

    if (*p == '#')
        p++;
    *id_out = g_ascii_strtoll(p, &end, 10);
    if (end == p || *end != '\0' || *id_out <= 0)
        return status_set(error, ST_USAGE, "'%s' is not a ticket number",
                          text);
    return ST_OK;
}

/* One ended response clock: what it promised and how it ended. */
static void
print_clock_text(const EndedClock *c)
{
    g_autofree char *started = util_time_iso(c->started_at);
    g_autofree char *due = util_time_iso(c->due_at);
    g_autofree char *ended = util_time_iso(c->ended_at);
    g_autofree char *paused = report_duration_text(c->paused_total);
    const char *verdict = c->end != CLOCK_END_ANSWERED ? ""
                          : clock_is_met(c)             ? "  in time"
                                                        : "  late";

    printf("%-5s started %s  due %s  %s %s%s%s%s%s\n",
           clock_kind_name(c->kind), started != NULL ? started : "-",
           due != NULL ? due : "-", clock_end_name(c->end),
           ended != NULL ? ended : "-", verdict,
           c->paused_total > 0 ? "  paused " : "",
           c->paused_total > 0 ? paused : "",
           c->level >= 2   ? "  breached"
           : c->level == 1 ? "  warned"
                           : "");
}

static void
print_ticket_text(const Ticket *t, const char *prefix)
{
    g_autofree char *tag = ticket_tag(t->id, prefix);
    g_autofree char *created = util_time_iso(t->created_at);
    g_autofree char *due = util_time_iso(t->due_at);

    printf("%s %s\n", tag, t->subject);
    printf("status: %s  priority: %s  category: %s  team: %s  assignee: "
           "%s\n",
           ticket_status_name(t->status), ticket_priority_name(t->priority),
           t->category != NULL ? t->category : "-",
           t->team != NULL ? t->team : "-",
           t->assignee != NULL ? t->assignee : "-");
    printf("customer: %s%s%s%s\n",
           t->customer_name != NULL ? t->customer_name : "",
           t->customer_name != NULL ? " <" : "", t->customer_email,
           t->customer_name != NULL ? ">" : "");
    printf("created: %s  due: %s\n", created, due != NULL ? due : "-");
    if (t->rating_score > 0)
        printf("rating: %d/5%s%s\n", t->rating_score,
               t->rating_comment != NULL ? "  " : "",
               t->rating_comment != NULL ? t->rating_comment : "");
    if (t->linked_ticket != 0)
        printf("linked to: %" G_GINT64_FORMAT "\n", t->linked_ticket);
    for (guint i = 0; i < t->messages->len; i++) {
        const StoredMessage *m = g_ptr_array_index(t->messages, i);
        g_autofree char *at = util_time_iso(m->received_at);

        printf("\n--- message #%" G_GINT64_FORMAT " (%s, %s%s) %s\n", m->id,
               role_name(m->role), message_kind_name(m->kind),
               m->problems != NULL ? ", parse problems" : "",
               at != NULL ? at : "");
        printf("From: %s\nSubject: %s\n", m->from != NULL ? m->from : "",
               m->subject != NULL ? m->subject : "");
        for (guint a = 0; a < m->attachments->len; a++) {
            const StoredAttachment *att = g_ptr_array_index(m->attachments,
                                                            a);

            printf("Attachment: %s (%s, %" G_GINT64_FORMAT " bytes)\n",
                   att->filename, att->content_type, att->size);
        }
        printf("\n%s\n", m->reply_text != NULL ? m->reply_text : "");
    }
    if (t->clock_history->len > 0)
        printf("\n--- response clocks\n");
    for (guint i = 0; i < t->clock_history->len; i++)
        print_clock_text(&g_array_index(t->clock_history, EndedClock, i));
    printf("\n--- events\n");
    for (guint i = 0; i < t->events->len; i++) {
        const TicketEvent *e = g_ptr_array_index(t->events, i);
        g_autofree char *at = util_time_iso(e->at);

        printf("%s  %-14s %s\n", at != NULL ? at : "-", e->kind,
               e->detail != NULL ? e->detail : "");
    }
}

static void
write_clock(JsonWriter *w, const EndedClock *c)
{
    json_begin_object(w);
    json_kv_string(w, "kind", clock_kind_name(c->kind));
    json_kv_time(w, "started_at", c->started_at);
    json_kv_time(w, "due_at", c->due_at);
    json_kv_time(w, "ended_at", c->ended_at);
    json_kv_string(w, "ended_by", clock_end_name(c->end));
    json_kv_bool(w, "met", clock_is_met(c));
    json_kv_int(w, "paused_seconds", c->paused_total);
    json_kv_int(w, "escalation_level", c->level);
    json_end_object(w);
}

static Status
ticket_show(Ctx *ctx, int argc, char **argv, GError **error)
{
    gboolean as_json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "JSON output", NULL },
        { NULL },
    };
    g_autoptr(Ticket) t = NULL;
    bool help_shown = false;
    gint64 id;
    Status st;

    st = cmd_parse_options(&argc, &argv, "ID",
                           "Show a ticket with its messages and events.",
                           entries, &help_shown, error);
    if (st != ST_OK || help_shown)
        return st;
    if (argc != 2)
        return status_set(error, ST_USAGE,
                          "usage: mailtriage ticket show ID [--json]");
    if ((st = parse_ticket_id(argv[1], &id, error)) != ST_OK ||
        (st = store_ticket_get(ctx->store, id, true, &t, error)) != ST_OK)
        return st;
    if (t == NULL)
        return status_set(error, ST_DATAERR, "ticket show: no ticket %s",
                          argv[1]);
    if ((st = store_ticket_load_clocks(ctx->store, t, error)) != ST_OK)
        return st;
    if (as_json) {
        g_autoptr(JsonWriter) w = json_writer_new(true);
        g_autofree char *text = NULL;

        json_begin_object(w);
        write_ticket_fields(w, t, ctx->cfg->subject_tag);
        json_key(w, "messages");
        json_begin_array(w);
        for (guint i = 0; i < t->messages->len; i++)
            write_message(w, g_ptr_array_index(t->messages, i));
        json_end_array(w);
        json_key(w, "events");
        json_begin_array(w);
        for (guint i = 0; i < t->events->len; i++) {
            const TicketEvent *e = g_ptr_array_index(t->events, i);

            json_begin_object(w);
            json_kv_time(w, "at", e->at);
            json_kv_string(w, "kind", e->kind);
            json_kv_string(w, "detail", e->detail);
            json_end_object(w);
        }
        json_end_array(w);
        json_key(w, "clocks");
        json_begin_array(w);
        for (guint i = 0; i < t->clock_history->len; i++)
            write_clock(w, &g_array_index(t->clock_history, EndedClock, i));
        json_end_array(w);
        json_end_object(w);
        text = json_writer_finish(g_steal_pointer(&w));
        cmd_print(text);
        return ST_OK;
    }
    print_ticket_text(t, ctx->cfg->subject_tag);
    return ST_OK;
}

/* One KEY=VALUE of `ticket set`; the event says who changed what. */
static Status
apply_setting(Ctx *ctx, Ticket *t, const char *kv, GError **error)
{
    const char *eq = strchr(kv, '=');
    g_autofree char *key = NULL;
    const char *value;

    if (eq == NULL || eq == kv)
        return status_set(error, ST_USAGE,
                          "ticket set: '%s' is not KEY=VALUE", kv);
    key = g_strndup(kv, (gsize)(eq - kv));
    value = eq + 1;
    if (strcmp(key, "status") == 0) {
        TicketStatus s;

        if (!ticket_status_from_name(value, &s))
            return status_set(error, ST_USAGE,
                              "ticket set: unknown status '%s' (new, open, "
                              "pending, resolved, closed, spam)",
                              value);
        if (s == TICKET_STATUS_RESOLVED || s == TICKET_STATUS_CLOSED ||
            s == TICKET_STATUS_SPAM)
            t->resolved_at = ctx_now(ctx);
        else
            t->resolved_at = MESSAGE_NO_TIME;
        sla_status_changed(ctx->cfg, t, s, ctx_now(ctx));
        t->status = s;
    } else if (strcmp(key, "priority") == 0) {
        if (!ticket_priority_from_name(value, &t->priority))
            return status_set(error, ST_USAGE,
                              "ticket set: unknown priority '%s' (low, "
                              "normal, high, urgent)",
                              value);
        sla_promise_changed(ctx->cfg, t);
    } else if (strcmp(key, "category") == 0) {
        g_free(t->category);
        t->category = *value != '\0' ? g_strdup(value) : NULL;
    } else if (strcmp(key, "team") == 0) {
        g_free(t->team);
        t->team = *value != '\0' ? g_strdup(value) : NULL;
    } else if (strcmp(key, "assignee") == 0) {
        g_free(t->assignee);
        t->assignee = *value != '\0' ? g_strdup(value) : NULL;
    } else if (g_str_has_prefix(key, "field.") && key[6] != '\0') {
        return store_ticket_set_field(ctx->store, t->id, key + 6, value,
                                      error);
    } else {
        return status_set(error, ST_USAGE,
                          "ticket set: unknown key '%s' (status, priority, "
                          "category, team, assignee, field.NAME)",
                          key);
    }
    return ST_OK;
}

static Status
ticket_set(Ctx *ctx, int argc, char **argv, GError **error)
{
    g_autoptr(Ticket) t = NULL;
    g_autoptr(Agents) agents = NULL;
    g_autofree char *old_assignee = NULL;
    TicketStatus old_status;
    bool help_shown = false;
    gint64 id, now = ctx_now(ctx);
    Status st;

    st = cmd_parse_options(&argc, &argv, "ID KEY=VALUE...",
                           "Change a ticket: status, priority, category, "
                           "team, assignee, field.NAME.",
                           NULL, &help_shown, error);
    if (st != ST_OK || help_shown)
        return st;
    if (argc < 3)
        return status_set(error, ST_USAGE,
                          "usage: mailtriage ticket set ID KEY=VALUE...");
    if ((st = parse_ticket_id(argv[1], &id, error)) != ST_OK ||
        (st = store_begin(ctx->store, error)) != ST_OK)
        return st;
    if ((st = store_ticket_get(ctx->store, id, false, &t, error)) != ST_OK)
        goto fail;
    if (t == NULL) {
        st = status_set(error, ST_DATAERR, "ticket set: no ticket %s",
                        argv[1]);
        goto fail;
    }
    old_assignee = g_strdup(t->assignee);
    old_status = t->status;
    for (int i = 2; i < argc; i++)
        if ((st = apply_setting(ctx, t, argv[i], error)) != ST_OK ||
            (st = store_event_add(ctx->store, id, now, "set", argv[i],
                                  error)) != ST_OK)
            goto fail;
    t->updated_at = now;
    if ((st = store_ticket_update(ctx->store, t, error)) != ST_OK)
        goto fail;
    /* DESIGN 8a: a new assignee hears of it; a customer hears that the
     * ticket is resolved. */
    agents = agents_new(ctx->cfg, ctx->store);
    if (t->assignee != NULL && g_strcmp0(t->assignee, old_assignee) != 0 &&
        (st = agents_notify_assigned(agents, t, t->assignee, now, error)) !=
            ST_OK)
        goto fail;
    if (t->status == TICKET_STATUS_RESOLVED &&
        old_status != TICKET_STATUS_RESOLVED &&
        (st = agents_notify_resolved(agents, t, now, error)) != ST_OK)
        goto fail;
    if (ctx->is_dry_run) {
        store_rollback(ctx->store);
        return ST_OK;
    }
    return store_commit(ctx->store, error);
fail:
    store_rollback(ctx->store);
    return st;
}

Status
cmd_ticket(Ctx *ctx, int argc, char **argv, GError **error)
{
    static const struct {
        const char *name;
        Status (*fn)(Ctx *, int, char **, GError **);
        StoreMode mode;
    } verbs[] = {
        { "list", ticket_list, STORE_READ_ONLY },
        { "show", ticket_show, STORE_READ_ONLY },
        { "set", ticket_set, STORE_READ_WRITE },
    };

    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: mailtriage ticket list [--status S] [--assignee A] "
               "[--category C]\n"
               "         [--breached] [--due-within 4h] [--older-than 3d] "
               "[--json]\n"
               "       mailtriage ticket show ID [--json]\n"
               "       mailtriage ticket set ID KEY=VALUE...\n");
        return argc < 2 ? ST_USAGE : ST_OK;
    }
    for (guint i = 0; i < G_N_ELEMENTS(verbs); i++) {
        bool is_help = argc > 2 && (strcmp(argv[2], "--help") == 0 ||
                                    strcmp(argv[2], "-h") == 0);
        Status st;

        if (strcmp(argv[1], verbs[i].name) != 0)
            continue;
        if (!is_help &&
            (st = ctx_open_store(ctx, verbs[i].mode, error)) != ST_OK)
            return st;
        return verbs[i].fn(ctx, argc - 1, argv + 1, error);
    }
    return status_set(error, ST_USAGE,
                      "ticket: unknown verb '%s' (list, show, set)",
                      argv[1]);
}
