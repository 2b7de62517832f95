/*
 * source.h - where mail comes from: one pull-style driver interface
 * (isync's driver.h, without callbacks) with drivers for a Maildir, an
 * mbox, one message file, stdin and an IMAP server (source-imap.c).
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
 *   imap     "uv=UIDVALIDITY:uid=UID:FOLDER", FOLDER in UTF-8 as the
 *            config names it; a new UIDVALIDITY makes every message
 *            new again, and process.c's Message-ID/sha256 check turns
 *            the second copies into recorded duplicates
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
    SOURCE_AFTER_MOVE,     /* IMAP: to move_folder; Maildir: as SEEN */
} SourceAfter;

/* How an IMAP source protects its connection. */
typedef enum {
    SOURCE_TLS_AUTO = 0, /* imaps: implicit; imap: STARTTLS if offered */
    SOURCE_TLS_STARTTLS, /* STARTTLS, refused when not offered */
    SOURCE_TLS_IMPLICIT, /* TLS from the first byte (imaps, port 993) */
    SOURCE_TLS_NONE,     /* plain text: only when asked for by name */
} SourceTls;

typedef struct {
    const char *name; /* config name, e.g. "support"; used in logs */
    const char *url;  /* "maildir:DIR", "mbox:FILE", "file:PATH", "-" */
    SourceAfter after;
    gsize max_message_bytes; /* a hard ceiling above parse's limit:
                              * fetch() (file, stdin: list_new()) gives
                              * ST_DATAERR for a bigger message rather
                              * than cut it; 0: no limit.  IMAP reads
                              * this much of a bigger message and says
                              * so in SourceInfo instead */

    /* Network sources (IMAP); all may be NULL/0 for the others. */
    const char *user;
    const char *password_file;    /* refused when group/world readable */
    const char *password_command; /* run by /bin/sh; never logged */
    const char *const *folders;   /* NULL: the url's path, else INBOX */
    const char *move_folder;      /* for SOURCE_AFTER_MOVE */
    SourceTls tls;
    const char *ca_file;          /* NULL: the system's trust store */
    bool is_tls_unverified;       /* accept any certificate (logged) */
    guint timeout_secs;           /* every network wait; 0: 60 */
} SourceConfig;

/* What a source knows about a fetched message besides its bytes. */
typedef struct {
    gint64 received_at; /* IMAP INTERNALDATE (Unix seconds), or
                         * SOURCE_NO_TIME */
    gsize full_size;    /* the message's size at the source */
    bool is_truncated;  /* only the first max_message_bytes were read */
} SourceInfo;

#define SOURCE_NO_TIME G_MININT64 /* == MESSAGE_NO_TIME */

typedef struct Source Source;

typedef struct {
    const char *scheme; /* "maildir", "mbox", "file", "stdin" */
    Status (*open)(const SourceConfig *cfg, Source **src_out,
                   GError **error);
    /* Positions (char *) of all messages in the source, in arrival
     * order.  The caller unrefs the array, before closing the source:
     * a driver may lend the strings themselves until close. */
    Status (*list_new)(Source *src, GPtrArray **pos_out, GError **error);
    /* The raw bytes at pos; the caller unrefs them. */
    Status (*fetch)(Source *src, const char *pos, GBytes **raw_out,
                    GError **error);
    /* Only after the store has committed the message at pos. */
    Status (*mark_done)(Source *src, const char *pos, GError **error);
    void (*close)(Source *src);

    /* Optional.  The positions the caller will fetch, in that order
     * (borrowed until close), so that a network driver can ask for
     * many in one round trip. */
    void (*plan)(Source *src, GPtrArray *todo);
    /* Optional.  What the last fetch() of pos learnt besides the
     * bytes; drivers without it report nothing. */
    void (*info)(Source *src, const char *pos, SourceInfo *info_out);
    /* Optional.  Carry out the mark_done() calls a driver queued (one
     * STORE for many messages); called after each batch of them. */
    Status (*flush)(Source *src, GError **error);
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

static inline void
source_plan(Source *src, GPtrArray *todo)
{
    if (src->driver->plan != NULL)
        src->driver->plan(src, todo);
}

static inline void
source_info(Source *src, const char *pos, SourceInfo *info_out)
{
    info_out->received_at = SOURCE_NO_TIME;
    info_out->full_size = 0;
    info_out->is_truncated = false;
    if (src->driver->info != NULL)
        src->driver->info(src, pos, info_out);
}

static inline Status
source_flush(Source *src, GError **error)
{
    return src->driver->flush != NULL ? src->driver->flush(src, error)
                                      : ST_OK;
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
extern const SourceDriver source_imap_driver;  /* imap:, imaps: */

/* RFC 3501 5.1.3 modified UTF-7: the mailbox name on the wire for a
 * UTF-8 name, and back (NULL when wire is not valid modified UTF-7).
 * The caller frees the result. */
char *source_imap_utf7_encode(const char *utf8);
char *source_imap_utf7_decode(const char *wire);

#endif
