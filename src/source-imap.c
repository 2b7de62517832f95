/*
 * source-imap.c - the IMAP driver (libetpan): one connection per
 * source, one or several folders, UID-based positions, and after the
 * store's commit \Seen, a move or a delete.  It is the only module that
 * includes libetpan, and the only one that verifies a server's
 * certificate (GnuTLS, since libetpan does not).
 *
 * Exactly-once (DESIGN 2) rests on three things.  Positions are
 * "uv=UIDVALIDITY:uid=UID:FOLDER", which RFC 3501 2.3.1.1 promises never
 * name another message; bytes are fetched with BODY.PEEK[] so nothing
 * is marked \Seen before the commit; and whether a message is new is
 * our store's answer, not the \Seen flag, which a person reading the
 * mailbox may have set.  A mailbox whose UIDVALIDITY changed lists every
 * message again under new positions and process.c records the second
 * copies as duplicates.
 *
 * Speed: listing is one UID FETCH 1:* (UID RFC822.SIZE FLAGS) per
 * folder; fetch() asks for the next planned messages of the folder in
 * one UID FETCH (up to IMAP_BATCH_MESSAGES or IMAP_BATCH_BYTES), and
 * mark_done() queues UIDs that flush() sets in one STORE, MOVE or
 * COPY+EXPUNGE.  A message larger than the limit is fetched alone and
 * partially (BODY.PEEK[]<0.N>); info() says it was cut.
 *
 * Errors: connection refused, TLS failure, a dropped connection and
 * timeouts are ST_UNAVAILABLE (69); a refused login ST_NOPERM (77);
 * a bad url, password file or folder ST_CONFIG (78).  Once the
 * connection broke, every later call fails fast with ST_UNAVAILABLE.
 * Nothing here ever writes the password anywhere but to the server.
 */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define IMAP_DEFAULT_TIMEOUT 60
#define IMAP_BATCH_MESSAGES 256
#define IMAP_BATCH_BYTES ((gsize)16 << 20)
#define IMAP_STORE_CHUNK 1000 /* UIDs per STORE/MOVE command */
#define IMAP_MAX_CHAIN 16

typedef struct {
    char *folder; /* UTF-8, as configured */
    guint32 uidvalidity;
    guint32 uid;
    guint32 size; /* RFC822.SIZE */
    bool is_seen; /* \Seen when listed: after = seen has nothing to do */
} ImapMsg;

typedef struct {
    GBytes *raw;
    SourceInfo info;
} Fetched;

typedef struct {
    Source base;
    mailimap *imap;
    char *host;
    char *user;
    char **folders;     /* UTF-8 */
    char *move_folder;  /* UTF-8; NULL unless after = move */
    SourceAfter after;
    gsize limit;        /* max_message_bytes; 0: none */
    bool is_broken;     /* the connection failed: fail fast */
    char *selected;     /* UTF-8 name of the selected folder, or NULL */
    guint32 selected_uidvalidity;
    GHashTable *msgs;   /* pos -> ImapMsg, from the last listing */
    GHashTable *cache;  /* pos -> Fetched, fetched ahead */
    GPtrArray *plan;    /* borrowed: positions in fetch order */
    GHashTable *plan_at; /* pos -> index + 1 in plan */
    char *last_pos;     /* the last fetch(), for info() */
    SourceInfo last_info;
    GHashTable *done;   /* "UIDVALIDITY:folder" -> GArray of guint32
                         * UIDs to mark */
} ImapSource;

static void
fetched_free(Fetched *f)
{
    if (f == NULL)
        return;
    if (f->raw != NULL)
        g_bytes_unref(f->raw);
    g_free(f);
}

static void
imap_msg_free(ImapMsg *m)
{
    if (m == NULL)
        return;
    g_free(m->folder);
    g_free(m);
}

/* --- modified UTF-7 (RFC 3501 5.1.3) ------------------------------- */

