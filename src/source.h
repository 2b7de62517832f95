/*
 * source.h - where mail comes from: one pull-style driver interface
 * (isync's driver.h, without callbacks) with drivers for a Maildir, an
 * mbox, one message file and stdin.  IMAP joins it later.
 *
 * The contract of DESIGN 2: list_new() names positions not yet
 * processed as far as the source can tell, fetch() returns raw bytes
 * exactly as stored, and mark_done() is called only after the store has
 * committed the message.  A driver never deletes or moves mail before
 * that.  Positions are strings the store keeps ("cur/1700.M1P1:2,S",
 * "offset=1234"), stable across runs.
 */
#ifndef MT_SOURCE_H
#define MT_SOURCE_H

#include <glib.h>
#include <stdbool.h>

#include "status.h"

typedef enum {
    SOURCE_AFTER_KEEP = 0, /* leave the mail where it is */
    SOURCE_AFTER_SEEN,     /* Maildir: move new/ to cur/ with :2,S */
    SOURCE_AFTER_DELETE,
} SourceAfter;

typedef struct {
    const char *name; /* config name, e.g. "support"; used in logs */
    const char *url;  /* "maildir:DIR", "mbox:FILE", "file:PATH", "-" */
    SourceAfter after;
    gsize max_message_bytes; /* fetch() reads at most this much more
                              * than the limit of parse; 0: no limit */
} SourceConfig;

typedef struct Source Source;

typedef struct {
    const char *scheme; /* "maildir", "mbox", "file", "stdin" */
    Status (*open)(const SourceConfig *cfg, Source **src_out,
                   GError **error);
    /* Positions (char *) of all messages in the source, in arrival
     * order.  The caller unrefs the array. */
    Status (*list_new)(Source *src, GPtrArray **pos_out, GError **error);
    /* The raw bytes at pos; the caller unrefs them. */
    Status (*fetch)(Source *src, const char *pos, GBytes **raw_out,
                    GError **error);
    /* Only after the store has committed the message at pos. */
    Status (*mark_done)(Source *src, const char *pos, GError **error);
    void (*close)(Source *src);
} SourceDriver;

/* Every driver embeds this first. */
struct Source {
    const SourceDriver *driver;
    char *key; /* stable name for the store: "maildir:/abs/dir", ... */
};

/* Open the source that url names: "maildir:DIR", "mbox:FILE",
 * "file:PATH", "-" (stdin), or a plain path, whose kind is guessed (a
 * directory with cur/ or new/ is a Maildir, a file starting with
 * "From " an mbox, else one message).  ST_CONFIG for an unknown scheme,
 * ST_IOERR when the path cannot be read. */
Status source_open(const SourceConfig *cfg, Source **src_out,
                   GError **error);

static inline Status
source_list_new(Source *src, GPtrArray **pos_out, GError **error)
{
    return src->driver->list_new(src, pos_out, error);
}

static inline Status
source_fetch(Source *src, const char *pos, GBytes **raw_out,
             GError **error)
{
    return src->driver->fetch(src, pos, raw_out, error);
}

static inline Status
source_mark_done(Source *src, const char *pos, GError **error)
{
    return src->driver->mark_done(src, pos, error);
}

/* Close and free; accepts NULL. */
void source_close(Source *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Source, source_close)

/* Shared by drivers: fill the embedded header and free it. */
void source_init_base(Source *src, const SourceDriver *driver,
                      const char *key);
void source_clear_base(Source *src);

extern const SourceDriver source_maildir_driver;
extern const SourceDriver source_mbox_driver;
extern const SourceDriver source_file_driver;  /* one file, or stdin */

#endif
