/*
 * cmd-ingest.c - `mailtriage ingest PATH|-` and the batch loop that
 * `run` shares: fetch, process in one transaction per batch, commit,
 * and only then mark each message done at its source (DESIGN 2).
 *
 * Stdin (MDA) mode exits 0 only once the message is committed and 75
 * otherwise, so that the MTA keeps the message and retries.
 */
#include "config.h"

#include <string.h>

#include "commands.h"
#include "log.h"
#include "process.h"
#include "source.h"
#include "util.h"

typedef struct {
    char *pos;
    bool is_taken; /* processed in this batch, to be marked done */
} Pending;

static Status
commit_batch(Ctx *ctx, Source *src, GArray *batch, GError **error)
{
    Status st;

    if (ctx->is_dry_run) {
        store_rollback(ctx->store);
        return ST_OK;
    }
    util_crashpoint("before-commit");
    if ((st = store_commit(ctx->store, error)) != ST_OK)
        return st;
    util_crashpoint("after-commit");
    /* Committed: now, and only now, the source may let go of them.  A
     * failure here is harmless: the position is in the store, so the
     * next run skips the message and tries mark_done again. */
    for (guint i = 0; i < batch->len; i++) {
        Pending *p = &g_array_index(batch, Pending, i);
        g_autoptr(GError) local = NULL;

        if (p->is_taken &&
            source_mark_done(src, p->pos, &local) != ST_OK)
            g_warning("%s", local->message);
        util_crashpoint("after-mark-done");
    }
    return ST_OK;
}

static void
clear_pending(Pending *p)
{
    g_free(p->pos);
}

Status
cmd_ingest_source(Ctx *ctx, Processor *proc, const char *name,
                  const char *url, int after, guint *failed_out,
                  GError **error)
{
    const SourceConfig scfg = {
        .name = name,
        .url = url,
        .after = (SourceAfter)after,
        /* Parse keeps an oversized message (attachments omitted,
         * flagged), so the source refuses only what no one could mean
         * to keep in memory at once. */
        .max_message_bytes = MAX(ctx->cfg->limits.max_message_bytes,
                                 (gsize)1 << 30),
    };
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) positions = NULL;
    g_autoptr(GArray) batch = g_array_new(FALSE, TRUE, sizeof(Pending));
    guint batch_size = (guint)MAX(ctx->cfg->batch_size, 1);
    Status st;

    g_array_set_clear_func(batch, (GDestroyNotify)clear_pending);
    if ((st = source_open(&scfg, &src, error)) != ST_OK ||
        (st = source_list_new(src, &positions, error)) != ST_OK)
        return st;

    for (guint i = 0; i < positions->len;) {
        if ((st = store_begin(ctx->store, error)) != ST_OK)
            return st;
        g_array_set_size(batch, 0);
        for (; i < positions->len && batch->len < batch_size; i++) {
            const char *pos = g_ptr_array_index(positions, i);
            g_autoptr(GBytes) raw = NULL;
            g_autoptr(GError) local = NULL;
            Pending p = { .pos = g_strdup(pos) };
            Outcome out;

            st = source_fetch(src, pos, &raw, &local);
            if (st == ST_OK)
                st = processor_ingest(proc, src->key, pos, raw,
                                      MESSAGE_NO_TIME, &out, &local);
            if (st == ST_OK) {
                p.is_taken = true;
            } else if (st == ST_IOERR || st == ST_TEMPFAIL ||
                       st == ST_SOFTWARE) {
                /* The store itself failed: stop, keep what was
                 * committed, leave the rest for the next run. */
                store_rollback(ctx->store);
                clear_pending(&p);
                g_propagate_error(error, g_steal_pointer(&local));
                return st;
            } else {
                g_warning("%s: %s: %s (left at the source)", src->key, pos,
                          local->message);
                (*failed_out)++;
            }
            g_array_append_val(batch, p);
        }
        if ((st = commit_batch(ctx, src, batch, error)) != ST_OK)
            return st;
    }
    return ST_OK;
}

void
cmd_log_summary(const char *what, Processor *proc, guint failed,
                bool is_dry_run)
{
    const ProcessCounts *c = processor_counts(proc);

    log_summary("%s%s: messages=%u new_tickets=%u followups=%u "
                "duplicates=%u automatic=%u parse_problems=%u "
                "seen_before=%u failed=%u",
                what, is_dry_run ? " (dry run: nothing committed)" : "",
                c->taken, c->new_tickets, c->followups, c->duplicates,
                c->automatic, c->problems, c->seen_before, failed);
}

Status
cmd_ingest(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    g_autoptr(Processor) proc = NULL;
    guint failed = 0;
    Status st;

    if ((st = cmd_parse_options(
             &argc, &argv, "PATH|-",
             "Process a message file, an mbox, a Maildir (new/ and cur/), "
             "or one message\non stdin (-), as an MTA delivers it.  Exit 0 "
             "only once everything is committed;\n75 (try again) when the "
             "store is busy.",
             NULL, &help_shown, error)) != ST_OK || help_shown)
        return st;
    if (argc != 2)
        return status_set(error, ST_USAGE,
                          "usage: mailtriage ingest PATH|-");
    proc = processor_new(ctx->cfg, ctx->store, ctx_now(ctx));
    st = cmd_ingest_source(ctx, proc, argv[1], argv[1], SOURCE_AFTER_KEEP,
                           &failed, error);
    cmd_log_summary("ingest", proc, failed, ctx->is_dry_run);
    if (st != ST_OK) {
        /* An MTA retries on 75: right when the store or the disk
         * failed, wrong for data that will never get better. */
        if (strcmp(argv[1], "-") == 0 &&
            (st == ST_IOERR || st == ST_SOFTWARE || st == ST_TEMPFAIL)) {
            g_prefix_error(error,
                           "message not taken (the MTA will retry): ");
            return ST_TEMPFAIL;
        }
        return st;
    }
    if (failed > 0)
        return strcmp(argv[1], "-") == 0
                   ? status_set(error, ST_TEMPFAIL,
                                "message not taken (the MTA will retry)")
                   : status_set(error, ST_DATAERR,
                                "%u message(s) could not be processed",
                                failed);
    return ST_OK;
}
