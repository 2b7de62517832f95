/*
 * source.c - picks the driver for a source url and holds what every
 * driver shares: the embedded Source header, url parsing and reading a
 * file descriptor to its end within a limit.
 *
 * It owns the guessing of a plain path's kind (Maildir directory, mbox,
 * one message file), so "mailtriage ingest PATH" needs no scheme.  It
 * deliberately knows nothing of any one format beyond the few bytes it
 * needs to guess; each driver checks its own input again on open.
 */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* A UTF-8 byte order mark; some tools write one before an mbox's first
 * "From " line (MimeKit's unmunged.mbox.txt has one). */
#define UTF8_BOM "\xef\xbb\xbf"

void
source_init_base(Source *src, const SourceDriver *driver, const char *key)
{
    src->driver = driver;
    src->key = g_strdup(key);
}

void
source_clear_base(Source *src)
{
    g_clear_pointer(&src->key, g_free);
}

void
source_close(Source *src)
{
    if (src == NULL)
        return;
    src->driver->close(src);
}

const char *
source_url_path(const char *url, const char *scheme)
{
    gsize n = strlen(scheme);

    if (strncmp(url, scheme, n) != 0 || url[n] != ':')
        return url;
    url += n + 1;
    /* "file:///tmp/x" is how a URL spells "/tmp/x". */
    if (g_str_has_prefix(url, "///"))
        url += 2;
    return url;
}

Status
source_read_fd(int fd, const char *what, gsize limit, GBytes **bytes_out,
               GError **error)
{
    g_autoptr(GByteArray) buf = NULL;
    struct stat st;
    gsize hint = 64 * 1024;

    /* A regular file tells its size, so one allocation usually does;
     * a pipe (stdin from the MTA) grows the buffer as it goes. */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        hint = (gsize)st.st_size + 1;
    if (limit > 0 && hint > limit + 1)
        hint = limit + 1;
    buf = g_byte_array_sized_new((guint)hint);
    /* Straight into the buffer, growing it when full: a copy through a
     * bounce buffer cost a pass over every byte of the mailbox. */
    for (;;) {
        guint len = buf->len;
        gsize room;
        ssize_t n;

        if (len == hint) {
            hint *= 2;
            if (limit > 0 && hint > limit + 1)
                hint = limit + 1;
        }
        room = hint - len;
        g_byte_array_set_size(buf, (guint)hint);
        n = read(fd, buf->data + len, room);
        g_byte_array_set_size(buf, len + (guint)MAX(n, 0));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return status_set(error, ST_IOERR, "source: cannot read '%s': %s",
                              what, g_strerror(errno));
        if (n == 0)
            break;
        if (limit > 0 && buf->len > limit)
            return status_set(error, ST_DATAERR,
                              "source: '%s' is larger than %" G_GSIZE_FORMAT
                              " bytes",
                              what, limit);
    }
    *bytes_out = g_byte_array_free_to_bytes(g_steal_pointer(&buf));
    return ST_OK;
}

/* Length of the "scheme:" prefix of url (RFC 3986 3.1 syntax), 0 for
 * none. */
static gsize
url_scheme_len(const char *url)
{
    gsize i = 0;

    if (!g_ascii_isalpha(url[0]))
        return 0;
    while (g_ascii_isalnum(url[i]) || url[i] == '+' || url[i] == '-' ||
           url[i] == '.')
        i++;
    return url[i] == ':' ? i : 0;
}

static bool
is_maildir(const char *dir)
{
    g_autofree char *cur = g_build_filename(dir, "cur", NULL);
    g_autofree char *new = g_build_filename(dir, "new", NULL);

    return g_file_test(cur, G_FILE_TEST_IS_DIR) ||
           g_file_test(new, G_FILE_TEST_IS_DIR);
}

/* Whether the regular file at path starts with a "From " line (after
 * an optional byte order mark). */
static Status
starts_like_mbox(const char *path, bool *is_mbox_out, GError **error)
{
    mt_autofd int fd = open(path, O_RDONLY | O_CLOEXEC);
    char head[9];
    gsize got = 0;

    if (fd < 0)
        return status_set(error, ST_IOERR, "source: cannot open '%s': %s",
                          path, g_strerror(errno));
    while (got < sizeof head) {
        ssize_t n = read(fd, head + got, sizeof head - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return status_set(error, ST_IOERR,
                              "source: cannot read '%s': %s", path,
                              g_strerror(errno));
        if (n == 0)
            break;
        got += (gsize)n;
    }
    *is_mbox_out = source_mbox_is_from_line(head, got) ||
                   (got > 3 && memcmp(head, UTF8_BOM, 3) == 0 &&
                    source_mbox_is_from_line(head + 3, got - 3));
    return ST_OK;
}

/* Open path with the driver for scheme, by handing it "scheme:path". */
static Status
open_as(const SourceConfig *cfg, const SourceDriver *driver,
        const char *path, Source **src_out, GError **error)
{
    g_autofree char *url = g_strconcat(driver->scheme, ":", path, NULL);
    SourceConfig copy = *cfg;

    copy.url = url;
    return driver->open(&copy, src_out, error);
}

static Status
open_guessed(const SourceConfig *cfg, const char *path, Source **src_out,
             GError **error)
{
    struct stat st;
    bool is_mbox = false;
    Status st_mbox;

    if (stat(path, &st) != 0)
        return status_set(error, ST_IOERR, "source: cannot open '%s': %s",
                          path, g_strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        if (!is_maildir(path))
            return status_set(error, ST_DATAERR,
                              "source: '%s' is a directory but not a "
                              "Maildir (no cur/ or new/)",
                              path);
        return open_as(cfg, &source_maildir_driver, path, src_out, error);
    }
    /* Peek only into regular files: reading a pipe or a device would
     * eat the bytes the file driver must return. */
    if (S_ISREG(st.st_mode)) {
        st_mbox = starts_like_mbox(path, &is_mbox, error);
        if (st_mbox != ST_OK)
            return st_mbox;
    }
    if (is_mbox)
        return open_as(cfg, &source_mbox_driver, path, src_out, error);
    return open_as(cfg, &source_file_driver, path, src_out, error);
}

Status
source_open(const SourceConfig *cfg, Source **src_out, GError **error)
{
    static const SourceDriver *const drivers[] = {
        &source_maildir_driver,
        &source_mbox_driver,
        &source_file_driver,
    };
    static const char *const net_schemes[] = { "imap", "imaps" };
    const char *url = cfg->url;
    gsize n;

    if (url == NULL || url[0] == '\0')
        return status_set(error, ST_CONFIG, "source: no url given");
    if (strcmp(url, "-") == 0)
        return source_file_driver.open(cfg, src_out, error);
    n = url_scheme_len(url);
    if (n == 0)
        return open_guessed(cfg, url, src_out, error);
    /* The IMAP driver takes the whole url: it has a host in it. */
    for (gsize i = 0; i < G_N_ELEMENTS(net_schemes); i++)
        if (strlen(net_schemes[i]) == n &&
            g_ascii_strncasecmp(url, net_schemes[i], n) == 0)
            return source_imap_driver.open(cfg, src_out, error);
    for (gsize i = 0; i < G_N_ELEMENTS(drivers); i++) {
        if (strlen(drivers[i]->scheme) == n &&
            g_ascii_strncasecmp(url, drivers[i]->scheme, n) == 0) {
            return open_as(cfg, drivers[i], url + n + 1, src_out, error);
        }
    }
    /* "a:b" may just be a file name with a colon in it (a Maildir file
     * "1700.M1P1:2,S" has one). */
    if (g_file_test(url, G_FILE_TEST_EXISTS))
        return open_guessed(cfg, url, src_out, error);
    /* Print the scheme only: the rest of an IMAP url may hold a
     * password. */
    return status_set(error, ST_CONFIG,
                      "source: unknown scheme '%.*s' (want imap:, imaps:, "
                      "maildir:, mbox:, file: or a path)",
                      (int)n, url);
}
