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
#include "outbox.h"
#include "parse.h"
#include "process.h"
#include "rules.h"
#include "source.h"
#include "util.h"

typedef struct {
    char *pos;
    GBytes *raw;     /* NULL when fetching failed */
    SourceInfo info;
    bool is_taken; /* processed in this batch, to be marked done */
} Pending;

/*
 * A batch keeps its messages' bytes until it is committed, so that it
 * can be stored again (redo_batch()).  Besides batch_size, this ends a
 * batch early: enough for hundreds of ordinary messages, little next
 * to the memory a run may use (bench/ingest.sh --rss-check).
 */
#define BATCH_MAX_BYTES ((gsize)4 << 20)

/* Carry out the marks a driver queued (IMAP: one STORE for the batch).
 * Like mark_done() itself, a failure only delays the mark. */
static void
flush_marks(Source *src)
{
    g_autoptr(GError) local = NULL;

    if (source_flush(src, &local) != ST_OK)
        g_warning("%s (marked again on the next run)", local->message);
}

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
    flush_marks(src);
    return ST_OK;
}

static void
clear_pending(Pending *p)
{
    g_free(p->pos);
    if (p->raw != NULL)
        g_bytes_unref(p->raw);
}

/*
 * Parsing runs on worker threads ahead of the store work: the main
 * thread fetches, hands the bytes to the pool, and takes the parsed
 * messages back in arrival order to thread and store them.  On two
 * cores that overlaps the two halves of the work.  A worker also
 * classifies each message (processor_prepare()) and frees the jobs the
 * main thread is done with; the main thread hashes each message as it
 * reads it and runs the rules for a new ticket, so that neither thread
 * waits long for the other.  Each job owns its bytes and its Message;
 * the workers share nothing else, and only read the processor.
 */
typedef struct {
    char *pos;
    GBytes *raw;    /* NULL when fetching failed */
    GError *error;  /* why fetching failed */
    Status fetch_st;
    SourceInfo info; /* what the source knows beyond the bytes */
    char sha256[65]; /* of raw, hashed by the main thread */
    Message *msg;   /* set by the worker */
    Prepared prep;  /* set by the worker */
    bool is_parsed; /* under Pipeline.lock */
    bool is_finished; /* back in the pool only to be freed */
    guint64 seq;    /* arrival order */
} Job;

typedef struct {
    GMutex lock;
    GCond parsed;
    const Limits *limits;
    const Processor *proc;
    GThreadPool *pool;
    GQueue jobs;      /* in flight, in arrival order */
    gsize raw_bytes;  /* of the jobs in flight */
    guint64 next_seq;
} Pipeline;

/* How far parsing may run ahead: in messages and in bytes, so that a
 * run of huge messages does not hold them all in memory at once.  The
 * worker must not run out of room while the main thread commits or
 * waits for a checkpoint: a lead of 32 messages ran out in a few
 * milliseconds, and 128 made an ingest 7-9% faster (bench/ingest.sh);
 * 256 bought little more for 5 MB. */
#define PIPELINE_MAX_JOBS 128
#define PIPELINE_MAX_BYTES ((gsize)64 << 20)

static void
job_free(Job *job)
{
    g_free(job->pos);
    if (job->raw != NULL)
        g_bytes_unref(job->raw);
    g_clear_error(&job->error);
    message_free(job->msg);
    g_free(job);
}

/* Parse and prepare fetched bytes (sha256: their hash, or NULL): on a
 * worker, or again for redo_batch().  Never fails: the problems are in
 * the message. */
static Message *
parse_fetched(GBytes *raw, const char *sha256, const SourceInfo *info,
              const Limits *limits, const Processor *proc, Prepared *prep)
{
    Message *msg = NULL;

    (void)parse_message_hashed(raw, sha256, limits, &msg, NULL);
    if (info->is_truncated)
        message_add_problem(
            msg,
            "source: message of %" G_GSIZE_FORMAT " bytes; only the "
            "first %" G_GSIZE_FORMAT " were read (size limit)",
            info->full_size, g_bytes_get_size(raw));
    processor_prepare(proc, msg, prep);
    return msg;
}

static void
parse_job(gpointer data, gpointer user_data)
{
    Job *job = data;
    Pipeline *pl = user_data;
    Message *msg;

    if (job->is_finished) {
        job_free(job);
        return;
    }
    msg = parse_fetched(job->raw, job->sha256, &job->info, pl->limits,
                        pl->proc, &job->prep);
    g_mutex_lock(&pl->lock);
    job->msg = msg;
    job->is_parsed = true;
    g_cond_broadcast(&pl->parsed);
    g_mutex_unlock(&pl->lock);
}