char *
source_imap_utf7_encode(const char *utf8)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p = utf8;

    while (*p != '\0') {
        const char *start = p;
        g_autofree gunichar2 *u16 = NULL;
        g_autoptr(GByteArray) be = NULL;
        g_autofree char *b64 = NULL;
        glong n = 0;

        if ((guchar)*p >= 0x20 && (guchar)*p <= 0x7e) {
            if (*p == '&')
                g_string_append(out, "&-");
            else
                g_string_append_c(out, *p);
            p++;
            continue;
        }
        /* A run of characters outside printable ASCII: UTF-16BE,
         * base64 with ',' for '/', no padding, between '&' and '-'. */
        while (*p != '\0' && !((guchar)*p >= 0x20 && (guchar)*p <= 0x7e))
            p += g_utf8_skip[*(const guchar *)p]; /* const-clean
                                                   * g_utf8_next_char */
        u16 = g_utf8_to_utf16(start, p - start, NULL, &n, NULL);
        if (u16 == NULL)
            return NULL;
        be = g_byte_array_sized_new((guint)n * 2);
        for (glong i = 0; i < n; i++) {
            guint8 pair[2] = { (guint8)(u16[i] >> 8), (guint8)u16[i] };

            g_byte_array_append(be, pair, 2);
        }
        b64 = g_base64_encode(be->data, be->len);
        g_string_append_c(out, '&');
        for (char *c = b64; *c != '\0' && *c != '='; c++)
            g_string_append_c(out, *c == '/' ? ',' : *c);
        g_string_append_c(out, '-');
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
source_imap_utf7_decode(const char *wire)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p = wire;

    while (*p != '\0') {
        const char *end;
        g_autoptr(GString) b64 = NULL;
        g_autofree guchar *bytes = NULL;
        g_autofree gunichar2 *u16 = NULL;
        g_autofree char *text = NULL;
        gsize len = 0;

        if (*p != '&') {
            if ((guchar)*p < 0x20 || (guchar)*p > 0x7e)
                return NULL;
            g_string_append_c(out, *p++);
            continue;
        }
        end = strchr(p, '-');
        if (end == NULL)
            return NULL;
        if (end == p + 1) {
            g_string_append_c(out, '&');
            p = end + 1;
            continue;
        }
        b64 = g_string_new_len(p + 1, end - p - 1);
        for (gsize i = 0; i < b64->len; i++) {
            if (b64->str[i] == ',')
                b64->str[i] = '/';
            else if (!g_ascii_isalnum(b64->str[i]) && b64->str[i] != '+')
                return NULL;
        }
        while (b64->len % 4 != 0)
            g_string_append_c(b64, '=');
        bytes = g_base64_decode(b64->str, &len);
        if (len == 0 || len % 2 != 0)
            return NULL;
        u16 = g_new(gunichar2, len / 2);
        for (gsize i = 0; i < len / 2; i++)
            u16[i] = (gunichar2)((bytes[2 * i] << 8) | bytes[2 * i + 1]);
        text = g_utf16_to_utf8(u16, (glong)(len / 2), NULL, NULL, NULL);
        if (text == NULL)
            return NULL;
        g_string_append(out, text);
        p = end + 1;
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* --- errors ---------------------------------------------------------- */

/* The server's last response text, for messages; never holds what we
 * sent, so never the password. */
static const char *
server_said(const ImapSource *is)
{
    const char *text = is->imap != NULL ? is->imap->imap_response : NULL;

    return text != NULL && text[0] != '\0' ? text : "no reason given";
}

static bool
is_connection_error(int r)
{
    return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
           r == MAILIMAP_ERROR_CONNECTION_REFUSED ||
           r == MAILIMAP_ERROR_FATAL || r == MAILIMAP_ERROR_SSL ||
           r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION ||
           r == MAILIMAP_ERROR_BAD_STATE || r == MAILIMAP_ERROR_PROTOCOL ||
           r == MAILIMAP_ERROR_MEMORY;
}

/* Turn libetpan's result r of doing `what` into our error.  Broken
 * connections are ST_UNAVAILABLE and stop the session; a NO or BAD
 * answer is st_no with the server's text. */
static Status
imap_fail(ImapSource *is, int r, Status st_no, const char *what,
          GError **error)
{
    if (is_connection_error(r)) {
        is->is_broken = true;
        return status_set(error, ST_UNAVAILABLE,
                          "imap: %s on '%s' failed: connection lost or "
                          "timed out (libetpan error %d)",
                          what, is->host, r);
    }
    return status_set(error, st_no, "imap: %s on '%s' refused: %s", what,
                      is->host, server_said(is));
}

static Status
check_usable(ImapSource *is, GError **error)
{
    if (is->is_broken || is->imap == NULL)
        return status_set(error, ST_UNAVAILABLE,
                          "imap: the connection to '%s' was lost earlier "
                          "in this run",
                          is->host);
    return ST_OK;
}

/* --- the password ---------------------------------------------------- */

static void
wipe_free(char *secret)
{
    if (secret == NULL)
        return;
    explicit_bzero(secret, strlen(secret));
    g_free(secret);
}

/* The first line of text, without its line end, in place. */
static void
first_line(char *text)
{
    text[strcspn(text, "\r\n")] = '\0';
}

static Status
read_password_file(const char *path, char **password_out, GError **error)
{
    struct stat st;
    g_autoptr(GError) local = NULL;
    char *text = NULL;
    gsize len = 0;

    if (stat(path, &st) != 0)
        return status_set(error, ST_CONFIG,
                          "imap: cannot read password_file '%s': %s", path,
                          g_strerror(errno));
    /* msmtp's rule: a secret others can read is no secret. */
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return status_set(error, ST_CONFIG,
                          "imap: password_file '%s' is readable by group "
                          "or others; chmod 600 it",
                          path);
    if (!g_file_get_contents(path, &text, &len, &local))
        return status_set(error, ST_CONFIG,
                          "imap: cannot read password_file '%s': %s", path,
                          local->message);
    first_line(text);
    *password_out = text;
    return ST_OK;
}

/* The command runs under /bin/sh; it is never logged, since it may
 * carry a secret of its own (a vault token). */
static Status
run_password_command(const char *command, char **password_out,
                     GError **error)
{
    g_autofree char *cmd = g_strdup(command);
    char sh[] = "/bin/sh";
    char dash_c[] = "-c";
    char *argv[] = { sh, dash_c, cmd, NULL };
    g_autoptr(GError) local = NULL;
    char *out = NULL;
    int wait_status = 0;

    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &wait_status, &local))
        return status_set(error, ST_CONFIG,
                          "imap: cannot run password_command: %s",
                          local->message);
    if (!g_spawn_check_wait_status(wait_status, NULL)) {
        wipe_free(out);
        return status_set(error, ST_CONFIG,
                          "imap: password_command failed (wait status %d)",
                          wait_status);
    }
    first_line(out);
    if (out[0] == '\0') {
        wipe_free(out);
        return status_set(error, ST_CONFIG,
                          "imap: password_command printed no password");
    }
    *password_out = out;
    return ST_OK;
}

/* --- TLS ------------------------------------------------------------- */

/* For warnings, which no caller prefixes. */
static const char *
source_name(const SourceConfig *cfg)
{
    return cfg->name != NULL ? cfg->name : "?";
}

static void
set_sni(struct mailstream_ssl_context *ctx, void *data)
{
    mailstream_ssl_set_server_name(ctx, data);
}

/* Verify the server's certificate chain against ca_file or the
 * system's trust store, and its name against host (RFC 6125). */
