/*
 * source.h - where mail comes from: one pull-style driver interface
 * (isync's driver.h, without callbacks) with drivers for a Maildir, an
 * mbox, one message file and stdin.  IMAP joins it later.
 *
 * The contract of DESIGN 2: list_new() names positions not yet
 * processed as far as the source can tell, fetch() returns raw bytes
 * exactly as stored, and mark_done() is called only after the store has
 * committed the message.  A driver never deletes or moves mail before
 * that.  Positions are strings the store keeps, stable across runs:
 *
 *   maildir  the unique part of the file name, before ":2,"
 *            ("1700000001.M1P1.host"), so a mail client moving the file
 *            from new/ to cur/ and adding flags does not change it
 *   mbox     "offset=N", N the byte offset of the "From " line; stable
 *            as long as the mbox is only appended to
 *   file     "sha256:HEX" of the file's bytes
 *   stdin    "stdin:HEX", so a retried delivery maps to the same place
 *
 * Nothing here prints; errors are "source: ..." messages in a GError.
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
    gsize max_message_bytes; /* a hard ceiling above parse's limit:
                              * fetch() (file, stdin: list_new()) gives
                              * ST_DATAERR for a bigger message rather
                              * than cut it; 0: no limit */
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
 * ST_IOERR when the path cannot be read, ST_DATAERR for a directory
 * that is not a Maildir.  The caller closes *src_out. */
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

/* Shared by drivers: the path in url, which is "SCHEME:PATH",
 * "SCHEME:///abs/path" or a plain path.  Lent from url. */
const char *source_url_path(const char *url, const char *scheme);

/* Shared by drivers: whether the n bytes at p start an mbox separator
 * line, "From " and a sender (source-mbox.c says which lines count). */
bool source_mbox_is_from_line(const char *p, gsize n);

/* Shared by drivers: read fd to its end.  what names the file in
 * messages.  ST_DATAERR when there are more than limit bytes (0: no
 * limit), ST_IOERR when reading fails.  The caller unrefs *bytes_out. */
Status source_read_fd(int fd, const char *what, gsize limit,
                      GBytes **bytes_out, GError **error);

extern const SourceDriver source_maildir_driver;
extern const SourceDriver source_mbox_driver;
extern const SourceDriver source_file_driver;  /* one file, or stdin */

#endif