/* The pool's order: finished jobs first, so that they are freed at
 * once rather than held behind the parsing queued ahead of them (that
 * held a few MB more for the run), then the rest in arrival order. */
static gint
job_order(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const Job *ja = a;
    const Job *jb = b;

    (void)user_data;
    if (ja->is_finished != jb->is_finished)
        return ja->is_finished ? -1 : 1;
    return ja->seq < jb->seq ? -1 : ja->seq > jb->seq ? 1 : 0;
}

static void
pipeline_init(Pipeline *pl, const Limits *limits, const Processor *proc)
{
    guint workers = MAX(g_get_num_processors(), 2) - 1;

    g_mutex_init(&pl->lock);
    g_cond_init(&pl->parsed);
    pl->limits = limits;
    pl->proc = proc;
    pl->pool = g_thread_pool_new(parse_job, pl, (gint)workers, FALSE, NULL);
    g_thread_pool_set_sort_function(pl->pool, job_order, NULL);
    pl->next_seq = 0;
    g_queue_init(&pl->jobs);
    pl->raw_bytes = 0;
}

/* A job the main thread is done with: a worker frees it. */
static void
pipeline_finish(Pipeline *pl, Job *job)
{
    job->is_finished = true;
    g_thread_pool_push(pl->pool, job, NULL);
}

/* Waits for every job still in a worker before freeing them all. */
static void
pipeline_clear(Pipeline *pl)
{
    g_thread_pool_free(pl->pool, FALSE, TRUE);
    g_queue_clear_full(&pl->jobs, (GDestroyNotify)job_free);
    g_cond_clear(&pl->parsed);
    g_mutex_clear(&pl->lock);
}

static bool
pipeline_has_room(const Pipeline *pl)
{
    return pl->jobs.length == 0 ||
           (pl->jobs.length < PIPELINE_MAX_JOBS &&
            pl->raw_bytes < PIPELINE_MAX_BYTES);
}

static void
pipeline_push(Pipeline *pl, Source *src, const char *pos)
{
    Job *job = g_new0(Job, 1);

    job->seq = pl->next_seq++;

    job->pos = g_strdup(pos);
    job->fetch_st = source_fetch(src, pos, &job->raw, &job->error);
    if (job->fetch_st != ST_OK) {
        job->is_parsed = true;
    } else {
        gsize len;
        const void *data = g_bytes_get_data(job->raw, &len);

        /* Hashed here, not by the worker: parsing keeps the worker
         * busier than the store keeps this thread. */
        util_sha256_hex(data != NULL ? data : "", len, job->sha256);
        source_info(src, pos, &job->info);
        pl->raw_bytes += g_bytes_get_size(job->raw);
        g_thread_pool_push(pl->pool, job, NULL);
    }
    g_queue_push_tail(&pl->jobs, job);
}

/* The oldest job, parsed; the caller frees it. */
static Job *
pipeline_pop(Pipeline *pl)
{
    Job *job = g_queue_pop_head(&pl->jobs);

    g_mutex_lock(&pl->lock);
    while (!job->is_parsed)
        g_cond_wait(&pl->parsed, &pl->lock);
    g_mutex_unlock(&pl->lock);
    if (job->raw != NULL)
        pl->raw_bytes -= g_bytes_get_size(job->raw);
    return job;
}

/* Positions an earlier run has not taken, in arrival order.  One that
 * was taken is committed, but a run killed between its commit and
 * mark_done() left it at the source: mark it done now (a no-op when it
 * is done already). */
static Status
positions_to_take(Ctx *ctx, Processor *proc, Source *src,
                  GPtrArray *positions, GPtrArray **todo_out,
                  GError **error)
{
    g_autoptr(GPtrArray) todo = g_ptr_array_new();
    Status st;

    for (guint i = 0; i < positions->len; i++) {
        char *pos = g_ptr_array_index(positions, i);
        g_autoptr(GError) local = NULL;
        bool seen = false;

        if ((st = processor_is_seen(proc, src->key, pos, &seen, error)) !=
            ST_OK)
            return st;
        if (!seen)
            g_ptr_array_add(todo, pos);
        else if (!ctx->is_dry_run &&
                 source_mark_done(src, pos, &local) != ST_OK)
            g_warning("%s", local->message);
    }
    if (!ctx->is_dry_run)
        flush_marks(src);
    *todo_out = g_steal_pointer(&todo);
    return ST_OK;
}

/* Whether a fetch failed because the source went away (the connection
 * dropped, the server refused), not because of one message. */