static Status
verify_peer(ImapSource *is, const SourceConfig *cfg, GError **error)
{
    carray *chain = mailstream_get_certificate_chain(is->imap->imap_stream);
    gnutls_x509_trust_list_t trust = NULL;
    gnutls_x509_crt_t crts[IMAP_MAX_CHAIN];
    guint ncrts = 0;
    unsigned int verdict = 0;
    gnutls_typed_vdata_st vdata[2];
    Status st = ST_OK;
    int r;

    if (cfg->is_tls_unverified) {
        g_warning("imap: [source %s] tls_verify = no: the certificate of "
                  "'%s' is NOT checked; anyone on the path can read the "
                  "password and the mail",
                  source_name(cfg), is->host);
        if (chain != NULL)
            mailstream_certificate_chain_free(chain);
        return ST_OK;
    }
    if (chain == NULL || carray_count(chain) == 0) {
        if (chain != NULL)
            mailstream_certificate_chain_free(chain);
        is->is_broken = true;
        return status_set(error, ST_UNAVAILABLE,
                          "imap: '%s' sent no certificate", is->host);
    }
    for (guint i = 0; i < carray_count(chain) && i < IMAP_MAX_CHAIN; i++) {
        MMAPString *der = carray_get(chain, i);
        gnutls_datum_t datum = { (unsigned char *)der->str,
                                 (unsigned int)der->len };

        if (gnutls_x509_crt_init(&crts[ncrts]) < 0)
            break;
        if (gnutls_x509_crt_import(crts[ncrts], &datum,
                                   GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crts[ncrts]);
            break;
        }
        ncrts++;
    }
    mailstream_certificate_chain_free(chain);
    gnutls_x509_trust_list_init(&trust, 0);
    if (cfg->ca_file != NULL) {
        r = gnutls_x509_trust_list_add_trust_file(
            trust, cfg->ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (r <= 0) {
            st = status_set(error, ST_CONFIG,
                            "imap: no certificate read from ca_file '%s'%s%s",
                            cfg->ca_file, r < 0 ? ": " : "",
                            r < 0 ? gnutls_strerror(r) : "");
            goto out;
        }
    } else if (gnutls_x509_trust_list_add_system_trust(trust, 0, 0) <= 0) {
        st = status_set(error, ST_CONFIG,
                        "imap: no system trust store; set ca_file");
        goto out;
    }
    vdata[0].type = GNUTLS_DT_DNS_HOSTNAME;
    vdata[0].data = (unsigned char *)is->host;
    vdata[0].size = 0;
    vdata[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
    vdata[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
    vdata[1].size = 0;
    r = ncrts == 0 ? GNUTLS_E_NO_CERTIFICATE_FOUND
                   : gnutls_x509_trust_list_verify_crt2(
                         trust, crts, ncrts, vdata, 2, 0, &verdict, NULL);
    if (r < 0 || verdict != 0) {
        gnutls_datum_t why = { NULL, 0 };

        g_autofree char *text = NULL;

        if (r >= 0 && gnutls_certificate_verification_status_print(
                          verdict, GNUTLS_CRT_X509, &why, 0) == 0)
            text = g_strstrip(g_strdup((const char *)why.data));
        is->is_broken = true;
        st = status_set(error, ST_UNAVAILABLE,
                        "imap: certificate of '%s' not trusted: %s (set "
                        "ca_file to the CA that signed it)",
                        is->host,
                        text != NULL ? text
                        : r < 0      ? gnutls_strerror(r)
                                     : "verification failed");
        gnutls_free(why.data);
    }
out:
    gnutls_x509_trust_list_deinit(trust, 1);
    for (guint i = 0; i < ncrts; i++)
        gnutls_x509_crt_deinit(crts[i]);
    return st;
}

/* --- end of stream -------------------------------------------------- */

/*
 * libetpan 1.9's literal parser loops for ever when the server closes
 * the connection in the middle of a FETCH literal: it takes only -1
 * from a read as an error, and a socket at its end reads 0 at once,
 * so it spins.  This wrapper stream, put between libetpan and its own
 * socket or TLS stream, turns that 0 into -1, which libetpan reports
 * as MAILIMAP_ERROR_STREAM.  (tag-imap-eof: wrap again after STARTTLS,
 * which replaces the stream.)
 */
static ssize_t
eof_read(mailstream_low *s, void *buf, size_t count)
{
    mailstream_low *inner = s->data;
    ssize_t n;

    if (s->timeout != 0)
        inner->timeout = s->timeout;
    n = inner->driver->mailstream_read(inner, buf, count);
    return n == 0 ? -1 : n;
}

static ssize_t
eof_write(mailstream_low *s, const void *buf, size_t count)
{
    mailstream_low *inner = s->data;

    return inner->driver->mailstream_write(inner, buf, count);
}

static int
eof_close(mailstream_low *s)
{
    return mailstream_low_close(s->data);
}

static int
eof_get_fd(mailstream_low *s)
{
    return mailstream_low_get_fd(s->data);
}

static void
eof_free(mailstream_low *s)
{
    mailstream_low_free(s->data);
    s->data = NULL;
    free(s); /* malloc()ed by mailstream_low_new() */
}

static void
eof_cancel(mailstream_low *s)
{
    mailstream_low_cancel(s->data);
}

static struct mailstream_cancel *
eof_get_cancel(mailstream_low *s)
{
    return mailstream_low_get_cancel(s->data);
}

static carray *
eof_get_certificate_chain(mailstream_low *s)
{
    return mailstream_low_get_certificate_chain(s->data);
}

static mailstream_low_driver eof_driver = {
    .mailstream_read = eof_read,
    .mailstream_write = eof_write,
    .mailstream_close = eof_close,
    .mailstream_get_fd = eof_get_fd,
    .mailstream_free = eof_free,
    .mailstream_cancel = eof_cancel,
    .mailstream_get_cancel = eof_get_cancel,
    .mailstream_get_certificate_chain = eof_get_certificate_chain,
};

static void
guard_eof(ImapSource *is)
{
    mailstream *stream = is->imap->imap_stream;
    mailstream_low *inner = mailstream_get_low(stream);
    mailstream_low *outer;

    if (inner == NULL || inner->driver == &eof_driver)
        return;
    outer = mailstream_low_new(inner, &eof_driver);
    if (outer == NULL)
        return;
    mailstream_low_set_timeout(outer, mailstream_low_get_timeout(inner));
    mailstream_set_low(stream, outer);
}

/* --- connecting ------------------------------------------------------ */

static Status
refresh_capabilities(ImapSource *is, GError **error)
{
    struct mailimap_capability_data *caps = NULL;
    int r = mailimap_capability(is->imap, &caps);

    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_UNAVAILABLE, "CAPABILITY", error);
    mailimap_capability_data_free(caps);
    return ST_OK;
}

static Status
connect_and_login(ImapSource *is, const SourceConfig *cfg, bool implicit,
                  guint16 port, const char *password, GError **error)
{
    bool want_starttls = false;
    int r;
    Status st;

    if (implicit)
        r = mailimap_ssl_connect_with_callback(is->imap, is->host, port,
                                               set_sni, is->host);
    else
        r = mailimap_socket_connect(is->imap, is->host, port);
    if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
        r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
        is->is_broken = true;
        return status_set(error, ST_UNAVAILABLE,
                          "imap: cannot connect to '%s' port %u%s "
                          "(libetpan error %d)",
                          is->host, port,
                          implicit ? " with TLS" : "", r);
    }
    guard_eof(is); /* tag-imap-eof */
    if ((st = refresh_capabilities(is, error)) != ST_OK)
        return st;
    if (!implicit && cfg->tls != SOURCE_TLS_NONE) {
        bool offered = mailimap_has_extension(is->imap, "STARTTLS") != 0;

        if (cfg->tls == SOURCE_TLS_STARTTLS && !offered) {
            is->is_broken = true;
            return status_set(error, ST_UNAVAILABLE,
                              "imap: '%s' does not offer STARTTLS, which "
                              "tls = starttls requires",
                              is->host);
        }
        if (!offered)
            g_warning("imap: [source %s] '%s' offers no STARTTLS: the "
                      "password goes in plain text (set tls = none to "
                      "say that is intended, or use imaps://)",
                      source_name(cfg), is->host);
        want_starttls = offered;
    }
    if (want_starttls) {
        r = mailimap_socket_starttls_with_callback(is->imap, set_sni,
                                                   is->host);
        if (r != MAILIMAP_NO_ERROR) {
            is->is_broken = true;
            return status_set(error, ST_UNAVAILABLE,
                              "imap: STARTTLS with '%s' failed (libetpan "
                              "error %d)",
                              is->host, r);
        }
        guard_eof(is); /* tag-imap-eof */
        /* RFC 3501 6.2.1: capabilities before TLS are not to be
         * trusted. */
        if ((st = refresh_capabilities(is, error)) != ST_OK)
            return st;
    }
    if (implicit || want_starttls) {
        if ((st = verify_peer(is, cfg, error)) != ST_OK)
            return st;
    }
    if (mailimap_has_extension(is->imap, "LOGINDISABLED"))
        return status_set(error, ST_NOPERM,
                          "imap: '%s' refuses LOGIN on this connection "
                          "(LOGINDISABLED); use imaps:// or tls = starttls",
                          is->host);
    r = mailimap_login(is->imap, is->user, password);
    if (r == MAILIMAP_ERROR_LOGIN)
        return status_set(error, ST_NOPERM,
                          "imap: login as '%s' on '%s' refused: %s",
                          is->user, is->host, server_said(is));
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_NOPERM, "LOGIN", error);
    /* Servers may send new capabilities after login (MOVE, UIDPLUS). */
    return refresh_capabilities(is, error);
}

