/*
 * context.h - Ctx: what a command runs with.  The config, the store,
 * the clock (--now), dry-run, and the run lock.
 *
 * All clocks read ctx_now(), so `--now TIME` simulates any moment.
 */
#ifndef MT_CONTEXT_H
#define MT_CONTEXT_H

#include <glib.h>
#include <stdbool.h>

#include "conf.h"
#include "status.h"
#include "store.h"

typedef enum {
    NEED_CONFIG = 1 << 0,
    NEED_STORE_RO = 1 << 1,
    NEED_STORE_RW = 1 << 2,
    NEED_LOCK = 1 << 3,
} CtxNeeds;

typedef struct {
    Config *cfg;
    Store *store;     /* NULL unless the command needs it */
    gint64 fixed_now; /* MESSAGE_NO_TIME: the real clock */
    bool is_dry_run;
    int lock_fd;      /* -1 unless NEED_LOCK */
} Ctx;

/* Load the config (config_path may be NULL) and open what needs asks
 * for.  A held run lock is ST_TEMPFAIL. */
Status ctx_open(Ctx *ctx, const char *config_path, CtxNeeds needs,
                GError **error);
void ctx_close(Ctx *ctx);

/* Open the store later, for commands whose verbs differ (ticket list
 * reads, ticket set writes).  A read-only open of a store that does
 * not exist yet says so rather than creating an empty one, so that a
 * misspelt database path is not an empty desk. */
Status ctx_open_store(Ctx *ctx, StoreMode mode, GError **error);

/* The current time in Unix seconds, or the --now time. */
gint64 ctx_now(const Ctx *ctx);

#endif
