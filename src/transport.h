/*
 * transport.h - handing a finished message to the next mail system
 * (DESIGN 7): smtp:// and smtps:// through libcurl, sendmail:PATH, and
 * maildir:DIR, the embedded default.
 *
 * A transport knows nothing of tickets or of the outbox table; it gets
 * the envelope and the bytes and says how delivery went, in Status
 * values the send pass acts on:
 *   ST_OK           accepted (SMTP 250, sendmail exit 0, file in new/)
 *   ST_TEMPFAIL     this message, try again later (SMTP 4xx)
 *   ST_DATAERR      this message, never (SMTP 5xx): keep it as failed
 *   ST_UNAVAILABLE  the server is unreachable: stop the pass, retry all
 *   ST_NOPERM       login refused: stop the pass
 *   ST_CONFIG       the transport cannot work as configured
 * Passwords are read from a file, refused when group- or
 * world-readable, never logged, and wiped after use.
 */
#ifndef MT_TRANSPORT_H
#define MT_TRANSPORT_H

#include <glib.h>
#include <stdbool.h>

#include "status.h"

typedef struct {
    const char *url;           /* smtp://, smtps://, sendmail:, maildir: */
    const char *user;          /* NULL: no AUTH */
    const char *password_file; /* NULL: no AUTH */
    const char *ca_file;       /* NULL: the system's CA store */
    const char *starttls;      /* "auto", "yes", "no" (smtp:// only) */
} TransportConfig;

typedef struct Transport Transport;

/* Check cfg and prepare (maildir: create the directories; smtp: read
 * the password).  Nothing is contacted yet.  cfg is copied. */
Status transport_open(const TransportConfig *cfg, Transport **transport_out,
                      GError **error);
void transport_close(Transport *transport);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Transport, transport_close)

/* Deliver raw from sender to recipient (addr-specs).  key is a stable
 * name of this message (the same on every attempt): the maildir
 * transport files it under that name, which makes a repeated delivery
 * a no-op.  Statuses as above. */
Status transport_deliver(Transport *transport, const char *sender,
                         const char *recipient, const char *key,
                         GBytes *raw, GError **error);

/* Backends, in transport-*.c; transport_open() picks one by scheme. */
typedef struct {
    Status (*deliver)(Transport *t, const char *sender,
                      const char *recipient, const char *key, GBytes *raw,
                      GError **error);
    void (*close)(Transport *t);
} TransportOps;

struct Transport {
    const TransportOps *ops;
    char *url;
    char *path;      /* sendmail: the program; maildir: the directory */
    char *user;
    char *password;  /* wiped on close */
    char *ca_file;
    bool use_tls;    /* smtps:// */
    bool starttls;   /* smtp://: require STARTTLS */
};

Status transport_smtp_open(Transport *t, GError **error);
Status transport_sendmail_open(Transport *t, GError **error);
Status transport_maildir_open(Transport *t, GError **error);

#endif