/* What after = move or delete does on a server without MOVE (RFC
 * 6851) or UIDPLUS (RFC 4315), said with -v: older servers lack them,
 * and without UIDPLUS a delete expunges a person's \Deleted mail too. */
static void
note_fallbacks(ImapSource *is, const SourceConfig *cfg)
{
    bool has_move = mailimap_has_extension(is->imap, "MOVE") != 0;
    bool has_uidplus = mailimap_has_extension(is->imap, "UIDPLUS") != 0;

    if (cfg->after == SOURCE_AFTER_MOVE && !has_move)
        g_info("imap: [source %s] '%s' has no MOVE: each message is "
               "copied to '%s', then deleted",
               source_name(cfg), is->host, is->move_folder);
    if ((cfg->after == SOURCE_AFTER_DELETE ||
         (cfg->after == SOURCE_AFTER_MOVE && !has_move)) &&
        !has_uidplus)
        g_info("imap: [source %s] '%s' has no UIDPLUS: deleting expunges "
               "every message marked \\Deleted in the folder",
               source_name(cfg), is->host);
}

/* The url's parts: imap[s]://[user@]host[:port][/FOLDER]. */
static Status
parse_url(const SourceConfig *cfg, bool *implicit_out, char **host_out,
          guint16 *port_out, char **user_out, char **folder_out,
          GError **error)
{
    g_autoptr(GUri) uri = NULL;
    g_autoptr(GError) local = NULL;
    const char *scheme;
    const char *path;
    int port;

    uri = g_uri_parse(cfg->url, G_URI_FLAGS_HAS_PASSWORD, &local);
    if (uri == NULL)
        return status_set(error, ST_CONFIG,
                          "imap: url is not an imap:// url");
    if (g_uri_get_password(uri) != NULL)
        return status_set(error, ST_CONFIG,
                          "imap: url carries a password; put it in "
                          "password_file or password_command");
    scheme = g_uri_get_scheme(uri);
    *implicit_out = g_ascii_strcasecmp(scheme, "imaps") == 0;
    if (cfg->tls == SOURCE_TLS_IMPLICIT)
        *implicit_out = true;
    if (*implicit_out && (cfg->tls == SOURCE_TLS_STARTTLS ||
                          cfg->tls == SOURCE_TLS_NONE))
        return status_set(error, ST_CONFIG,
                          "imap: imaps:// is TLS from the start; tls = "
                          "starttls or none contradicts it");
    if (g_uri_get_host(uri) == NULL || g_uri_get_host(uri)[0] == '\0')
        return status_set(error, ST_CONFIG,
                          "imap: url names no host");
    port = g_uri_get_port(uri);
    if (port <= 0)
        port = *implicit_out ? 993 : 143;
    *port_out = (guint16)port;
    *host_out = g_strdup(g_uri_get_host(uri));
    *user_out = g_strdup(cfg->user != NULL ? cfg->user
                                           : g_uri_get_user(uri));
    path = g_uri_get_path(uri);
    while (*path == '/')
        path++;
    *folder_out = g_strdup(path[0] != '\0' ? path : "INBOX");
    return ST_OK;
}

