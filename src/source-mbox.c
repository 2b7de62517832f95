/*
 * source-mbox.c - the mbox driver: finds the messages in an mbox file
 * and returns one at a time.  It only reads: it never rewrites, locks
 * or truncates an mbox, so mark_done() keeps every message whatever
 * the source's "after" says (rewriting an mbox under a mail client or
 * an MDA that appends to it is how mail gets lost).
 *
 * Framing (mboxrd, which also reads mboxo): a message starts at a line
 * beginning "From " and a sender at the start of the file or after any
 * newline.  Strict readers want a blank line before it; like most
 * readers we take every such line, because mail that a writer forgot
 * to escape is rarer than mboxes whose separators lack the blank line.
 * (So a git patch inside a message, which opens with a "From <sha>"
 * line, still splits it; mboxo cannot tell.)  "From  :x" is not a
 * separator but a broken From header, as in one of SpamAssassin's
 * test messages.  A UTF-8 byte
 * order mark before the first line is skipped.  Content-Length headers
 * (mboxcl) are ignored: they lie often enough to swallow messages.
 *
 * fetch() returns the message without its "From " line, with one '>'
 * removed from each line matching ^>+From (mboxrd unescaping), and
 * without the one blank line that separates it from the next.  The file
 * is scanned through mmap, so a 1 GB mbox is never read into memory at
 * once; fetch() copies only its message.  Each map lives for one call
 * only: a writer that truncated the file under a live map would fault
 * us, and mbox writers append.  A position is "offset=N",
 * the byte offset of the "From " line: stable while the mbox is only
 * appended to, and checked again on fetch so a rewritten mbox gives an
 * error instead of the wrong message.
 */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define UTF8_BOM "\xef\xbb\xbf"

typedef struct {
    Source base;
    char *path;  /* as configured, for messages */
    gsize limit; /* max_message_bytes; 0: none */
} MboxSource;

static Status
map_file(MboxSource *mb, GMappedFile **map_out, GError **error)
{
    g_autoptr(GError) local = NULL;
    GMappedFile *map = g_mapped_file_new(mb->path, FALSE, &local);

    if (map == NULL)
        return status_set(error, ST_IOERR, "source: cannot read '%s': %s",
                          mb->path, local->message);
    *map_out = map;
    return ST_OK;
}

/* Where the first "From " line may start: after a byte order mark. */
static gsize
first_line(const char *data, gsize len)
{
    if (len >= 3 && memcmp(data, UTF8_BOM, 3) == 0)
        return 3;
    return 0;
}

bool
source_mbox_is_from_line(const char *p, gsize n)
{
    return n >= 6 && memcmp(p, "From ", 5) == 0 && !g_ascii_isspace(p[5]) &&
           p[5] != ':';
}

/* Whether a separator line starts at off. */
static bool
is_from_line(const char *data, gsize len, gsize off)
{
    if (off >= len || !source_mbox_is_from_line(data + off, len - off))
        return false;
    return off == first_line(data, len) || data[off - 1] == '\n';
}

/* The offset of the first separator line that starts after a newline
 * at or after from; len for none. */
static gsize
next_from(const char *data, gsize len, gsize from)
{
    while (from < len) {
        const char *hit = memmem(data + from, len - from, "\nFrom ", 6);
        gsize off;

        if (hit == NULL)
            break;
        off = (gsize)(hit - data) + 1;
        if (source_mbox_is_from_line(data + off, len - off))
            return off;
        from = off;
    }
    return len;
}

static Status
mbox_open(const SourceConfig *cfg, Source **src_out, GError **error)
{
    const char *path = source_url_path(cfg->url, "mbox");
    g_autofree char *canon = NULL;
    g_autofree char *key = NULL;
    MboxSource *mb;
    struct stat st;

    if (path[0] == '\0')
        return status_set(error, ST_CONFIG,
                          "source: mbox url '%s' names no file", cfg->url);
    if (stat(path, &st) != 0)
        return status_set(error, ST_IOERR, "source: cannot open '%s': %s",
                          path, g_strerror(errno));
    if (S_ISDIR(st.st_mode))
        return status_set(error, ST_DATAERR,
                          "source: '%s' is a directory, not an mbox", path);
    canon = g_canonicalize_filename(path, NULL);
    key = g_strconcat("mbox:", canon, NULL);
    mb = g_new0(MboxSource, 1);
    source_init_base(&mb->base, &source_mbox_driver, key);
    mb->path = g_strdup(path);
    mb->limit = cfg->max_message_bytes;
    *src_out = &mb->base;
    return ST_OK;
}

