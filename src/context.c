/*
 * context.c - building the Ctx a command asked for.
 */
#include "config.h"

#include "context.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>

#include "message.h"

/* How long a second process waits for the run lock, in 0.1 s. */
#define LOCK_WAIT_TENTHS 300

/* The run lock sits beside the database, so two desks with two stores
 * on one machine do not serialize each other.  flock() dies with the
 * process, so kill -9 never leaves a stale lock. */
static Status
take_lock(Ctx *ctx, GError **error)
{
    g_autofree char *path = g_strdup_printf("%s.lock", ctx->cfg->database);
    g_autofree char *dir = g_path_get_dirname(path);
    int fd;

    if (g_mkdir_with_parents(dir, 0750) != 0)
        return status_set(error, ST_IOERR, "cannot create '%s': %s", dir,
                          g_strerror(errno));
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return status_set(error, ST_IOERR, "cannot open lock '%s': %s",
                          path, g_strerror(errno));
    /* A slow run still going when the timer fires again, or two
     * deliveries at once: wait a while, then give up with "try again"
     * (75), which cron ignores and an MTA retries. */
    for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited++) {
        int saved = errno;

        if (saved != EWOULDBLOCK || waited >= LOCK_WAIT_TENTHS) {
            close(fd);
            if (saved == EWOULDBLOCK)
                return status_set(error, ST_TEMPFAIL,
                                  "another mailtriage holds '%s'; try "
                                  "again later", path);
            return status_set(error, ST_IOERR, "cannot lock '%s': %s",
                              path, g_strerror(saved));
        }
        g_usleep(G_USEC_PER_SEC / 10);
    }
    ctx->lock_fd = fd;
    return ST_OK;
}

Status
ctx_open(Ctx *ctx, const char *config_path, CtxNeeds needs, GError **error)
{
    Status st;

    ctx->lock_fd = -1;
    if ((st = config_load(config_path, &ctx->cfg, error)) != ST_OK)
        return st;
    if ((needs & NEED_LOCK) && (st = take_lock(ctx, error)) != ST_OK)
        return st;
    if (needs & (NEED_STORE_RO | NEED_STORE_RW))
        return ctx_open_store(ctx,
                              (needs & NEED_STORE_RW) ? STORE_READ_WRITE
                                                      : STORE_READ_ONLY,
                              error);
    return ST_OK;
}

Status
ctx_open_store(Ctx *ctx, StoreMode mode, GError **error)
{
    if (mode == STORE_READ_ONLY &&
        !g_file_test(ctx->cfg->database, G_FILE_TEST_EXISTS))
        return status_set(error, ST_IOERR,
                          "no store at '%s' yet: 'mailtriage ingest' or "
                          "'mailtriage run' creates it (or check [general] "
                          "database in %s)",
                          ctx->cfg->database,
                          ctx->cfg->path != NULL ? ctx->cfg->path
                                                 : "your mailtriage.conf");
    return store_open(ctx->cfg->database, mode, &ctx->store, error);
}

void
ctx_close(Ctx *ctx)
{
    g_clear_pointer(&ctx->store, store_close);
    g_clear_pointer(&ctx->cfg, config_free);
    if (ctx->lock_fd >= 0)
        close(ctx->lock_fd);
    ctx->lock_fd = -1;
}

gint64
ctx_now(const Ctx *ctx)
{
    if (ctx->fixed_now != MESSAGE_NO_TIME)
        return ctx->fixed_now;
    return g_get_real_time() / G_USEC_PER_SEC;
}