static void imap_close(Source *src);

static Status
imap_open(const SourceConfig *cfg, Source **src_out, GError **error)
{
    ImapSource *is = g_new0(ImapSource, 1);
    g_autoptr(Source) guard = &is->base;
    g_autofree char *folder = NULL;
    g_autofree char *key = NULL;
    char *password = NULL;
    bool implicit = false;
    guint16 port = 0;
    Status st;

    source_init_base(&is->base, &source_imap_driver, "imap:");
    is->after = cfg->after;
    is->limit = cfg->max_message_bytes;
    is->msgs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)imap_msg_free);
    is->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)fetched_free);
    is->done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_array_unref);
    if ((st = parse_url(cfg, &implicit, &is->host, &port, &is->user,
                        &folder, error)) != ST_OK)
        return st;
    if (cfg->folders != NULL && cfg->folders[0] != NULL) {
        GStrvBuilder *b = g_strv_builder_new();

        for (const char *const *f = cfg->folders; *f != NULL; f++)
            g_strv_builder_add(b, *f);
        is->folders = g_strv_builder_end(b);
        g_strv_builder_unref(b);
    } else {
        is->folders = g_new0(char *, 2);
        is->folders[0] = g_steal_pointer(&folder);
    }
    if (cfg->after == SOURCE_AFTER_MOVE) {
        if (cfg->move_folder == NULL || cfg->move_folder[0] == '\0')
            return status_set(error, ST_CONFIG,
                              "imap: after = move needs a "
                              "folder (move:FOLDER)");
        is->move_folder = g_strdup(cfg->move_folder);
    }
    if (is->user == NULL || is->user[0] == '\0')
        return status_set(error, ST_CONFIG,
                          "imap: no user (set user = NAME)");
    /* The store's key: the mailbox, whichever way we reach it. */
    key = g_strdup_printf("imap:%s@%s", is->user, is->host);
    g_free(is->base.key);
    is->base.key = g_steal_pointer(&key);

    if (cfg->password_file != NULL)
        st = read_password_file(cfg->password_file, &password, error);
    else if (cfg->password_command != NULL)
        st = run_password_command(cfg->password_command, &password, error);
    else
        st = status_set(error, ST_CONFIG,
                        "imap: no password_file or "
                        "password_command");
    if (st != ST_OK)
        return st;

    /* A server that hangs up must be an error, not a kill: libetpan
     * writes with write(), not send(MSG_NOSIGNAL). */
    signal(SIGPIPE, SIG_IGN);
    is->imap = mailimap_new(0, NULL);
    mailimap_set_timeout(is->imap, cfg->timeout_secs > 0
                                       ? cfg->timeout_secs
                                       : IMAP_DEFAULT_TIMEOUT);
    st = connect_and_login(is, cfg, implicit, port, password, error);
    wipe_free(password);
    if (st != ST_OK)
        return st;
    note_fallbacks(is, cfg);
    *src_out = g_steal_pointer(&guard);
    return ST_OK;
}

/* --- selecting and listing ------------------------------------------- */

static Status
select_folder(ImapSource *is, const char *folder, GError **error)
{
    g_autofree char *wire = NULL;
    int r;
    Status st;

    if ((st = check_usable(is, error)) != ST_OK)
        return st;
    if (is->selected != NULL && strcmp(is->selected, folder) == 0)
        return ST_OK;
    wire = source_imap_utf7_encode(folder);
    if (wire == NULL)
        return status_set(error, ST_CONFIG,
                          "imap: folder '%s' is not valid UTF-8", folder);
    g_clear_pointer(&is->selected, g_free);
    r = mailimap_select(is->imap, wire);
    if (r != MAILIMAP_NO_ERROR && is_connection_error(r))
        return imap_fail(is, r, ST_UNAVAILABLE, "SELECT", error);
    if (r != MAILIMAP_NO_ERROR)
        return status_set(error, ST_CONFIG,
                          "imap: cannot select folder '%s' on '%s': %s",
                          folder, is->host, server_said(is));
    is->selected = g_strdup(folder);
    is->selected_uidvalidity =
        is->imap->imap_selection_info != NULL
            ? is->imap->imap_selection_info->sel_uidvalidity
            : 0;
    return ST_OK;
}

static struct mailimap_msg_att_static *
att_static(struct mailimap_msg_att_item *item, int type)
{
    if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
        item->att_data.att_static == NULL ||
        item->att_data.att_static->att_type != type)
        return NULL;
    return item->att_data.att_static;
}

static bool
has_flag(struct mailimap_msg_att_item *item, int flag)
{
    clist *flags;

    if (item->att_type != MAILIMAP_MSG_ATT_ITEM_DYNAMIC ||
        item->att_data.att_dyn == NULL)
        return false;
    flags = item->att_data.att_dyn->att_list;
    if (flags == NULL)
        return false;
    for (clistiter *c = clist_begin(flags); c != NULL; c = clist_next(c)) {
        struct mailimap_flag_fetch *ff = clist_content(c);

        if (ff->fl_type == MAILIMAP_FLAG_FETCH_OTHER && ff->fl_flag != NULL &&
            ff->fl_flag->fl_type == flag)
            return true;
    }
    return false;
}

