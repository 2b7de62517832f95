/*
 * cmd-rules.c - `mailtriage rules check` and `mailtriage rules test
 * FILE|MAILDIR`, and the loading of the rule set that `run` and
 * `ingest` share.
 *
 * `rules test` reads the store only to preview assignment (the
 * round-robin position, open ticket counts) and never writes: a desk
 * can try a rule change against last month's mail before deploying it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "classify.h"
#include "commands.h"
#include "json.h"
#include "parse.h"
#include "rules.h"
#include "source.h"
#include "util.h"

/* Without a rules setting in the file, ./rules is used when it exists
 * and no rules run when it does not; a directory the file names must
 * exist, so that a misspelt path does not silently disable routing.
 * (read_path() makes every path from the file absolute.) */
static bool
is_default_rules_dir(const Config *cfg)
{
    return strcmp(cfg->rules_dir, "rules") == 0;
}

Status
cmd_load_rules(Ctx *ctx, RuleSet **set_out, GError **error)
{
    const Config *cfg = ctx->cfg;
    g_autoptr(RuleSet) set = NULL;
    g_autoptr(GPtrArray) agents = g_ptr_array_new();
    g_autofree char *dir = NULL;
    Status st;

    *set_out = NULL;
    if (!g_file_test(cfg->rules_dir, G_FILE_TEST_IS_DIR)) {
        if (is_default_rules_dir(cfg)) {
            *set_out = rules_new_empty();
            return ST_OK;
        }
        return status_set(error, ST_CONFIG,
                          "rules: no rules directory '%s' ([general] rules "
                          "in %s)",
                          cfg->rules_dir,
                          cfg->path != NULL ? cfg->path : "the defaults");
    }
    /* Canonical, so that events and errors name the file plainly
     * (sample/../rules/x.rules reads as rules/x.rules). */
    dir = g_canonicalize_filename(cfg->rules_dir, NULL);
    if ((st = rules_load(dir, &set, error)) != ST_OK)
        return st;
    for (guint i = 0; i < cfg->agents->len; i++)
        g_ptr_array_add(agents,
                        ((AgentConf *)cfg->agents->pdata[i])->name);
    g_ptr_array_add(agents, NULL);
    if ((st = rules_check_agents(set, (const char *const *)agents->pdata,
                                 error)) != ST_OK)
        return st;
    *set_out = g_steal_pointer(&set);
    return ST_OK;
}