static Status
mbox_list_new(Source *src, GPtrArray **pos_out, GError **error)
{
    MboxSource *mb = (MboxSource *)src;
    g_autoptr(GMappedFile) map = NULL;
    g_autoptr(GPtrArray) pos = g_ptr_array_new_with_free_func(g_free);
    const char *data;
    gsize len;
    gsize off;
    Status st;

    st = map_file(mb, &map, error);
    if (st != ST_OK)
        return st;
    data = g_mapped_file_get_contents(map);
    len = g_mapped_file_get_length(map);
    off = first_line(data, len);
    /* Empty lines before the first message are harmless; anything else
     * there would be mail we cannot frame, and must not drop quietly. */
    while (off < len && (data[off] == '\n' ||
                         (data[off] == '\r' && off + 1 < len &&
                          data[off + 1] == '\n')))
        off += data[off] == '\n' ? 1 : 2;
    if (off < len) {
        if (!source_mbox_is_from_line(data + off, len - off))
            return status_set(error, ST_DATAERR,
                              "source: '%s' is not an mbox (it does not "
                              "start with a 'From ' line)",
                              mb->path);
        g_ptr_array_add(pos, g_strdup_printf("offset=%" G_GSIZE_FORMAT,
                                             off));
        for (;;) {
            off = next_from(data, len, off);
            if (off == len)
                break;
            g_ptr_array_add(pos, g_strdup_printf("offset=%" G_GSIZE_FORMAT,
                                                 off));
        }
    }
    *pos_out = g_steal_pointer(&pos);
    return ST_OK;
}

/* Copy data[start, end) with one '>' taken off every line matching
 * ^>+From (mboxrd). */
static GBytes *
unescape(const char *data, gsize start, gsize end)
{
    g_autoptr(GByteArray) out = g_byte_array_sized_new((guint)(end - start));
    gsize p = start;

    while (p < end) {
        const char *nl = memchr(data + p, '\n', end - p);
        gsize line_end = nl != NULL ? (gsize)(nl - data) + 1 : end;

        if (data[p] == '>') {
            gsize q = p;

            while (q < line_end && data[q] == '>')
                q++;
            if (line_end - q >= 5 && memcmp(data + q, "From ", 5) == 0)
                p++;
        }
        g_byte_array_append(out, (const guint8 *)data + p,
                            (guint)(line_end - p));
        p = line_end;
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static Status
mbox_fetch(Source *src, const char *pos, GBytes **raw_out, GError **error)
{
    MboxSource *mb = (MboxSource *)src;
    g_autoptr(GMappedFile) map = NULL;
    guint64 off64 = 0;
    const char *data;
    const char *nl;
    gsize len;
    gsize off;
    gsize start;
    gsize end;
    Status st;

    if (!g_str_has_prefix(pos, "offset=") ||
        !g_ascii_string_to_unsigned(pos + 7, 10, 0, G_MAXSIZE, &off64,
                                    NULL))
        return status_set(error, ST_SOFTWARE,
                          "source: '%s' is not an mbox position", pos);
    st = map_file(mb, &map, error);
    if (st != ST_OK)
        return st;
    data = g_mapped_file_get_contents(map);
    len = g_mapped_file_get_length(map);
    off = (gsize)off64;
    if (!is_from_line(data, len, off))
        return status_set(error, ST_IOERR,
                          "source: no message at offset %" G_GSIZE_FORMAT
                          " of '%s' (was the mbox rewritten?)",
                          off, mb->path);
    nl = memchr(data + off, '\n', len - off);
    start = nl != NULL ? (gsize)(nl - data) + 1 : len;
    /* Search from the "From " line's own newline, so a message whose
     * first line is another "From " line ends at once, as list_new()
     * counted it. */
    end = nl != NULL ? next_from(data, len, start - 1) : len;
    /* Drop the blank line that separates messages, LF or CRLF. */
    if (end - start >= 2 && data[end - 1] == '\n' && data[end - 2] == '\n')
        end -= 1;
    else if (end - start >= 4 && memcmp(data + end - 4, "\r\n\r\n", 4) == 0)
        end -= 2;
    if (mb->limit > 0 && end - start > mb->limit)
        return status_set(error, ST_DATAERR,
                          "source: message at offset %" G_GSIZE_FORMAT
                          " of '%s' is larger than %" G_GSIZE_FORMAT
                          " bytes",
                          off, mb->path, mb->limit);
    *raw_out = unescape(data, start, end);
    return ST_OK;
}

static Status
mbox_mark_done(Source *src, const char *pos, GError **error)
{
    /* KEEP, whatever was configured: see the top of this file.  The
     * store remembers the position, so the message is not taken
     * twice. */
    return ST_OK;
}

static void
mbox_close(Source *src)
{
    MboxSource *mb = (MboxSource *)src;

    g_free(mb->path);
    source_clear_base(&mb->base);
    g_free(mb);
}

const SourceDriver source_mbox_driver = {
    .scheme = "mbox",
    .open = mbox_open,
    .list_new = mbox_list_new,
    .fetch = mbox_fetch,
    .mark_done = mbox_mark_done,
    .close = mbox_close,
};
