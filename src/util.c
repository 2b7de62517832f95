/*
 * util.c - file, hashing and time helpers shared by all modules.
 */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include "message.h"

/*
 * Every ingested message is hashed whole, so this is on the hot path.
 * GLib's GChecksum is plain C; nettle picks SHA-NI or other CPU
 * extensions at run time, several times faster on a 20 KB message.
 * This is the only module that includes nettle.
 */
void
util_sha256_hex(const void *data, gsize len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    struct sha256_ctx ctx;
    guint8 digest[SHA256_DIGEST_SIZE];

    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (gsize i = 0; i < sizeof digest; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0f];
    }
    out[64] = '\0';
}

/* The agents' reply tokens (token.c); here so that nettle stays in one
 * module. */
void
util_hmac_sha256(const void *key, gsize key_len, const void *data,
                 gsize len, guint8 out[32])
{
    struct hmac_sha256_ctx ctx;

    hmac_sha256_set_key(&ctx, key_len, key);
    hmac_sha256_update(&ctx, len, data);
    hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

Status
util_write_file_atomic(const char *path, const void *data, gsize len,
                       GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
    mt_autofd int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                            0644);
    const char *p = data;

    if (fd < 0)
        return status_set(error, ST_IOERR, "cannot create '%s': %s", tmp,
                          g_strerror(errno));
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;

            unlink(tmp);
            return status_set(error, ST_IOERR, "cannot write '%s': %s",
                              tmp, g_strerror(saved));
        }
        p += n;
        len -= (gsize)n;
    }
    if (fsync(fd) != 0 || rename(tmp, path) != 0) {
        int saved = errno;

        unlink(tmp);
        return status_set(error, ST_IOERR, "cannot write '%s': %s", path,
                          g_strerror(saved));
    }
    return ST_OK;
}

Status
util_read_file(const char *path, GBytes **bytes_out, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(GMappedFile) map = g_mapped_file_new(path, FALSE, &local);

    if (map == NULL)
        return status_set(error, ST_IOERR, "cannot read '%s': %s", path,
                          local->message);
    /* Copy: the mapping would pin the file and break on truncation. */
    *bytes_out = g_bytes_new(g_mapped_file_get_contents(map),
                             g_mapped_file_get_length(map));
    return ST_OK;
}

char *
util_time_iso(gint64 t)
{
    g_autoptr(GDateTime) dt = NULL;

    if (t == MESSAGE_NO_TIME)
        return NULL;
    dt = g_date_time_new_from_unix_utc(t);
    if (dt == NULL)
        return NULL;
    return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
util_time_local(const char *timezone, gint64 t, const char *format)
{
    g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(timezone);
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
    g_autoptr(GDateTime) local = NULL;

    if (tz == NULL)
        tz = g_time_zone_new_utc();
    if (utc == NULL)
        return NULL;
    local = g_date_time_to_timezone(utc, tz);
    return g_date_time_format(local, format);
}

bool
util_time_parse(const char *text, gint64 *t_out)
{
    g_autoptr(GDateTime) dt = NULL;
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    int y, mo, d, h = 0, mi = 0, s = 0;
    char tail[8] = "";

    if (text == NULL)
        return false;
    if (text[0] == '@') {
        char *end = NULL;
        gint64 v = g_ascii_strtoll(text + 1, &end, 10);

        if (end == text + 1 || *end != '\0')
            return false;
        /* Only a time GLib can name a date for (years 1 to 9999): the
         * calendar and every date printed work on it. */
        dt = g_date_time_new_from_unix_utc(v);
        if (dt == NULL)
            return false;
        *t_out = v;
        return true;
    }
    dt = g_date_time_new_from_iso8601(text, utc);
    if (dt != NULL) {
        *t_out = g_date_time_to_unix(dt);
        return true;
    }
    if (sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s,
               tail) < 3 &&
        sscanf(text, "%4d-%2d-%2d%7s", &y, &mo, &d, tail) < 3)
        return false;
    if (tail[0] != '\0')
        return false;
    dt = g_date_time_new_utc(y, mo, d, h, mi, s);
    if (dt == NULL)
        return false;
    *t_out = g_date_time_to_unix(dt);
    return true;
}

char *
util_email_normalize(const char *email)
{
    g_autofree char *copy = g_strstrip(g_strdup(email != NULL ? email : ""));
    char *p = copy;
    gsize len;

    if (*p == '<')
        p++;
    len = strlen(p);
    if (len > 0 && p[len - 1] == '>')
        p[len - 1] = '\0';
    /* Raw 8-bit bytes (Return-Path, Delivered-To) would reach the store
     * and JSON as they are. */
    if (!g_utf8_validate(p, -1, NULL)) {
        g_autofree char *valid = g_utf8_make_valid(p, -1);

        return g_ascii_strdown(valid, -1);
    }
    return g_ascii_strdown(p, -1);
}

bool
util_strv_contains_ci(const char *const *list, const char *s)
{
    if (list == NULL || s == NULL)
        return false;
    for (; *list != NULL; list++)
        if (g_ascii_strcasecmp(*list, s) == 0)
            return true;
    return false;
}

/* The value of a test hook's variable, read once: the hooks are asked
 * about every message of an ingest. */
static const char *
hook_spec(const char *var, const char **cached, gsize *is_read)
{
    if (g_once_init_enter(is_read)) {
        *cached = g_getenv(var);
        g_once_init_leave(is_read, 1);
    }
    return *cached;
}

void
util_crashpoint(const char *name)
{
    static guint hits;
    static const char *cached;
    static gsize is_read;
    const char *spec = hook_spec("MAILTRIAGE_CRASHPOINT", &cached, &is_read);
    gsize len = strlen(name);

    if (spec == NULL || strncmp(spec, name, len) != 0 || spec[len] != ':')
        return;
    if (++hits == (guint)g_ascii_strtoull(spec + len + 1, NULL, 10))
        raise(SIGKILL);
}

bool
util_failpoint(const char *name, const char *key)
{
    static const char *cached;
    static gsize is_read;
    const char *spec = hook_spec("MAILTRIAGE_FAILPOINT", &cached, &is_read);
    gsize len = strlen(name);

    return spec != NULL && key != NULL && strncmp(spec, name, len) == 0 &&
           spec[len] == ':' && strcmp(spec + len + 1, key) == 0;
}