static Status
rules_check(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    g_autoptr(RuleSet) set = NULL;
    Status st;

    if ((st = cmd_parse_options(&argc, &argv, "",
                                "Read and compile every rules/*.rules file; "
                                "list every error as FILE:LINE:COLUMN.\n"
                                "Exit 0 when the rule set is sound, 78 when "
                                "it is not.",
                                NULL, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if (argc != 1)
        return status_set(error, ST_USAGE, "usage: mailtriage rules check");
    if ((st = cmd_load_rules(ctx, &set, error)) != ST_OK)
        return st;
    printf("%s: %u rules, %u patterns (%u prefiltered): ok\n",
           ctx->cfg->rules_dir, rules_count(set), rules_pattern_count(set),
           rules_prefiltered_patterns(set));
    return ST_OK;
}

typedef struct {
    Ctx *ctx;
    const RuleSet *set;
    JsonWriter *json; /* NULL: text */
    const char *const *own_addresses;
    guint messages, matched;
} Tester;

static void
print_text(Tester *t, const char *pos, const Message *msg,
           const RulesResult *res, const char *agent, const char *how)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "%s: \"%s\" from %s (%s)\n", pos,
                           msg->subject,
                           msg->from != NULL ? msg->from->email
                                             : "(no sender)",
                           message_kind_name(msg->kind));
    for (guint i = 0; i < res->notes->len; i++)
        g_string_append_printf(out, "  limit: %s\n",
                               (const char *)res->notes->pdata[i]);
    if (res->hits->len == 0)
        g_string_append(out, "  no rule matched\n");
    for (guint i = 0; i < res->hits->len; i++) {
        const RuleHit *h = g_ptr_array_index(res->hits, i);

        g_string_append_printf(out, "  rule '%s' (%s): %s -> %s\n", h->rule,
                               h->where, h->matched,
                               *h->actions != '\0' ? h->actions
                                                   : "no action");
    }
    g_string_append_printf(
        out, "  result: category=%s priority=%s status=%s team=%s "
             "assignee=%s%s%s%s%s\n",
        res->category != NULL ? res->category : "-",
        res->has_priority ? ticket_priority_name(res->priority) : "normal",
        res->has_status ? ticket_status_name(res->status) : "new",
        res->team != NULL ? res->team : "-", agent != NULL ? agent : "-",
        how != NULL ? " (" : "", how != NULL ? how : "",
        how != NULL ? ")" : "", res->is_noack ? " noack" : "");
    cmd_print(out->str);
    g_string_free(out, TRUE);
}

static void
print_json(Tester *t, const char *pos, const Message *msg,
           const RulesResult *res, const char *agent, const char *how)
{
    JsonWriter *w = t->json;
    GHashTableIter iter;
    gpointer k, v;

    json_begin_object(w);
    json_kv_string(w, "message", pos);
    json_kv_string(w, "subject", msg->subject);
    json_kv_string(w, "from", msg->from != NULL ? msg->from->email : NULL);
    json_kv_string(w, "kind", message_kind_name(msg->kind));
    json_key(w, "rules");
    json_begin_array(w);
    for (guint i = 0; i < res->hits->len; i++) {
        const RuleHit *h = g_ptr_array_index(res->hits, i);

        json_begin_object(w);
        json_kv_string(w, "rule", h->rule);
        json_kv_string(w, "where", h->where);
        json_kv_string(w, "matched", h->matched);
        json_kv_string(w, "set", h->actions);
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "limits");
    json_begin_array(w);
    for (guint i = 0; i < res->notes->len; i++)
        json_string(w, res->notes->pdata[i]);
    json_end_array(w);
    json_kv_string(w, "category", res->category);
    json_kv_string(w, "priority", res->has_priority
                                      ? ticket_priority_name(res->priority)
                                      : "normal");
    json_kv_string(w, "status", res->has_status
                                    ? ticket_status_name(res->status)
                                    : "new");
    json_kv_int(w, "sla", res->sla);
    json_kv_string(w, "team", res->team);
    json_kv_string(w, "assignee", agent);
    json_kv_string(w, "assigned_by", how);
    json_kv_bool(w, "noack", res->is_noack);
    json_key(w, "fields");
    json_begin_object(w);
    g_hash_table_iter_init(&iter, res->fields);
    while (g_hash_table_iter_next(&iter, &k, &v))
        json_kv_string(w, k, v);
    json_end_object(w);
    json_end_object(w);
}

/* label: what to call the message in the output (the file's name for
 * a single file, else the source's position). */
static Status
test_one(Tester *t, Source *src, const char *pos, const char *label,
         GError **error)
{
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(Message) msg = NULL;
    g_autoptr(RulesResult) res = NULL;
    g_autofree char *agent = NULL;
    g_autofree char *how = NULL;
    const ClassifyOptions copt = { .own_addresses = t->own_addresses };
    RuleInput in = { 0 };
    Status st;

    if ((st = source_fetch(src, pos, &raw, error)) != ST_OK)
        return st;
    (void)parse_message(raw, &t->ctx->cfg->limits, &msg, NULL);
    classify_message(msg, &copt);
    in.msg = msg;
    in.mailbox = src->key;
    res = rules_evaluate(t->set, &in);
    if (res->agent != NULL) {
        agent = g_strdup(res->agent);
        how = g_strdup("named by the rule");
    } else if (res->is_team_assign &&
               (st = assign_pick(t->ctx->cfg, t->ctx->store, res->team,
                                 &agent, &how, error)) != ST_OK) {
        return st;
    }
    t->messages++;
    if (res->hits->len > 0)
        t->matched++;
    if (t->json != NULL)
        print_json(t, label, msg, res, agent, how);
    else
        print_text(t, label, msg, res, agent, how);
    return ST_OK;
}

static Status
rules_test(Ctx *ctx, int argc, char **argv, GError **error)
{
    gboolean is_json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &is_json,
          "one JSON array of per-message results", NULL },
        { NULL },
    };
    bool help_shown = false;
    g_autoptr(RuleSet) set = NULL;
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) positions = NULL;
    g_autoptr(JsonWriter) json = NULL;
    g_autoptr(GPtrArray) own = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) store_error = NULL;
    SourceConfig scfg = { 0 };
    Tester t = { .ctx = ctx };
    Status st;

    if ((st = cmd_parse_options(
             &argc, &argv, "FILE|MAILDIR|MBOX",
             "Show, per message, which rules match, on what text, and the "
             "resulting\ncategory, priority, team and assignee.  Reads the "
             "store (when there is one)\nonly to preview assignment; writes "
             "nothing.",
             entries, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if (argc != 2)
        return status_set(error, ST_USAGE,
                          "usage: mailtriage rules test FILE|MAILDIR|MBOX");
    if ((st = cmd_load_rules(ctx, &set, error)) != ST_OK)
        return st;
    /* The store is optional: without one, assignment previews start
     * from nobody's turn. */
    if (ctx_open_store(ctx, STORE_READ_ONLY, &store_error) != ST_OK)
        g_debug("rules test: no store: %s", store_error->message);
    for (char **a = ctx->cfg->support_addresses; *a != NULL; a++)
        g_ptr_array_add(own, g_strdup(*a));
    g_ptr_array_add(own, NULL);
    scfg.name = argv[1];
    scfg.url = argv[1];
    scfg.after = SOURCE_AFTER_KEEP;
    scfg.max_message_bytes = MAX(ctx->cfg->limits.max_message_bytes,
                                 (gsize)1 << 30);
    if ((st = source_open(&scfg, &src, error)) != ST_OK ||
        (st = source_list_new(src, &positions, error)) != ST_OK)
        return st;
    t.set = set;
    t.own_addresses = (const char *const *)own->pdata;
    if (is_json) {
        json = json_writer_new(true);
        t.json = json;
        json_begin_array(json);
    }
    for (guint i = 0; i < positions->len; i++) {
        const char *pos = positions->pdata[i];
        const char *label =
            g_file_test(argv[1], G_FILE_TEST_IS_REGULAR) &&
                    positions->len == 1
                ? argv[1]
                : pos;

        if ((st = test_one(&t, src, pos, label, error)) != ST_OK)
            return st;
    }
    if (is_json) {
        g_autofree char *text = NULL;

        json_end_array(json);
        text = json_writer_finish(g_steal_pointer(&json));
        cmd_print(text);
        cmd_print("\n");
    } else {
        g_autofree char *sum = g_strdup_printf(
            "%u message%s, %u matched a rule\n", t.messages,
            t.messages == 1 ? "" : "s", t.matched);

        cmd_print(sum);
    }
    return ST_OK;
}

Status
cmd_rules(Ctx *ctx, int argc, char **argv, GError **error)
{
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return rules_check(ctx, argc - 1, argv + 1, error);
    if (argc >= 2 && strcmp(argv[1], "test") == 0)
        return rules_test(ctx, argc - 1, argv + 1, error);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0)) {
        cmd_print("usage: mailtriage rules check\n"
                  "       mailtriage rules test [--json] "
                  "FILE|MAILDIR|MBOX\n");
        return ST_OK;
    }
    return status_set(error, ST_USAGE,
                      "usage: mailtriage rules check | rules test [--json] "
                      "FILE|MAILDIR|MBOX");
}