static char *
make_pos(guint32 uidvalidity, guint32 uid, const char *folder)
{
    return g_strdup_printf("uv=%u:uid=%u:%s", uidvalidity, uid, folder);
}

static Status
list_folder(ImapSource *is, const char *folder, GPtrArray *pos,
            GError **error)
{
    struct mailimap_set *set = NULL;
    struct mailimap_fetch_type *ft = NULL;
    clist *result = NULL;
    int r;
    Status st;

    if ((st = select_folder(is, folder, error)) != ST_OK)
        return st;
    if (is->imap->imap_selection_info != NULL &&
        is->imap->imap_selection_info->sel_has_exists &&
        is->imap->imap_selection_info->sel_exists == 0)
        return ST_OK;
    set = mailimap_set_new_interval(1, 0); /* 1:* */
    ft = mailimap_fetch_type_new_fetch_att_list_empty();
    mailimap_fetch_type_new_fetch_att_list_add(ft,
                                               mailimap_fetch_att_new_uid());
    mailimap_fetch_type_new_fetch_att_list_add(
        ft, mailimap_fetch_att_new_rfc822_size());
    mailimap_fetch_type_new_fetch_att_list_add(ft,
                                               mailimap_fetch_att_new_flags());
    r = mailimap_uid_fetch(is->imap, set, ft, &result);
    mailimap_fetch_type_free(ft);
    mailimap_set_free(set);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_UNAVAILABLE, "listing", error);
    for (clistiter *c = clist_begin(result); c != NULL; c = clist_next(c)) {
        struct mailimap_msg_att *att = clist_content(c);
        ImapMsg *m = g_new0(ImapMsg, 1);
        bool is_deleted = false;

        for (clistiter *i = clist_begin(att->att_list); i != NULL;
             i = clist_next(i)) {
            struct mailimap_msg_att_item *item = clist_content(i);
            struct mailimap_msg_att_static *s;

            if ((s = att_static(item, MAILIMAP_MSG_ATT_UID)) != NULL)
                m->uid = s->att_data.att_uid;
            else if ((s = att_static(item, MAILIMAP_MSG_ATT_RFC822_SIZE)) !=
                     NULL)
                m->size = s->att_data.att_rfc822_size;
            else if (has_flag(item, MAILIMAP_FLAG_DELETED))
                is_deleted = true;
            else if (has_flag(item, MAILIMAP_FLAG_SEEN))
                m->is_seen = true;
        }
        /* \Deleted and not yet expunged: a move of ours interrupted
         * after its COPY, or a person's delete.  Either way not mail
         * to take. */
        if (m->uid == 0 || is_deleted) {
            imap_msg_free(m);
            continue;
        }
        m->folder = g_strdup(folder);
        m->uidvalidity = is->selected_uidvalidity;
        {
            char *p = make_pos(m->uidvalidity, m->uid, folder);

            g_ptr_array_add(pos, p);
            g_hash_table_replace(is->msgs, g_strdup(p), m);
        }
    }
    mailimap_fetch_list_free(result);
    return ST_OK;
}

static Status
imap_list_new(Source *src, GPtrArray **pos_out, GError **error)
{
    ImapSource *is = (ImapSource *)src;
    g_autoptr(GPtrArray) pos = g_ptr_array_new_with_free_func(g_free);
    Status st;

    g_hash_table_remove_all(is->msgs);
    for (char **f = is->folders; *f != NULL; f++)
        if ((st = list_folder(is, *f, pos, error)) != ST_OK)
            return st;
    *pos_out = g_steal_pointer(&pos);
    return ST_OK;
}

static void
imap_plan(Source *src, GPtrArray *todo)
{
    ImapSource *is = (ImapSource *)src;

    is->plan = todo;
    g_clear_pointer(&is->plan_at, g_hash_table_unref);
    is->plan_at = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < todo->len; i++)
        g_hash_table_insert(is->plan_at, todo->pdata[i],
                            GUINT_TO_POINTER(i + 1));
}

/* --- fetching -------------------------------------------------------- */

/* RFC 3501 INTERNALDATE to Unix seconds. */
static gint64
internaldate_secs(const struct mailimap_date_time *dt)
{
    int zone = dt->dt_zone;
    int sign = zone < 0 ? -1 : 1;
    int offset = sign * ((sign * zone) / 100 * 3600 + (sign * zone) % 100 * 60);
    g_autoptr(GTimeZone) tz = g_time_zone_new_offset(offset);
    g_autoptr(GDateTime) when = g_date_time_new(
        tz, dt->dt_year, dt->dt_month, dt->dt_day, dt->dt_hour, dt->dt_min,
        dt->dt_sec);

    return when != NULL ? g_date_time_to_unix(when) : SOURCE_NO_TIME;
}

/* UID FETCH set (UID INTERNALDATE BODY.PEEK[]<0.partial>) into the
 * cache; partial 0 for whole messages. */