static bool
is_source_lost(Status st)
{
    return st == ST_UNAVAILABLE || st == ST_TEMPFAIL || st == ST_NOPERM;
}

/* Whether processing failed because the store did, not the message. */
static bool
is_store_failure(Status st)
{
    return st == ST_IOERR || st == ST_TEMPFAIL || st == ST_SOFTWARE;
}

/* One message could not be taken: say why; the next run tries again. */
static void
leave_at_source(Source *src, const char *pos, const GError *why,
                guint *failed_out)
{
    g_warning("%s: %s: %s (left at the source)", src->key, pos,
              why->message);
    (*failed_out)++;
}

/*
 * A batch is all or nothing (store_begin_all_or_nothing()), so a
 * message that fails part-way leaves its writes mixed into the
 * batch's.  Roll the batch back and store it again from the bytes it
 * kept, each message in a savepoint this time, so that only a message
 * that fails again is left out (and left at its source).  The caller
 * commits it.
 */
static Status
redo_batch(Ctx *ctx, Processor *proc, Source *src, const Limits *limits,
           GArray *batch, const ProcessCounts *counts_at_begin,
           guint *failed_out, GError **error)
{
    Status st;

    store_rollback(ctx->store);
    processor_restore_counts(proc, counts_at_begin);
    if ((st = store_begin(ctx->store, error)) != ST_OK)
        return st;
    for (guint i = 0; i < batch->len && st == ST_OK; i++) {
        Pending *p = &g_array_index(batch, Pending, i);
        g_autoptr(GError) local = NULL;
        Prepared prep = { 0 };
        Message *msg;
        Outcome out;

        if (p->raw == NULL)
            continue; /* its fetch failed: said and counted already */
        msg = parse_fetched(p->raw, NULL, &p->info, limits, proc, &prep);
        st = processor_ingest_message(proc, src->key, p->pos, msg, &prep,
                                      p->info.received_at, &out, &local);
        message_free(msg);
        p->is_taken = st == ST_OK;
        if (is_store_failure(st)) {
            g_propagate_error(error, g_steal_pointer(&local));
        } else if (st != ST_OK) {
            leave_at_source(src, p->pos, local, failed_out);
            st = ST_OK;
        }
    }
    return st;
}

static Status
ingest_source(Ctx *ctx, Processor *proc, const SourceConfig *scfg,
              guint *failed_out, GError **error)
{
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) positions = NULL;
    g_autoptr(GPtrArray) todo = NULL;
    g_autoptr(GArray) batch = g_array_new(FALSE, TRUE, sizeof(Pending));
    guint batch_size = (guint)MAX(ctx->cfg->batch_size, 1);
    gsize batch_bytes = 0;
    ProcessCounts counts_at_begin = { 0 };
    Limits limits = ctx->cfg->limits;
    guint next = 0;
    Pipeline pl;
    Status st;

    g_array_set_clear_func(batch, (GDestroyNotify)clear_pending);
    if ((st = source_open(scfg, &src, error)) != ST_OK ||
        (st = source_list_new(src, &positions, error)) != ST_OK ||
        (st = positions_to_take(ctx, proc, src, positions, &todo,
                                error)) != ST_OK)
        return st;
    source_plan(src, todo);

    /* The store keeps the raw message, not its attachments' bytes. */
    limits.is_attachment_size_only = true;
    pipeline_init(&pl, &limits, proc);
    while (next < todo->len || pl.jobs.length > 0) {
        g_autoptr(GError) local = NULL;
        Job *job;
        Pending p = { 0 };
        bool must_redo = false;
        Outcome out;

        while (next < todo->len && pipeline_has_room(&pl))
            pipeline_push(&pl, src, g_ptr_array_index(todo, next++));
        if (batch->len == 0) {
            if ((st = store_begin_all_or_nothing(ctx->store, error)) !=
                ST_OK)
                goto out;
            counts_at_begin = *processor_counts(proc);
        }
        job = pipeline_pop(&pl);
        p.pos = g_steal_pointer(&job->pos);
        if (job->error != NULL && is_source_lost(job->fetch_st)) {
            /* The connection is gone: keep what this batch took, leave
             * the rest for the next run. */
            g_autoptr(GError) commit_error = NULL;

            st = job->fetch_st;
            g_propagate_error(error, g_steal_pointer(&job->error));
            job_free(job);
            clear_pending(&p);
            if (commit_batch(ctx, src, batch, &commit_error) != ST_OK)
                g_warning("%s", commit_error->message);
            g_array_set_size(batch, 0);
            goto out;
        }
        if (job->error != NULL) {
            /* One unreadable message (it vanished, it is too big) must
             * not stop the others. */
            local = g_steal_pointer(&job->error);
            st = ST_DATAERR;
        } else {
            p.raw = g_bytes_ref(job->raw);
            p.info = job->info;
            batch_bytes += g_bytes_get_size(p.raw);
            st = processor_ingest_message(proc, src->key, p.pos, job->msg,
                                          &job->prep, job->info.received_at,
                                          &out, &local);
        }
        pipeline_finish(&pl, job);
        if (is_store_failure(st)) {
            /* The store itself failed: stop, keep what was committed,
             * leave the rest for the next run. */
            store_rollback(ctx->store);
            clear_pending(&p);
            g_propagate_error(error, g_steal_pointer(&local));
            goto out;
        }
        p.is_taken = st == ST_OK;
        must_redo = st != ST_OK && p.raw != NULL;
        if (st != ST_OK && !must_redo)
            leave_at_source(src, p.pos, local, failed_out);
        g_array_append_val(batch, p);
        if (must_redo &&
            (st = redo_batch(ctx, proc, src, &limits, batch,
                             &counts_at_begin, failed_out, error)) != ST_OK) {
            store_rollback(ctx->store);
            goto out;
        }
        /* A redone batch is committed at once: a second redo would
         * say again what failed in the first. */
        if (must_redo || batch->len >= batch_size ||
            batch_bytes >= BATCH_MAX_BYTES ||
            (next == todo->len && pl.jobs.length == 0)) {
            if ((st = commit_batch(ctx, src, batch, error)) != ST_OK)
                goto out;
            g_array_set_size(batch, 0);
            batch_bytes = 0;
        }
    }
    st = ST_OK;