static Status
fetch_set(ImapSource *is, const char *folder, GArray *uids, guint32 partial,
          GError **error)
{
    struct mailimap_set *set = mailimap_set_new_empty();
    struct mailimap_fetch_type *ft =
        mailimap_fetch_type_new_fetch_att_list_empty();
    struct mailimap_section *section = mailimap_section_new(NULL);
    clist *result = NULL;
    int r;

    for (guint i = 0; i < uids->len; i++)
        mailimap_set_add_single(set, g_array_index(uids, guint32, i));
    mailimap_fetch_type_new_fetch_att_list_add(ft,
                                               mailimap_fetch_att_new_uid());
    mailimap_fetch_type_new_fetch_att_list_add(
        ft, mailimap_fetch_att_new_internaldate());
    mailimap_fetch_type_new_fetch_att_list_add(
        ft, partial > 0
                ? mailimap_fetch_att_new_body_peek_section_partial(section, 0,
                                                                   partial)
                : mailimap_fetch_att_new_body_peek_section(section));
    r = mailimap_uid_fetch(is->imap, set, ft, &result);
    mailimap_fetch_type_free(ft);
    mailimap_set_free(set);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_UNAVAILABLE, "UID FETCH", error);
    for (clistiter *c = clist_begin(result); c != NULL; c = clist_next(c)) {
        struct mailimap_msg_att *att = clist_content(c);
        guint32 uid = 0;
        const char *body = NULL;
        gsize len = 0;
        gint64 received = SOURCE_NO_TIME;

        for (clistiter *i = clist_begin(att->att_list); i != NULL;
             i = clist_next(i)) {
            struct mailimap_msg_att_item *item = clist_content(i);
            struct mailimap_msg_att_static *s;

            if ((s = att_static(item, MAILIMAP_MSG_ATT_UID)) != NULL)
                uid = s->att_data.att_uid;
            else if ((s = att_static(item, MAILIMAP_MSG_ATT_INTERNALDATE)) !=
                         NULL &&
                     s->att_data.att_internal_date != NULL)
                received = internaldate_secs(s->att_data.att_internal_date);
            else if ((s = att_static(item, MAILIMAP_MSG_ATT_BODY_SECTION)) !=
                         NULL &&
                     s->att_data.att_body_section != NULL) {
                body = s->att_data.att_body_section->sec_body_part;
                len = s->att_data.att_body_section->sec_length;
            }
        }
        if (uid == 0)
            continue; /* an unsolicited FETCH (flags) of another message */
        /* An empty or missing body for a message listed with a size
         * (Exchange does this to a message still being delivered) is
         * no message: leave it uncached, so fetch() reports it and it
         * stays on the server for the next run. */
        if (body == NULL || len == 0)
            continue;
        {
            char *pos = make_pos(is->selected_uidvalidity, uid, folder);
            const ImapMsg *m = g_hash_table_lookup(is->msgs, pos);
            Fetched *f = g_new0(Fetched, 1);

            f->raw = g_bytes_new(body != NULL ? body : "", len);
            f->info.received_at = received;
            f->info.full_size = m != NULL ? m->size : len;
            f->info.is_truncated = partial > 0 && f->info.full_size > len;
            g_hash_table_replace(is->cache, pos, f);
        }
    }
    mailimap_fetch_list_free(result);
    return ST_OK;
}

static bool
is_oversized(const ImapSource *is, const ImapMsg *m)
{
    return is->limit > 0 && m->size > is->limit;
}

/* Fetch m and, when it is planned, the planned messages after it in the
 * same folder, in one round trip. */
static Status
fetch_ahead(ImapSource *is, const char *pos, const ImapMsg *m,
            GError **error)
{
    g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(guint32));
    guint at = is->plan_at != NULL
                   ? GPOINTER_TO_UINT(g_hash_table_lookup(is->plan_at, pos))
                   : 0;
    gsize bytes = m->size;
    Status st;

    if ((st = select_folder(is, m->folder, error)) != ST_OK)
        return st;
    if (is->selected_uidvalidity != m->uidvalidity)
        return status_set(error, ST_TEMPFAIL,
                          "imap: UIDVALIDITY of '%s' changed during the "
                          "run; the next run takes its mail again",
                          m->folder);
    if (is_oversized(is, m)) {
        g_array_append_val(uids, m->uid);
        return fetch_set(is, m->folder, uids, (guint32)MIN(is->limit,
                                                           G_MAXUINT32),
                         error);
    }
    g_array_append_val(uids, m->uid);
    for (guint i = at; at > 0 && i < is->plan->len &&
                       uids->len < IMAP_BATCH_MESSAGES;
         i++) {
        const char *next = is->plan->pdata[i];
        const ImapMsg *n = g_hash_table_lookup(is->msgs, next);

        if (n == NULL || strcmp(n->folder, m->folder) != 0 ||
            is_oversized(is, n) || bytes + n->size > IMAP_BATCH_BYTES)
            break;
        if (g_hash_table_contains(is->cache, next))
            continue;
        bytes += n->size;
        g_array_append_val(uids, n->uid);
    }
    return fetch_set(is, m->folder, uids, 0, error);
}

static Status
imap_fetch(Source *src, const char *pos, GBytes **raw_out, GError **error)
{
    ImapSource *is = (ImapSource *)src;
    const ImapMsg *m = g_hash_table_lookup(is->msgs, pos);
    gpointer key = NULL;
    gpointer value = NULL;
    Fetched *f;
    Status st;

    g_clear_pointer(&is->last_pos, g_free);
    if (m == NULL)
        return status_set(error, ST_SOFTWARE,
                          "imap: '%s' was not listed", pos);
    if (!g_hash_table_contains(is->cache, pos)) {
        if ((st = check_usable(is, error)) != ST_OK ||
            (st = fetch_ahead(is, pos, m, error)) != ST_OK)
            return st;
    }
    if (!g_hash_table_steal_extended(is->cache, pos, &key, &value))
        return status_set(error, ST_DATAERR,
                          "imap: the server sent no body for '%s' (gone, "
                          "or still being delivered)",
                          pos);
    g_free(key);
    f = value;
    is->last_pos = g_strdup(pos);
    is->last_info = f->info;
    *raw_out = g_steal_pointer(&f->raw);
    fetched_free(f);
    return ST_OK;
}

static void
imap_info(Source *src, const char *pos, SourceInfo *info_out)
{
    ImapSource *is = (ImapSource *)src;

    if (is->last_pos != NULL && strcmp(is->last_pos, pos) == 0)
        *info_out = is->last_info;
}

/* --- after the commit ------------------------------------------------ */

static Status
imap_mark_done(Source *src, const char *pos, GError **error)
{
    ImapSource *is = (ImapSource *)src;
    const ImapMsg *m = g_hash_table_lookup(is->msgs, pos);
    GArray *uids;

    if (is->after == SOURCE_AFTER_KEEP)
        return ST_OK;
    if (m == NULL)
        return status_set(error, ST_SOFTWARE, "imap: '%s' was not listed",
                          pos);
    /* A run after this one lists every taken message again; setting
     * \Seen once is enough. */
    if (is->after == SOURCE_AFTER_SEEN && m->is_seen)
        return ST_OK;
    {
        g_autofree char *key = g_strdup_printf("%u:%s", m->uidvalidity,
                                               m->folder);

        uids = g_hash_table_lookup(is->done, key);
        if (uids == NULL) {
            uids = g_array_new(FALSE, FALSE, sizeof(guint32));
            g_hash_table_insert(is->done, g_steal_pointer(&key), uids);
        }
    }
    g_array_append_val(uids, m->uid);
    return ST_OK;
}

static Status
store_flag(ImapSource *is, struct mailimap_set *set,
           struct mailimap_flag *flag, GError **error)
{
    struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
    struct mailimap_store_att_flags *att;
    int r;

    mailimap_flag_list_add(flags, flag);
    att = mailimap_store_att_flags_new_add_flags_silent(flags);
    r = mailimap_uid_store(is->imap, set, att);
    mailimap_store_att_flags_free(att);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_UNAVAILABLE, "UID STORE", error);
    return ST_OK;
}

/* \Deleted, then expunge only those (RFC 4315 UID EXPUNGE); a server
 * without UIDPLUS expunges every \Deleted message of the folder, which
 * is what a plain EXPUNGE always meant there. */
static Status
delete_set(ImapSource *is, struct mailimap_set *set, GError **error)
{
    Status st = store_flag(is, set, mailimap_flag_new_deleted(), error);
    int r;

    if (st != ST_OK)
        return st;
    if (mailimap_has_extension(is->imap, "UIDPLUS"))
        r = mailimap_uid_expunge(is->imap, set);
    else
        r = mailimap_expunge(is->imap);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_UNAVAILABLE, "EXPUNGE", error);
    return ST_OK;
}

static Status
move_set(ImapSource *is, struct mailimap_set *set, GError **error)
{
    g_autofree char *wire = source_imap_utf7_encode(is->move_folder);
    int r;

    if (wire == NULL)
        return status_set(error, ST_CONFIG,
                          "imap: folder '%s' is not valid UTF-8",
                          is->move_folder);
    if (mailimap_has_extension(is->imap, "MOVE")) {
        r = mailimap_uid_move(is->imap, set, wire);
        if (r != MAILIMAP_NO_ERROR)
            return imap_fail(is, r, ST_CONFIG, "UID MOVE", error);
        return ST_OK;
    }
    /* RFC 6851 3.3: without MOVE, COPY then delete the originals. */
    r = mailimap_uid_copy(is->imap, set, wire);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(is, r, ST_CONFIG, "UID COPY", error);
    return delete_set(is, set, error);
}

static Status
flush_folder(ImapSource *is, const char *key, GArray *uids, GError **error)
{
    const char *folder = strchr(key, ':') + 1;
    guint32 uidvalidity = (guint32)g_ascii_strtoull(key, NULL, 10);
    Status st;

    if (uids->len == 0)
        return ST_OK;
    if ((st = select_folder(is, folder, error)) != ST_OK)
        return st;
    /* These UIDs name other messages now (RFC 3501 2.3.1.1); the next
     * run lists the folder afresh and marks what it takes. */
    if (is->selected_uidvalidity != uidvalidity)
        return ST_OK;
    for (guint start = 0; start < uids->len; start += IMAP_STORE_CHUNK) {
        struct mailimap_set *set = mailimap_set_new_empty();

        for (guint i = start; i < uids->len && i < start + IMAP_STORE_CHUNK;
             i++)
            mailimap_set_add_single(set, g_array_index(uids, guint32, i));
        switch (is->after) {
        case SOURCE_AFTER_SEEN:
            st = store_flag(is, set, mailimap_flag_new_seen(), error);
            break;
        case SOURCE_AFTER_DELETE:
            st = delete_set(is, set, error);
            break;
        case SOURCE_AFTER_MOVE:
            st = move_set(is, set, error);
            break;
        case SOURCE_AFTER_KEEP:
            st = ST_OK;
            break;
        }
        mailimap_set_free(set);
        if (st != ST_OK)
            return st;
    }
    return ST_OK;
}

static Status
imap_flush(Source *src, GError **error)
{
    ImapSource *is = (ImapSource *)src;
    GHashTableIter iter;
    gpointer key;
    gpointer value;
    Status worst = ST_OK;

    g_hash_table_iter_init(&iter, is->done);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        g_autoptr(GError) local = NULL;
        Status st = flush_folder(is, key, value, &local);

        /* The messages are committed: a failure leaves them at the
         * source, and the next run marks them again. */
        if (st != ST_OK && worst == ST_OK) {
            worst = st;
            g_propagate_error(error, g_steal_pointer(&local));
        }
        g_array_set_size(value, 0);
    }
    return worst;
}

static void
imap_close(Source *src)
{
    ImapSource *is = (ImapSource *)src;

    if (is->imap != NULL) {
        if (!is->is_broken && is->imap->imap_stream != NULL)
            mailimap_logout(is->imap);
        mailimap_free(is->imap);
    }
    g_free(is->host);
    g_free(is->user);
    g_strfreev(is->folders);
    g_free(is->move_folder);
    g_free(is->selected);
    g_free(is->last_pos);
    g_clear_pointer(&is->msgs, g_hash_table_unref);
    g_clear_pointer(&is->cache, g_hash_table_unref);
    g_clear_pointer(&is->plan_at, g_hash_table_unref);
    g_clear_pointer(&is->done, g_hash_table_unref);
    source_clear_base(&is->base);
    g_free(is);
}

const SourceDriver source_imap_driver = {
    .scheme = "imap",
    .open = imap_open,
    .list_new = imap_list_new,
    .fetch = imap_fetch,
    .mark_done = imap_mark_done,
    .close = imap_close,
    .plan = imap_plan,
    .info = imap_info,
    .flush = imap_flush,
};