out:
    pipeline_clear(&pl);
    return st;
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

    return ingest_source(ctx, proc, &scfg, failed_out, error);
}

Status
cmd_ingest_source_conf(Ctx *ctx, Processor *proc, const SourceConf *sc,
                       guint *failed_out, GError **error)
{
    const bool is_imap = g_str_has_prefix(sc->url, "imap://") ||
                         g_str_has_prefix(sc->url, "imaps://");
    const SourceConfig scfg = {
        .name = sc->name,
        .url = sc->url,
        .after = sc->after,
        /* A server's message over the limit is read up to it and
         * flagged (SourceInfo.is_truncated), never refused: refusing
         * would leave it on the server, unseen by anyone, for ever. */
        .max_message_bytes =
            is_imap ? ctx->cfg->limits.max_message_bytes
                    : MAX(ctx->cfg->limits.max_message_bytes,
                          (gsize)1 << 30),
        .user = sc->user,
        .password_file = sc->password_file,
        .password_command = sc->password_command,
        .folders = (const char *const *)sc->folders,
        .move_folder = sc->move_folder,
        .tls = sc->tls,
        .ca_file = sc->ca_file,
        .is_tls_unverified = sc->is_tls_unverified,
        .timeout_secs = (guint)sc->timeout,
    };

    return ingest_source(ctx, proc, &scfg, failed_out, error);
}

void
cmd_log_summary(const char *what, Processor *proc, guint failed,
                bool is_dry_run)
{
    const ProcessCounts *c = processor_counts(proc);

    log_summary("%s%s: messages=%u new_tickets=%u followups=%u "
                "duplicates=%u automatic=%u parse_problems=%u "
                "seen_before=%u acks=%u acks_withheld=%u failed=%u",
                what, is_dry_run ? " (dry run: nothing committed)" : "",
                c->taken, c->new_tickets, c->followups, c->duplicates,
                c->automatic, c->problems, c->seen_before, c->acks,
                c->acks_withheld, failed);
}

Status
cmd_open_processor(Ctx *ctx, RuleSet **rules_out, Outbox **outbox_out,
                   Processor **proc_out, GError **error)
{
    Status st;

    if ((st = cmd_load_rules(ctx, rules_out, error)) != ST_OK ||
        (st = cmd_open_outbox(ctx, outbox_out, error)) != ST_OK)
        return st;
    *proc_out = processor_new(ctx->cfg, ctx->store, ctx_now(ctx));
    processor_set_rules(*proc_out, *rules_out);
    processor_set_outbox(*proc_out, *outbox_out);
    return ST_OK;
}

Status
cmd_ingest(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    g_autoptr(Outbox) outbox = NULL;
    g_autoptr(Processor) proc = NULL;
    g_autoptr(RuleSet) rules = NULL;
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
    if ((st = cmd_open_processor(ctx, &rules, &outbox, &proc, error)) !=
        ST_OK)
        return st;
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
