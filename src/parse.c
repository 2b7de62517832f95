/*
 * parse.c - raw bytes to a normalised Message, through GMime.
 *
 * Owns the MIME side of DESIGN 3a: which header fields are kept and
 * how they are read (with rfc2047.h doing the decoding), the walk over
 * the MIME tree, which parts are text and which are attachments, the
 * transfer decodings GMime gets wrong on broken input (base64 with
 * junk after it or padding in the middle), uuencoded blocks inside
 * text, TNEF (winmail.dat), forwarded message/rfc822 parts kept byte
 * for byte as attachments, and every limit of parse.h.  It does not
 * own charsets (charset.h), HTML (html.h) or quote detection
 * (quote.h); it calls them.  Bad input is never an error here: what is
 * wrong goes to msg->problems and parsing carries on.
 *
 * Memory: the raw bytes are not copied (unless a header must be
 * repaired first).  GMime reads them through a GMimeStreamMem whose
 * byte array points into the GBytes, and the parser keeps parts as
 * substreams of it, so part contents are slices of the raw data;
 * unencoded attachments and forwarded messages even share the GBytes.
 * The array must outlive every GMime object of the message.
 */
#include "config.h"

#include "parse.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <string.h>

#include "charset.h"
#include "html.h"
#include "quote.h"
#include "rfc2047.h"
#include "util.h"

/* GMime 3.2 declares no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(InternetAddressList, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeParserOptions, g_mime_parser_options_free)

#define MAX_REFERENCES 100
#define MAX_FILENAME_BYTES 200
#define CHUNK 65536

/* Values of the base64 alphabet; -1 for every other byte. */
static gint8 b64_value[256];

static gpointer
parse_init_once(gpointer data)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    (void)data;
    g_mime_init();
    memset(b64_value, -1, sizeof(b64_value));
    for (int i = 0; i < 64; i++)
        b64_value[(guchar)alphabet[i]] = (gint8)i;
    return NULL;
}

static void
parse_init(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, parse_init_once, NULL);
}

void
limits_init_default(Limits *lim)
{
    lim->max_message_bytes = 50 * 1024 * 1024;
    lim->max_text_bytes = 4 * 1024 * 1024;
    lim->max_mime_depth = 20;
    lim->max_parts = 1000;
    lim->max_headers = 1000;
    lim->fallback_charsets = NULL;
    lim->is_attachment_size_only = false;
}

/* Everything one parse_message() call carries through the walk. */
typedef struct {
    Message *msg;
    const Limits *lim;
    const char *const *fallbacks; /* body text: lim's list or empty */
    GBytes *source;    /* what GMime parses: raw or a repaired copy */
    GByteArray *array; /* source from skip on, borrowed (file comment) */
    gsize skip;        /* bytes of source before the message */
    bool omit_data;    /* over max_message_bytes */
    guint parts;
    bool parts_exceeded;
    bool depth_exceeded;
    GString *text;
    bool text_full;
    char *first_charset; /* charset of the first text part */
    guint warned;        /* GMimeParserWarning bits already recorded */
} ParseCtx;

/* ---------------------------------------------------------------- */
/* Small string helpers                                              */

static bool
is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (!g_ascii_isspace(*s))
            return false;
    return true;
}

/* The length of at most max bytes of s that ends on a UTF-8 character
 * boundary. */
static gsize
utf8_cut(const char *s, gsize len, gsize max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((guchar)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* LF line ends: CRLF and lone CR become LF. */
static void
normalize_newlines(char *s)
{
    char *w = s;

    for (const char *r = s; *r != '\0'; r++) {
        if (*r == '\r') {
            *w++ = '\n';
            if (r[1] == '\n')
                r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static char *
header_trimmed(GMimeHeader *header)
{
    const char *raw = g_mime_header_get_raw_value(header);

    return g_strstrip(g_strdup(raw != NULL ? raw : ""));
}

/* ---------------------------------------------------------------- */
/* Content types and names                                           */

static const struct {
    const char *type;
    const char *ext;
} type_exts[] = {
    { "text/plain", "txt" },
    { "text/plain", "log" },
    { "text/html", "html" },
    { "text/html", "htm" },
    { "text/calendar", "ics" },
    { "text/csv", "csv" },
    { "text/xml", "xml" },
    { "text/rfc822-headers", "txt" },
    { "message/delivery-status", "txt" },
    { "message/disposition-notification", "txt" },
    { "message/rfc822", "eml" },
    { "image/png", "png" },
    { "image/jpeg", "jpg" },
    { "image/jpeg", "jpeg" },
    { "image/gif", "gif" },
    { "image/bmp", "bmp" },
    { "image/tiff", "tif" },
    { "application/pdf", "pdf" },
    { "application/zip", "zip" },
    { "application/json", "json" },
    { "application/xml", "xml" },
    { "application/msword", "doc" },
    { "application/vnd.ms-excel", "xls" },
    { "application/vnd.openxmlformats-officedocument.wordprocessingml"
      ".document",
      "docx" },
    { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "xlsx" },
    { "application/pgp-signature", "asc" },
    { "application/pkcs7-signature", "p7s" },
    { "application/x-pkcs7-signature", "p7s" },
    { "application/ms-tnef", "dat" },
    { "application/vnd.ms-tnef", "dat" },
};

static const char *
ext_for_type(const char *type)
{
    for (guint i = 0; i < G_N_ELEMENTS(type_exts); i++)
        if (strcmp(type_exts[i].type, type) == 0)
            return type_exts[i].ext;
    return "bin";
}

static const char *
type_for_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot != NULL)
        for (guint i = 0; i < G_N_ELEMENTS(type_exts); i++)
            if (g_ascii_strcasecmp(type_exts[i].ext, dot + 1) == 0)
                return type_exts[i].type;
    return "application/octet-stream";
}

/* A file name safe to show and to store: no path separators or control
 * characters, not empty, at most MAX_FILENAME_BYTES. */
static char *
sanitize_filename(const char *name)
{
    g_autofree char *valid = g_utf8_make_valid(name, -1);
    char *s = valid;
    gsize len;

    for (char *p = s; *p != '\0'; p++)
        if ((guchar)*p < 0x20 || *p == 0x7F || *p == '/' || *p == '\\')
            *p = '_';
    g_strstrip(s);
    len = utf8_cut(s, strlen(s), MAX_FILENAME_BYTES);
    return g_strndup(s, len);
}

static void
add_attachment(ParseCtx *ctx, const char *filename, const char *type,
               GBytes *data, gsize size)
{
    Attachment *att = g_new0(Attachment, 1);
    g_autofree char *clean =
        filename != NULL ? sanitize_filename(filename) : NULL;

    if (clean == NULL || *clean == '\0') {
        g_free(clean);
        clean = g_strdup_printf("attachment-%u.%s",
                                ctx->msg->attachments->len + 1,
                                ext_for_type(type));
    }
    att->filename = g_steal_pointer(&clean);
    att->content_type = g_ascii_strdown(type, -1);
    att->size = size;
    if (data != NULL && !ctx->omit_data) {
        att->data = g_bytes_ref(data);
    } else if (ctx->omit_data) {
        ctx->msg->flags |= MSG_FLAG_TRUNCATED;
        /* Not a parse problem (the MIME is fine), so not
         * message_add_problem(): only the note. */
        g_ptr_array_add(ctx->msg->problems,
                        g_strdup_printf("attachment '%s' omitted: message "
                                        "exceeds size limit",
                                        att->filename));
    }
    g_ptr_array_add(ctx->msg->attachments, att);
}

/* ---------------------------------------------------------------- */
/* Transfer decodings                                                */

static void
emit_bytes(GByteArray *out, gsize *size, const guint8 *bytes, guint n)
{
    if (out != NULL)
        g_byte_array_append(out, bytes, n);
    *size += n;
}

/*
 * base64 as senders really write it.  Decodes line by line; after a
 * group with "=" padding it restarts cleanly at the next group, so two
 * concatenated encodings come out whole (GMime's decoder stops).  It
 * stops at the first line that is not base64 at all (a disclaimer a
 * gateway appended, "-- ") and returns that line's offset, len when
 * every line was base64.  out, when not NULL, has room for len * 3 / 4
 * + 3 bytes; NULL only counts.
 */
static gsize
b64_decode_tolerant(const guint8 *in, gsize len, guint8 *out,
                    gsize *size_out)
{
    guint32 acc = 0;
    guint nacc = 0;
    gsize size = 0;
    gsize pos = 0;
    gsize tail = G_MAXSIZE; /* text after the padding in mid-line */
    bool run_ended = false;

    while (pos < len) {
        const guint8 *nl = memchr(in + pos, '\n', len - pos);
        gsize end = nl != NULL ? (gsize)(nl - in) : len;
        gsize next = nl != NULL ? end + 1 : len;
        gsize s = pos;
        gsize e = end;
        bool valid = true;

        while (e > s && g_ascii_isspace(in[e - 1]))
            e--;
        while (s < e && (in[s] == ' ' || in[s] == '\t'))
            s++;
        if (s == e) {
            pos = next;
            continue;
        }
        /* Fast path for the line every encoder writes: whole groups,
         * no padding, nothing outside the alphabet.  A negative table
         * value ('=' or junk) hands the whole line to the careful loop
         * below, which then decides exactly as if there were no fast
         * path (what was written here is overwritten or cut off). */
        if (nacc == 0 && (e - s) % 4 == 0) {
            gsize i = s;
            gsize at = size;

            for (; i < e; i += 4) {
                int a = b64_value[in[i]];
                int b = b64_value[in[i + 1]];
                int c = b64_value[in[i + 2]];
                int d = b64_value[in[i + 3]];
                guint32 group;

                if ((a | b | c | d) < 0)
                    break;
                group = (guint32)a << 18 | (guint32)b << 12 |
                        (guint32)c << 6 | (guint32)d;
                if (out != NULL) {
                    out[at] = (guint8)(group >> 16);
                    out[at + 1] = (guint8)(group >> 8);
                    out[at + 2] = (guint8)group;
                }
                at += 3;
            }
            if (i == e) {
                size = at;
                pos = next;
                continue;
            }
        }
        for (gsize i = s; i < e && valid; i++) {
            if (b64_value[in[i]] >= 0 || in[i] == '=')
                continue;
            /* "ecO2dMOkIHZhYW4uCg== ignored": the padding ends the
             * data, the rest of the line is text after it. */
            if (i > s && in[i - 1] == '=' && in[i] == ' ' && !run_ended) {
                tail = i;
                while (tail < e && in[tail] == ' ')
                    tail++;
                e = i;
            } else {
                valid = false;
            }
        }
        /* After padding only a line of whole groups can be a second
         * run; "Thanks" after the data is text. */
        if (run_ended && nacc == 0 && (e - s) % 4 != 0)
            valid = false;
        if (!valid)
            break;
        for (gsize i = s; i < e; i++) {
            if (in[i] == '=') {
                /* Padding ends a group early: 2 or 3 characters give 1
                 * or 2 bytes. */
                if (nacc >= 2) {
                    if (out != NULL)
                        out[size] = (guint8)(acc >> (nacc == 2 ? 4 : 10));
                    size++;
                }
                if (nacc == 3) {
                    if (out != NULL)
                        out[size] = (guint8)(acc >> 2);
                    size++;
                }
                if (nacc != 0)
                    run_ended = true;
                nacc = 0;
                acc = 0;
                continue;
            }
            acc = (acc << 6) | (guint32)b64_value[in[i]];
            if (++nacc == 4) {
                if (out != NULL) {
                    out[size] = (guint8)(acc >> 16);
                    out[size + 1] = (guint8)(acc >> 8);
                    out[size + 2] = (guint8)acc;
                }
                size += 3;
                nacc = 0;
                acc = 0;
            }
        }
        pos = next;
        if (tail != G_MAXSIZE) {
            pos = tail;
            break;
        }
    }
    /* A final group without its padding. */
    if (nacc >= 2) {
        if (out != NULL)
            out[size] = (guint8)(acc >> (nacc == 2 ? 4 : 10));
        size++;
    }
    if (nacc == 3) {
        if (out != NULL)
            out[size] = (guint8)(acc >> 2);
        size++;
    }
    *size_out = size;
    return pos < len ? pos : len;
}

static bool
uu_char_ok(char c)
{
    return c >= 0x20 && c <= 0x60;
}

/* One uuencoded line into out (NULL: count only).  False when the line
 * is not uuencoded. */
static bool
uu_decode_line(const char *line, gsize len, GByteArray *out, gsize *size)
{
    guint n;
    gsize p = 1;
    guint8 bytes[3];

    if (len == 0 || !uu_char_ok(line[0]))
        return false;
    n = (guint)((line[0] - 0x20) & 0x3F);
    /* Mailers strip trailing spaces: missing characters are zeros.  A
     * longer line than the count needs is not uuencoded. */
    if (len > 1 + (n + 2) / 3 * 4 + 2)
        return false;
    for (gsize i = 1; i < len; i++)
        if (!uu_char_ok(line[i]))
            return false;
    while (n > 0) {
        guint v[4];
        guint take = n < 3 ? n : 3;

        for (guint k = 0; k < 4; k++)
            v[k] = p + k < len ? (guint)((line[p + k] - 0x20) & 0x3F) : 0;
        bytes[0] = (guint8)(v[0] << 2 | v[1] >> 4);
        bytes[1] = (guint8)(v[1] << 4 | v[2] >> 2);
        bytes[2] = (guint8)(v[2] << 6 | v[3]);
        emit_bytes(out, size, bytes, take);
        n -= take;
        p += 4;
    }
    return true;
}

/* A "begin MODE NAME" line: the name, or NULL. */
static char *
uu_begin_name(const char *line, gsize len)
{
    gsize i = 6;
    guint digits = 0;

    if (len < 8 || strncmp(line, "begin ", 6) != 0)
        return NULL;
    while (i < len && line[i] >= '0' && line[i] <= '7') {
        i++;
        digits++;
    }
    if (digits < 3 || digits > 4 || i >= len || line[i] != ' ')
        return NULL;
    while (i < len && line[i] == ' ')
        i++;
    if (i >= len)
        return NULL;
    return g_strndup(line + i, len - i);
}

/* The next line of text from *pos: its start and length without the
 * line end (CR too). */
static bool
next_line(const char *text, gsize len, gsize *pos, const char **line_out,
          gsize *line_len_out)
{
    const char *start = text + *pos;
    const char *nl;
    gsize l;

    if (*pos >= len)
        return false;
    nl = memchr(start, '\n', len - *pos);
    l = nl != NULL ? (gsize)(nl - start) : len - *pos;
    *pos += nl != NULL ? l + 1 : l;
    while (l > 0 && (start[l - 1] == '\r' || start[l - 1] == ' ' ||
                     start[l - 1] == '\t'))
        l--;
    *line_out = start;
    *line_len_out = l;
    return true;
}

/*
 * Decode the uuencoded lines after a begin line at *pos up to "end"
 * (need_end false: or up to the end of the text).  On success *pos is
 * past the end line, *data_out holds the bytes (NULL when counting
 * only) and true is returned.
 */
static bool
uu_decode_block(const char *text, gsize len, gsize *pos, bool need_end,
                bool count_only, GBytes **data_out, gsize *size_out)
{
    g_autoptr(GByteArray) out = count_only ? NULL : g_byte_array_new();
    gsize size = 0;
    gsize p = *pos;
    const char *line;
    gsize line_len;

    while (next_line(text, len, &p, &line, &line_len)) {
        if (line_len == 3 && strncmp(line, "end", 3) == 0) {
            *pos = p;
            *size_out = size;
            *data_out = out != NULL
                            ? g_byte_array_free_to_bytes(g_steal_pointer(&out))
                            : NULL;
            return true;
        }
        if (line_len == 0)
            continue;
        if (!uu_decode_line(line, line_len, out, &size))
            return false;
    }
    if (need_end)
        return false;
    *pos = p;
    *size_out = size;
    *data_out = out != NULL ? g_byte_array_free_to_bytes(g_steal_pointer(&out))
                            : NULL;
    return true;
}

/*
 * uuencoded blocks inside text (C29): each becomes an attachment and
 * leaves the text.  Returns the remaining text (newly allocated).
 */
static char *
extract_uuencoded(ParseCtx *ctx, const char *text)
{
    gsize len = strlen(text);
    g_autoptr(GString) rest = NULL;
    gsize pos = 0;
    gsize copied = 0;
    const char *line;
    gsize line_len;

    if (strstr(text, "begin ") == NULL)
        return g_strdup(text);
    while (next_line(text, len, &pos, &line, &line_len)) {
        g_autofree char *name = uu_begin_name(line, line_len);
        g_autoptr(GBytes) data = NULL;
        gsize start = (gsize)(line - text);
        gsize end = pos;
        gsize size = 0;

        if (name == NULL)
            continue;
        if (!uu_decode_block(text, len, &end, true, ctx->omit_data, &data,
                             &size))
            continue;
        if (rest == NULL)
            rest = g_string_sized_new(len);
        g_string_append_len(rest, text + copied, (gssize)(start - copied));
        copied = end;
        pos = end;
        add_attachment(ctx, name, type_for_name(name), data, size);
    }
    if (rest == NULL)
        return g_strdup(text);
    g_string_append(rest, text + copied);
    return g_string_free(g_steal_pointer(&rest), FALSE);
}

/* ---------------------------------------------------------------- */
/* Part contents                                                     */

/*
 * The encoded content of part.  Normally a pointer into the raw bytes
 * (the parser keeps parts as substreams of our stream), with
 * *raw_off_out its offset in ctx->source; otherwise a copy in *copy_out
 * and *raw_off_out G_MAXSIZE.
 */
static const guint8 *
part_encoded(ParseCtx *ctx, GMimePart *part, gsize *len_out,
             gsize *raw_off_out, GByteArray **copy_out)
{
    GMimeDataWrapper *wrapper = g_mime_part_get_content(part);
    GMimeStream *stream =
        wrapper != NULL ? g_mime_data_wrapper_get_stream(wrapper) : NULL;
    GByteArray *copy;
    char buf[CHUNK];
    gssize n;

    *copy_out = NULL;
    *raw_off_out = G_MAXSIZE;
    *len_out = 0;
    if (stream == NULL)
        return NULL;
    if (GMIME_IS_STREAM_MEM(stream) &&
        GMIME_STREAM_MEM(stream)->buffer == ctx->array) {
        gint64 start = stream->bound_start;
        gint64 end = stream->bound_end;

        if (end < 0 || end > (gint64)ctx->array->len)
            end = ctx->array->len;
        if (start < 0 || start > end)
            return NULL;
        *len_out = (gsize)(end - start);
        *raw_off_out = ctx->skip + (gsize)start;
        return ctx->array->data + start;
    }
    copy = g_byte_array_new();
    g_mime_stream_reset(stream);
    while ((n = g_mime_stream_read(stream, buf, sizeof(buf))) > 0)
        g_byte_array_append(copy, (const guint8 *)buf, (guint)n);
    g_mime_stream_reset(stream);
    *copy_out = copy;
    *len_out = copy->len;
    return copy->data;
}

/* GMime's decoder for quoted-printable (it is fine), in chunks so a
 * count needs no buffer of the whole size. */
static void
decode_with_gmime(GMimeContentEncoding encoding, const guint8 *in,
                  gsize len, GByteArray *out, gsize *size_out)
{
    GMimeEncoding state;
    g_autofree char *buf = NULL;
    gsize size = 0;
    gsize n;

    g_mime_encoding_init_decode(&state, encoding);
    buf = g_malloc(g_mime_encoding_outlen(&state, CHUNK) + 16);
    for (gsize pos = 0; pos < len; pos += CHUNK) {
        gsize take = MIN(CHUNK, len - pos);

        n = g_mime_encoding_step(&state, (const char *)in + pos, take, buf);
        if (out != NULL)
            g_byte_array_append(out, (const guint8 *)buf, (guint)n);
        size += n;
    }
    n = g_mime_encoding_flush(&state, NULL, 0, buf);
    if (out != NULL)
        g_byte_array_append(out, (const guint8 *)buf, (guint)n);
    size += n;
    *size_out = size;
}

/*
 * The decoded content of part.  With count_only just *size_out is set
 * and NULL returned.  For text parts (is_text) non-base64 lines after
 * base64 data are kept as text; for attachments they are dropped.
 */
static GBytes *
decode_part(ParseCtx *ctx, GMimePart *part, bool is_text, bool count_only,
            gsize *size_out)
{
    GMimeDataWrapper *wrapper = g_mime_part_get_content(part);
    GMimeContentEncoding encoding =
        wrapper != NULL ? g_mime_data_wrapper_get_encoding(wrapper)
                        : GMIME_CONTENT_ENCODING_DEFAULT;
    g_autoptr(GByteArray) copy = NULL;
    gsize len;
    gsize raw_off;
    gsize size = 0;
    const guint8 *in = part_encoded(ctx, part, &len, &raw_off, &copy);

    *size_out = 0;
    if (in == NULL)
        return count_only ? NULL : g_bytes_new(NULL, 0);
    switch (encoding) {
    case GMIME_CONTENT_ENCODING_BASE64: {
        /* Decoded base64 plus any text after it never exceeds len. */
        guint8 *buf = count_only ? NULL : g_malloc(len + 4);
        gsize tail = b64_decode_tolerant(in, len, buf, &size);

        if (tail < len) {
            message_add_problem(ctx->msg,
                                "base64 content has %s text after the data",
                                is_text ? "plain" : "ignored");
            if (is_text && buf != NULL) {
                if (size > 0 && buf[size - 1] != '\n')
                    buf[size++] = '\n';
                memcpy(buf + size, in + tail, len - tail);
                size += len - tail;
            }
        }
        *size_out = size;
        if (buf == NULL)
            return NULL;
        return g_bytes_new_take(g_realloc(buf, MAX(size, 1)), size);
    }
    case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE: {
        g_autoptr(GByteArray) out = NULL;

        if (!count_only)
            out = g_byte_array_sized_new((guint)MIN(len, G_MAXINT));

        decode_with_gmime(encoding, in, len, out, &size);
        *size_out = size;
        if (out == NULL)
            return NULL;
        return g_byte_array_free_to_bytes(g_steal_pointer(&out));
    }
    case GMIME_CONTENT_ENCODING_UUENCODE: {
        gsize pos = 0;
        const char *line;
        gsize line_len;
        GBytes *data = NULL;
        bool ok = false;
        bool begun = false;

        while (!ok && next_line((const char *)in, len, &pos, &line,
                                &line_len)) {
            g_autofree char *name = uu_begin_name(line, line_len);

            if (name != NULL) {
                begun = true;
                ok = uu_decode_block((const char *)in, len, &pos, true,
                                     count_only, &data, &size);
            }
        }
        /* The part header already says uuencode; some mailers leave
         * out the begin and end lines (Eudora). */
        if (!begun) {
            pos = 0;
            ok = uu_decode_block((const char *)in, len, &pos, false,
                                 count_only, &data, &size);
        }
        if (!ok) {
            message_add_problem(ctx->msg, "uuencoded part is broken");
            return count_only ? NULL : g_bytes_new(NULL, 0);
        }
        *size_out = size;
        return data;
    }
    default:
        *size_out = len;
        if (count_only)
            return NULL;
        /* Unencoded: share the raw bytes instead of copying them. */
        if (raw_off != G_MAXSIZE)
            return g_bytes_new_from_bytes(ctx->source, raw_off, len);
        return g_bytes_new(in, len);
    }
}

/* ---------------------------------------------------------------- */
/* Text                                                              */

/* RFC 3676 format=flowed: soft-broken lines (ending in a space) are
 * joined into one line, so rules and quote detection see sentences. */
static char *
unflow(const char *text, bool delsp)
{
    gsize len = strlen(text);
    GString *out = g_string_sized_new(len);
    g_autoptr(GString) para = g_string_new(NULL);
    guint para_q = 0;
    bool open = false;
    gsize pos = 0;

    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        gsize l = nl != NULL ? (gsize)(nl - start) : len - pos;
        guint q = 0;
        const char *body;
        gsize body_len;
        bool soft;

        pos += nl != NULL ? l + 1 : l;
        while (q < l && start[q] == '>')
            q++;
        body = start + q;
        body_len = l - q;
        if (body_len > 0 && body[0] == ' ') {
            body++;
            body_len--;
        }
        soft = body_len > 0 && body[body_len - 1] == ' ' &&
               !(body_len == 3 && strncmp(body, "-- ", 3) == 0);
        if (open && q != para_q) {
            for (guint i = 0; i < para_q; i++)
                g_string_append_c(out, '>');
            if (para_q > 0)
                g_string_append_c(out, ' ');
            g_string_append_len(out, para->str, (gssize)para->len);
            g_string_append_c(out, '\n');
            g_string_truncate(para, 0);
            open = false;
        }
        para_q = q;
        g_string_append_len(para, body,
                            (gssize)(soft && delsp ? body_len - 1
                                                   : body_len));
        open = soft;
        if (!open) {
            for (guint i = 0; i < q; i++)
                g_string_append_c(out, '>');
            if (q > 0 && para->len > 0)
                g_string_append_c(out, ' ');
            g_string_append_len(out, para->str, (gssize)para->len);
            if (nl != NULL)
                g_string_append_c(out, '\n');
            g_string_truncate(para, 0);
        }
    }
    if (open) {
        for (guint i = 0; i < para_q; i++)
            g_string_append_c(out, '>');
        if (para_q > 0)
            g_string_append_c(out, ' ');
        g_string_append_len(out, para->str, (gssize)para->len);
    }
    return g_string_free(out, FALSE);
}

/* The charset an HTML document declares in a <meta>, or NULL. */
static char *
html_meta_charset(const guint8 *data, gsize len)
{
    gsize n = MIN(len, 4096);
    g_autofree char *head = g_ascii_strdown((const char *)data, (gssize)n);
    const char *p = strstr(head, "charset=");
    gsize l = 0;

    if (p == NULL)
        return NULL;
    p += 8;
    while (*p == '"' || *p == '\'' || *p == ' ')
        p++;
    while (g_ascii_isalnum(p[l]) || p[l] == '-' || p[l] == '_' ||
           p[l] == '.' || p[l] == ':')
        l++;
    return l > 0 ? g_strndup(p, l) : NULL;
}

static bool
is_wide_charset(const char *label)
{
    return label != NULL && (g_ascii_strncasecmp(label, "utf-16", 6) == 0 ||
                             g_ascii_strncasecmp(label, "utf-32", 6) == 0 ||
                             g_ascii_strncasecmp(label, "ucs", 3) == 0);
}

/* Raw 8-bit header bytes are most likely in the charset of the first
 * text part (C22 02: koi8-r): remember it for read_headers(). */
static void
note_charset(ParseCtx *ctx, GMimeObject *obj)
{
    const char *cs = g_mime_object_get_content_type_parameter(obj,
                                                              "charset");

    if (ctx->first_charset == NULL && cs != NULL && *cs != '\0')
        ctx->first_charset = g_strdup(cs);
}

/*
 * The text of a text/plain or text/html leaf as UTF-8 with LF line
 * ends; HTML stays HTML here.
 */
static char *
part_text(ParseCtx *ctx, GMimePart *part, bool is_html)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    const char *label = g_mime_object_get_content_type_parameter(obj,
                                                                 "charset");
    g_autofree char *meta = NULL;
    gsize size;
    g_autoptr(GBytes) bytes = decode_part(ctx, part, true, false, &size);
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    g_autofree guint8 *nonul = NULL;
    char *text;

    note_charset(ctx, obj);
    if (label != NULL && *label == '\0')
        label = NULL;
    if (label == NULL && is_html && data != NULL)
        label = meta = html_meta_charset(data, len);
    /* A NUL ends a C string: in 8-bit text it is junk, not a char. */
    if (data != NULL && !is_wide_charset(label) &&
        memchr(data, '\0', len) != NULL) {
        nonul = g_memdup2(data, len);
        for (gsize i = 0; i < len; i++)
            if (nonul[i] == '\0')
                nonul[i] = ' ';
        data = nonul;
        message_add_problem(ctx->msg, "text part contains NUL bytes");
    }
    text = charset_to_utf8(data != NULL ? (const char *)data : "",
                           (gssize)len, label, ctx->fallbacks);
    normalize_newlines(text);
    if (!is_html) {
        const char *format =
            g_mime_object_get_content_type_parameter(obj, "format");
        const char *delsp =
            g_mime_object_get_content_type_parameter(obj, "delsp");

        if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0) {
            char *flowed = unflow(
                text, delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0);

            g_free(text);
            text = flowed;
        }
    }
    return text;
}

/* Append one inline piece of text, a blank line between pieces, within
 * max_text_bytes. */
static void
append_text(ParseCtx *ctx, const char *piece)
{
    gsize len = strlen(piece);
    gsize room;

    while (len > 0 && g_ascii_isspace(piece[len - 1]))
        len--;
    if (ctx->text_full || len == 0)
        return;
    if (ctx->text->len > 0)
        g_string_append(ctx->text, "\n\n");
    room = ctx->lim->max_text_bytes > ctx->text->len
               ? ctx->lim->max_text_bytes - ctx->text->len
               : 0;
    if (len > room) {
        len = utf8_cut(piece, len, room);
        ctx->text_full = true;
        message_add_problem(ctx->msg, "text truncated at %zu bytes",
                            ctx->lim->max_text_bytes);
    }
    g_string_append_len(ctx->text, piece, (gssize)len);
}

/* ---------------------------------------------------------------- */
/* TNEF (winmail.dat)                                                */

#define TNEF_SIGNATURE 0x223E9F78u
#define TNEF_LVL_ATTACHMENT 0x02
#define ATT_ATTACH_DATA 0x800Fu
#define ATT_ATTACH_TITLE 0x8010u
#define ATT_ATTACH_REND_DATA 0x9002u
#define ATT_ATTACHMENT 0x9005u
#define PR_ATTACH_DATA_OBJ 0x3701u
#define PR_ATTACH_LONG_FILENAME 0x3707u
#define PR_ATTACH_MIME_TAG 0x370Eu

static guint32
le32(const guint8 *p)
{
    return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
           (guint32)p[3] << 24;
}

static guint16
le16(const guint8 *p)
{
    return (guint16)(p[0] | p[1] << 8);
}

typedef struct {
    char *title;    /* attAttachTitle, 8.3 name */
    char *longname; /* PR_ATTACH_LONG_FILENAME */
    char *mime;     /* PR_ATTACH_MIME_TAG */
    gsize data_off; /* attAttachData in the TNEF bytes */
    gsize data_len;
    bool has_data;
} TnefAttachment;

static void
tnef_attachment_clear(TnefAttachment *ta)
{
    g_free(ta->title);
    g_free(ta->longname);
    g_free(ta->mime);
    memset(ta, 0, sizeof(*ta));
}

/* A MAPI string value: PT_STRING8 in the sender's code page or
 * PT_UNICODE (UTF-16LE). */
static char *
tnef_string(ParseCtx *ctx, guint16 type, const guint8 *p, gsize len)
{
    while (len > 0 && p[len - 1] == 0 && type == 0x001E)
        len--;
    if (type == 0x001F) {
        char *s = g_convert((const char *)p, (gssize)(len & ~(gsize)1),
                            "UTF-8", "UTF-16LE", NULL, NULL, NULL);

        if (s != NULL)
            return s;
        return NULL;
    }
    return charset_to_utf8((const char *)p, (gssize)len, NULL,
                           ctx->fallbacks);
}

/*
 * attAttachment: a MAPI property list (MS-OXTNEF 2.1.3.4).  Only the
 * long file name, MIME tag and data object are taken; parsing stops at
 * a type it does not know the size of.
 */
static void
tnef_mapi_props(ParseCtx *ctx, const guint8 *base, gsize off, gsize len,
                TnefAttachment *ta)
{
    const guint8 *p = base + off;
    gsize pos = 4;
    guint32 count;

    if (len < 4)
        return;
    count = le32(p);
    for (guint32 i = 0; i < count && pos + 4 <= len; i++) {
        guint16 type = le16(p + pos);
        guint16 id = le16(p + pos + 2);
        bool multi = (type & 0x1000) != 0;
        guint16 base_type = type & 0x0FFF;
        guint32 nvalues = 1;
        gsize fixed = 0;

        pos += 4;
        if (id >= 0x8000) {
            guint32 kind;

            if (pos + 20 > len)
                return;
            kind = le32(p + pos + 16);
            pos += 20;
            if (kind == 0) {
                pos += 4;
            } else {
                guint32 nlen;

                if (pos + 4 > len)
                    return;
                nlen = le32(p + pos);
                pos += 4;
                if (nlen > len - pos)
                    return;
                pos += (nlen + 3) & ~3u;
            }
        }
        switch (base_type) {
        case 0x0002: case 0x0003: case 0x0004: case 0x000A: case 0x000B:
            fixed = 4;
            break;
        case 0x0005: case 0x0006: case 0x0007: case 0x0014: case 0x0040:
            fixed = 8;
            break;
        case 0x0048:
            fixed = 16;
            break;
        case 0x000D: case 0x001E: case 0x001F: case 0x0102:
            fixed = 0;
            break;
        default:
            return;
        }
        if (multi || fixed == 0) {
            if (pos + 4 > len)
                return;
            nvalues = le32(p + pos);
            pos += 4;
        }
        for (guint32 v = 0; v < nvalues; v++) {
            gsize vlen = fixed;
            gsize voff;

            if (fixed == 0) {
                if (pos + 4 > len)
                    return;
                vlen = le32(p + pos);
                pos += 4;
            }
            if (pos > len || vlen > len - pos)
                return;
            voff = pos;
            pos += fixed != 0 ? vlen : (vlen + 3) & ~(gsize)3;
            if (v != 0 || multi)
                continue;
            if (id == PR_ATTACH_LONG_FILENAME &&
                (base_type == 0x001E || base_type == 0x001F)) {
                g_free(ta->longname);
                ta->longname = tnef_string(ctx, base_type, p + voff, vlen);
            } else if (id == PR_ATTACH_MIME_TAG &&
                       (base_type == 0x001E || base_type == 0x001F)) {
                g_free(ta->mime);
                ta->mime = tnef_string(ctx, base_type, p + voff, vlen);
            } else if (id == PR_ATTACH_DATA_OBJ && base_type == 0x0102 &&
                       !ta->has_data) {
                ta->data_off = off + voff;
                ta->data_len = vlen;
                ta->has_data = true;
            }
        }
        if (pos > len)
            return;
    }
}

static guint
tnef_flush(ParseCtx *ctx, GBytes *tnef, TnefAttachment *ta)
{
    const char *name;
    const char *type;
    g_autoptr(GBytes) data = NULL;

    if (!ta->has_data) {
        tnef_attachment_clear(ta);
        return 0;
    }
    name = ta->longname != NULL && *ta->longname != '\0' ? ta->longname
                                                          : ta->title;
    type = ta->mime != NULL && strchr(ta->mime, '/') != NULL
               ? ta->mime
               : type_for_name(name != NULL ? name : "");
    data = g_bytes_new_from_bytes(tnef, ta->data_off, ta->data_len);
    add_attachment(ctx, name, type, data, ta->data_len);
    tnef_attachment_clear(ta);
    return 1;
}

/*
 * The files inside a TNEF stream (attAttachTitle, attAttachData,
 * attAttachment of each attachment, MS-OXTNEF 2.1.3).  Returns how
 * many were added; *broken when the stream ended early.
 */
static guint
tnef_extract(ParseCtx *ctx, GBytes *tnef, bool *broken)
{
    gsize n;
    const guint8 *d = g_bytes_get_data(tnef, &n);
    gsize pos = 6;
    guint found = 0;
    TnefAttachment ta = { 0 };

    *broken = false;
    if (d == NULL || n < 6 || le32(d) != TNEF_SIGNATURE) {
        *broken = true;
        return 0;
    }
    while (pos < n) {
        guint8 level;
        guint32 id;
        guint32 len;
        gsize data_off;

        if (n - pos < 9) {
            *broken = true;
            break;
        }
        level = d[pos];
        id = le32(d + pos + 1) & 0xFFFF;
        len = le32(d + pos + 5);
        pos += 9;
        if (len > n - pos) {
            *broken = true;
            break;
        }
        data_off = pos;
        pos += len;
        pos += MIN((gsize)2, n - pos); /* checksum, not verified */
        if (level != TNEF_LVL_ATTACHMENT)
            continue;
        switch (id) {
        case ATT_ATTACH_REND_DATA:
            found += tnef_flush(ctx, tnef, &ta);
            break;
        case ATT_ATTACH_TITLE:
            g_free(ta.title);
            ta.title = tnef_string(ctx, 0x001E, d + data_off, len);
            break;
        case ATT_ATTACH_DATA:
            ta.data_off = data_off;
            ta.data_len = len;
            ta.has_data = true;
            break;
        case ATT_ATTACHMENT:
            tnef_mapi_props(ctx, d, data_off, len, &ta);
            break;
        default:
            break;
        }
    }
    found += tnef_flush(ctx, tnef, &ta);
    return found;
}

/* ---------------------------------------------------------------- */
/* The MIME walk                                                     */

static char *
content_type_of(GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    g_autofree char *type =
        ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;

    return g_ascii_strdown(type != NULL ? type : "application/octet-stream",
                           -1);
}

static bool
is_inline_text_type(const char *type)
{
    return strcmp(type, "text/plain") == 0 ||
           strcmp(type, "text/html") == 0 ||
           strcmp(type, "text/enriched") == 0 ||
           strcmp(type, "text/richtext") == 0;
}

/* Decoded filename of a part (RFC 2231 by GMime, RFC 2047 by us), or
 * NULL. */
static char *
object_filename(ParseCtx *ctx, GMimeObject *obj)
{
    const char *name = NULL;

    if (GMIME_IS_PART(obj))
        name = g_mime_part_get_filename(GMIME_PART(obj));
    if (name == NULL)
        name = g_mime_object_get_content_disposition_parameter(obj,
                                                               "filename");
    if (name == NULL)
        name = g_mime_object_get_content_type_parameter(obj, "name");
    if (name == NULL || is_blank(name))
        return NULL;
    if (strstr(name, "=?") != NULL)
        return rfc2047_decode(name, ctx->fallbacks);
    return g_strdup(name);
}

/*
 * Text parts are inline text; a part is an attachment when its
 * disposition says so, when it has a file name, or when it is anything
 * but plain or HTML text (images, calendars, DSN parts...).
 */
static bool
is_attachment(GMimeObject *obj, const char *type, const char *filename)
{
    const char *disp = g_mime_object_get_disposition(obj);

    if (disp != NULL && g_ascii_strcasecmp(disp, "attachment") == 0)
        return true;
    if (filename != NULL)
        return true;
    return !is_inline_text_type(type);
}

static void
leaf_attachment(ParseCtx *ctx, GMimePart *part, const char *type,
                const char *filename)
{
    gsize size = 0;
    bool tnef = strstr(type, "ms-tnef") != NULL ||
                (filename != NULL &&
                 g_ascii_strcasecmp(filename, "winmail.dat") == 0);
    bool is_size_only =
        ctx->omit_data || (ctx->lim->is_attachment_size_only && !tnef);
    g_autoptr(GBytes) data =
        decode_part(ctx, part, false, is_size_only, &size);

    if (tnef && data != NULL) {
        bool broken = false;
        guint found = tnef_extract(ctx, data, &broken);

        if (broken) {
            g_autofree char *shown = g_utf8_make_valid(
                filename != NULL ? filename : "winmail.dat", -1);

            message_add_problem(ctx->msg, "TNEF attachment '%s' is broken%s",
                                shown, found > 0 ? "" : "; kept as is");
        }
        if (found > 0)
            return;
    }
    add_attachment(ctx, filename, type, data, size);
}

/* End of a part's header block at or after off: the offset just past
 * the empty line. */
static gsize
header_block_end(const char *d, gsize len, gsize off)
{
    for (gsize i = off; i < len; i++) {
        if (d[i] != '\n')
            continue;
        if (i + 1 < len && d[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && d[i + 1] == '\r' && d[i + 2] == '\n')
            return i + 3;
    }
    return len;
}

/*
 * A forwarded message (C30) is kept as the bytes it has in the outer
 * message: from after the part's header block to the line end before
 * the parent's next boundary (RFC 2046 5.1.1: that CRLF belongs to
 * the boundary).  Its body is never our text and its ids never ours.
 */
static void
rfc822_attachment(ParseCtx *ctx, GMimeObject *obj, GMimeObject *parent)
{
    GMimeMessage *inner =
        g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    GMimeHeaderList *headers = g_mime_object_get_header_list(obj);
    const char *d = (const char *)ctx->array->data;
    gsize len = ctx->array->len;
    GMimeHeaderList *inner_headers =
        inner != NULL ? g_mime_object_get_header_list(GMIME_OBJECT(inner))
                      : NULL;
    gint64 first = -1;
    gint64 inner_first = -1;
    gsize start;
    gsize end = len;
    g_autofree char *filename = object_filename(ctx, obj);
    g_autoptr(GBytes) data = NULL;

    if (inner_headers != NULL &&
        g_mime_header_list_get_count(inner_headers) > 0)
        inner_first = g_mime_header_get_offset(
            g_mime_header_list_get_header_at(inner_headers, 0));
    for (int i = 0; headers != NULL && i < g_mime_header_list_get_count(
                                                headers);
         i++) {
        gint64 off = g_mime_header_get_offset(
            g_mime_header_list_get_header_at(headers, i));

        if (off >= 0 && (first < 0 || off < first))
            first = off;
    }
    if (first >= 0 && first <= (gint64)len) {
        start = header_block_end(d, len, (gsize)first);
    } else if (inner_first >= 0 && inner_first <= (gint64)len) {
        /* A part without header lines (multipart/digest): the
         * message starts with its own first field. */
        start = (gsize)inner_first;
    } else {
        start = G_MAXSIZE;
    }
    if (start == G_MAXSIZE) {
        /* No position known: write it out again (not byte-exact). */
        g_autoptr(GMimeStream) mem = g_mime_stream_mem_new();

        message_add_problem(ctx->msg, "forwarded message re-serialized");
        if (inner != NULL)
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
        data = g_bytes_new(
            GMIME_STREAM_MEM(mem)->buffer->data,
            GMIME_STREAM_MEM(mem)->buffer->len);
    } else {
        const char *boundary =
            GMIME_IS_MULTIPART(parent)
                ? g_mime_object_get_content_type_parameter(parent,
                                                           "boundary")
                : NULL;

        if (boundary != NULL && *boundary != '\0') {
            g_autofree char *needle = g_strdup_printf("\n--%s", boundary);
            gsize from = start > 0 ? start - 1 : 0;
            const char *hit = memmem(d + from, len - from, needle,
                                     strlen(needle));

            if (hit != NULL) {
                end = (gsize)(hit - d);
                if (end > 0 && d[end - 1] == '\r')
                    end--;
            }
        }
        if (end < start)
            end = start;
        data = g_bytes_new_from_bytes(ctx->source, ctx->skip + start,
                                      end - start);
    }
    if (filename == NULL && inner_headers != NULL) {
        GMimeHeader *subject =
            g_mime_header_list_get_header(inner_headers, "Subject");

        if (subject != NULL) {
            g_autofree char *raw = header_trimmed(subject);
            g_autofree char *decoded = rfc2047_decode(raw, ctx->fallbacks);

            if (!is_blank(decoded))
                filename = g_strdup_printf("%s.eml", g_strstrip(decoded));
        }
    }
    if (filename == NULL)
        filename = g_strdup("forwarded-message.eml");
    add_attachment(ctx, filename, "message/rfc822",
                   ctx->omit_data ? NULL : data, g_bytes_get_size(data));
}

static void walk(ParseCtx *ctx, GMimeObject *obj, GMimeObject *parent,
                 guint depth, bool want_text);

static void
leaf_text(ParseCtx *ctx, GMimePart *part, const char *type)
{
    bool is_html = strcmp(type, "text/html") == 0;
    g_autofree char *text = part_text(ctx, part, is_html);

    if (is_html) {
        g_autofree char *plain = html_to_text(text, -1);

        if (ctx->msg->html == NULL)
            ctx->msg->html = g_steal_pointer(&text);
        append_text(ctx, plain);
    } else {
        g_autofree char *rest = extract_uuencoded(ctx, text);

        append_text(ctx, rest);
    }
}

static bool
has_html_child(GMimeObject *obj)
{
    g_autofree char *type = content_type_of(obj);

    if (strcmp(type, "text/html") == 0)
        return true;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);

        for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
            if (has_html_child(g_mime_multipart_get_part(mp, i)))
                return true;
    }
    return false;
}

/*
 * The first inline text/type leaf under obj that is not empty, not
 * looking into forwarded messages; NULL when there is none.
 */
static GMimePart *
first_text_leaf(ParseCtx *ctx, GMimeObject *obj, const char *want,
                guint depth)
{
    if (depth > ctx->lim->max_mime_depth)
        return NULL;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);

        for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
            GMimePart *hit = first_text_leaf(
                ctx, g_mime_multipart_get_part(mp, i), want, depth + 1);

            if (hit != NULL)
                return hit;
        }
    } else if (GMIME_IS_PART(obj)) {
        g_autofree char *type = content_type_of(obj);
        g_autofree char *name = object_filename(ctx, obj);

        g_autoptr(GByteArray) copy = NULL;
        gsize len = 0;
        gsize raw_off;
        const guint8 *in = NULL;

        if (strcmp(type, want) != 0 || is_attachment(obj, type, name))
            return NULL;
        /* An empty part is no text (C31 02); its encoded bytes tell. */
        in = part_encoded(ctx, GMIME_PART(obj), &len, &raw_off, &copy);
        for (gsize i = 0; in != NULL && i < len; i++)
            if (!g_ascii_isspace(in[i]))
                return GMIME_PART(obj);
    }
    return NULL;
}

/*
 * multipart/alternative: plain text unless it is empty or only white
 * space (C31 02), then HTML.  The plain alternative may itself be a
 * multipart (text with inline images between its pieces, RFC 8621
 * 4.1.4): the first alternative with a text/plain leaf is walked.
 * The other alternatives still give their attachments (images of a
 * multipart/related), and the first HTML among them is kept as
 * msg->html even when it sits in a multipart/related or mixed.
 */
static void
walk_alternative(ParseCtx *ctx, GMimeMultipart *mp, guint depth,
                 bool want_text)
{
    int count = g_mime_multipart_get_count(mp);
    int chosen = -1;
    g_autofree char *plain = NULL;

    if (want_text) {
        for (int i = 0; i < count && chosen < 0; i++) {
            GMimeObject *child = g_mime_multipart_get_part(mp, i);
            g_autofree char *type = content_type_of(child);
            g_autofree char *name = object_filename(ctx, child);

            if (GMIME_IS_MULTIPART(child)) {
                if (first_text_leaf(ctx, child, "text/plain", depth + 1) !=
                    NULL)
                    chosen = i;
                continue;
            }
            if (!GMIME_IS_PART(child) || strcmp(type, "text/plain") != 0 ||
                is_attachment(child, type, name))
                continue;
            plain = part_text(ctx, GMIME_PART(child), false);
            if (is_blank(plain))
                g_clear_pointer(&plain, g_free);
            else
                chosen = i;
        }
        for (int i = count - 1; i >= 0 && chosen < 0; i--)
            if (has_html_child(g_mime_multipart_get_part(mp, i)))
                chosen = i;
    }
    for (int i = 0; i < count; i++) {
        GMimeObject *child = g_mime_multipart_get_part(mp, i);

        if (i == chosen && plain != NULL) {
            g_autofree char *rest = extract_uuencoded(ctx, plain);

            ctx->parts++;
            append_text(ctx, rest);
        } else if (i == chosen) {
            walk(ctx, child, GMIME_OBJECT(mp), depth + 1, true);
        } else {
            /* Keep the HTML of a message that we read as plain text. */
            if (want_text && ctx->msg->html == NULL) {
                GMimePart *html =
                    first_text_leaf(ctx, child, "text/html", depth + 1);

                if (html != NULL)
                    ctx->msg->html = part_text(ctx, html, true);
            }
            walk(ctx, child, GMIME_OBJECT(mp), depth + 1, false);
        }
    }
}

static void
note_multipart_end(ParseCtx *ctx, GMimeObject *obj)
{
    const char *boundary =
        g_mime_object_get_content_type_parameter(obj, "boundary");
    g_autofree char *close = NULL;

    if (boundary == NULL || *boundary == '\0')
        return;
    close = g_strdup_printf("--%s--", boundary);
    if (memmem(ctx->array->data, ctx->array->len, close, strlen(close)) ==
        NULL)
        message_add_problem(ctx->msg,
                            "closing boundary of a multipart is missing");
}

/*
 * A multipart whose boundary never occurs has no parts: GMime keeps
 * all of its content as the prologue.  Dropping it would lose the
 * whole message, so it is read as text/plain in no declared charset,
 * decoded when its (for a multipart invalid) transfer encoding says
 * so.
 */
static void
multipart_without_parts(ParseCtx *ctx, GMimeMultipart *mp, bool want_text)
{
    const char *body = g_mime_multipart_get_prologue(mp);
    const char *cte = g_mime_object_get_header(GMIME_OBJECT(mp),
                                               "Content-Transfer-Encoding");
    GMimeContentEncoding enc = cte != NULL
                                   ? g_mime_content_encoding_from_string(cte)
                                   : GMIME_CONTENT_ENCODING_DEFAULT;
    g_autoptr(GByteArray) decoded = NULL;
    g_autofree char *text = NULL;
    g_autofree char *rest = NULL;
    gsize len;

    if (!want_text || body == NULL || is_blank(body))
        return;
    message_add_problem(ctx->msg, "multipart without parts read as text");
    len = strlen(body);
    if (enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_BASE64) {
        gsize size = 0;

        decoded = g_byte_array_new();
        decode_with_gmime(enc, (const guint8 *)body, len, decoded, &size);
        body = (const char *)decoded->data;
        len = decoded->len;
    }
    text = charset_to_utf8(body != NULL ? body : "", (gssize)len, NULL,
                           ctx->fallbacks);
    normalize_newlines(text);
    rest = extract_uuencoded(ctx, text);
    append_text(ctx, rest);
}

static void
walk(ParseCtx *ctx, GMimeObject *obj, GMimeObject *parent, guint depth,
     bool want_text)
{
    g_autofree char *type = NULL;

    if (obj == NULL)
        return;
    if (depth > ctx->lim->max_mime_depth) {
        if (!ctx->depth_exceeded)
            message_add_problem(ctx->msg, "MIME nesting deeper than %u",
                                ctx->lim->max_mime_depth);
        ctx->depth_exceeded = true;
        return;
    }
    if (ctx->parts >= ctx->lim->max_parts) {
        if (!ctx->parts_exceeded)
            message_add_problem(ctx->msg, "more than %u MIME parts",
                                ctx->lim->max_parts);
        ctx->parts_exceeded = true;
        return;
    }
    ctx->parts++;
    type = content_type_of(obj);
    if (GMIME_IS_MESSAGE_PART(obj)) {
        rfc822_attachment(ctx, obj, parent);
    } else if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);

        note_multipart_end(ctx, obj);
        if (g_mime_multipart_get_count(mp) == 0) {
            multipart_without_parts(ctx, mp, want_text);
        } else if (strcmp(type, "multipart/alternative") == 0) {
            walk_alternative(ctx, mp, depth, want_text);
        } else {
            for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
                walk(ctx, g_mime_multipart_get_part(mp, i), obj, depth + 1,
                     want_text);
        }
    } else if (GMIME_IS_PART(obj)) {
        g_autofree char *filename = object_filename(ctx, obj);

        if (g_str_has_prefix(type, "text/"))
            note_charset(ctx, obj);
        if (is_attachment(obj, type, filename))
            leaf_attachment(ctx, GMIME_PART(obj), type, filename);
        else if (want_text)
            leaf_text(ctx, GMIME_PART(obj), type);
    }
}

/* ---------------------------------------------------------------- */
/* Header fields                                                     */

/* A message id without <> and white space; NULL when there is none. */
static char *
msgid_clean(const char *value)
{
    const char *lt = strchr(value, '<');
    g_autofree char *id = NULL;

    if (lt != NULL) {
        const char *gt = strchr(lt + 1, '>');

        id = gt != NULL ? g_strndup(lt + 1, (gsize)(gt - lt - 1))
                        : g_strdup(lt + 1);
    } else {
        g_auto(GStrv) words = g_strsplit_set(value, " \t\r\n", -1);

        for (guint i = 0; words[i] != NULL && id == NULL; i++)
            if (*words[i] != '\0')
                id = g_strdup(words[i]);
    }
    if (id == NULL)
        return NULL;
    /* Folding inside an id is not part of it. */
    {
        char *w = id;

        for (const char *r = id; *r != '\0'; r++)
            if (!g_ascii_isspace(*r))
                *w++ = *r;
        *w = '\0';
    }
    if (*id == '\0')
        return NULL;
    /* Ids are ASCII by RFC 5322, but 8-bit bytes occur; the id is
     * stored and printed in JSON, so it must be UTF-8.  The same bytes
     * give the same id, so threading still matches them. */
    if (!g_utf8_validate(id, -1, NULL))
        return g_utf8_make_valid(id, -1);
    return g_steal_pointer(&id);
}

/* In-Reply-To: the first <id>, else a lone word with an "@". */
static char *
in_reply_to_clean(const char *value)
{
    if (strchr(value, '<') == NULL &&
        (strchr(value, '@') == NULL || strpbrk(value, " \t") != NULL))
        return NULL;
    return msgid_clean(value);
}

/* References: every <id> in order, or bare words with "@" when no
 * sender bothered with brackets.  Long chains keep the root and the
 * newest MAX_REFERENCES - 1. */
static void
parse_references(GPtrArray *out, const char *value)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);

    if (strchr(value, '<') != NULL) {
        const char *p = value;
        const char *lt;

        while ((lt = strchr(p, '<')) != NULL) {
            const char *gt = strchr(lt + 1, '>');
            g_autofree char *raw = NULL;
            char *id;

            if (gt == NULL)
                break;
            raw = g_strndup(lt, (gsize)(gt - lt + 1));
            id = msgid_clean(raw);
            if (id != NULL)
                g_ptr_array_add(ids, id);
            p = gt + 1;
        }
    } else {
        g_auto(GStrv) words = g_strsplit_set(value, " \t\r\n,", -1);

        for (guint i = 0; words[i] != NULL; i++)
            if (strchr(words[i], '@') != NULL)
                g_ptr_array_add(ids, msgid_clean(words[i]));
    }
    for (guint i = 0; i < ids->len; i++) {
        if (ids->len > MAX_REFERENCES && i > 0 &&
            i < ids->len - (MAX_REFERENCES - 1))
            continue;
        g_ptr_array_add(out, g_strdup(g_ptr_array_index(ids, i)));
    }
}

/* Something that looks like an address in an unparseable From. */
static char *
salvage_address(const char *value)
{
    static const char stop[] = " \t\r\n<>()[],;:\"'";
    const char *at = strchr(value, '@');

    while (at != NULL) {
        const char *s = at;
        const char *e = at + 1;

        while (s > value && strchr(stop, s[-1]) == NULL)
            s--;
        while (*e != '\0' && strchr(stop, *e) == NULL)
            e++;
        if (s < at && e > at + 1) {
            g_autofree char *addr = g_strndup(s, (gsize)(e - s));

            /* Lower case and UTF-8, as every address. */
            return util_email_normalize(addr);
        }
        at = strchr(at + 1, '@');
    }
    return NULL;
}

/* The display name of an unparseable From: the decoded text before
 * its "<", without enclosing quotes; NULL when there is none. */
static char *
salvage_name(const char *value, const char *const *fallbacks)
{
    const char *lt = strchr(value, '<');
    g_autofree char *phrase = NULL;
    g_autofree char *decoded = NULL;
    gsize len;

    if (lt == NULL || lt == value)
        return NULL;
    phrase = g_strndup(value, (gsize)(lt - value));
    decoded = g_strstrip(rfc2047_decode(phrase, fallbacks));
    len = strlen(decoded);
    if (len >= 2 && decoded[0] == '"' && decoded[len - 1] == '"') {
        decoded[len - 1] = '\0';
        memmove(decoded, decoded + 1, len - 1);
        g_strstrip(decoded);
    }
    return *decoded != '\0' ? g_steal_pointer(&decoded) : NULL;
}

/*
 * Mailers write a mailbox as "word (comment)" without angle brackets:
 * "Name (user@host)" puts the address in the comment, and
 * "MAILER-DAEMON (Mail Delivery System)" the name.  An address parser
 * reads the word as a local part without domain and drops the comment,
 * so each such list element is rewritten first: "Name <user@host>" or
 * "\"comment\" <word>".  Elements with angle brackets, an "@" outside
 * comments or group syntax are left as they are.
 */
static void
normalize_element(GString *out, const char *e, gsize n)
{
    g_autoptr(GString) outside = g_string_new(NULL);
    g_autoptr(GString) comment = g_string_new(NULL);
    bool in_quote = false;
    int depth = 0;
    bool plain = true;
    bool comment_done = false;
    g_autofree char *word = NULL;
    g_autofree char *note = NULL;

    for (gsize i = 0; i < n && plain; i++) {
        char c = e[i];

        if ((in_quote || depth > 0) && c == '\\' && i + 1 < n) {
            if (depth == 0)
                g_string_append_len(outside, e + i, 2);
            else if (!comment_done)
                g_string_append_len(comment, e + i, 2);
            i++;
        } else if (depth > 0) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            /* Only the first comment can be the name or address. */
            if (depth == 0)
                comment_done = true;
            else if (!comment_done)
                g_string_append_c(comment, c);
        } else if (in_quote) {
            in_quote = c != '"';
            g_string_append_c(outside, c);
        } else if (c == '(') {
            depth = 1;
        } else if (c == '<' || c == '@' || c == ':' || c == ';') {
            plain = false;
        } else {
            in_quote = c == '"';
            g_string_append_c(outside, c);
        }
    }
    if (plain) {
        word = g_strstrip(g_strdup(outside->str));
        note = g_strstrip(g_strdup(comment->str));
    }
    if (!plain || *word == '\0' || *note == '\0') {
        g_string_append_len(out, e, (gssize)n);
        return;
    }
    if (strchr(note, '@') != NULL && strpbrk(note, " \t\"<>(),;") == NULL) {
        g_string_append_printf(out, " %s <%s>", word, note);
    } else if (strpbrk(word, " \t\"") == NULL) {
        g_string_append(out, " \"");
        for (const char *p = note; *p != '\0'; p++) {
            if (*p == '\\' && p[1] != '\0')
                g_string_append_c(out, *p++);
            else if (*p == '"')
                g_string_append_c(out, '\\');
            g_string_append_c(out, *p);
        }
        g_string_append_printf(out, "\" <%s>", word);
    } else {
        g_string_append_len(out, e, (gssize)n);
    }
}

static char *
normalize_mailbox_forms(const char *raw)
{
    GString *out;
    bool in_quote = false;
    int depth = 0;
    bool in_angle = false;
    gsize start = 0;
    gsize n = strlen(raw);

    if (strchr(raw, '(') == NULL)
        return g_strdup(raw);
    out = g_string_sized_new(n + 16);
    for (gsize i = 0; i <= n; i++) {
        char c = raw[i];

        if ((in_quote || depth > 0) && c == '\\' && i + 1 < n) {
            i++;
        } else if (depth > 0) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        } else if (in_quote) {
            in_quote = c != '"';
        } else if (c == '(') {
            depth = 1;
        } else if (c == '"') {
            in_quote = true;
        } else if (c == '<' || c == '>') {
            in_angle = c == '<';
        } else if ((c == ',' && !in_angle) || c == '\0') {
            normalize_element(out, raw + start, i - start);
            if (c == ',')
                g_string_append_c(out, ',');
            start = i + 1;
        }
        if (i >= n)
            break;
    }
    if (start < n)
        normalize_element(out, raw + start, n - start);
    return g_string_free(out, FALSE);
}

/* need_domain: drop mailboxes without "@" ("To: Recipients", "To:
 * xxx"): nobody can be written to there.  From keeps them, where
 * MAILER-DAEMON names the kind of sender. */
static void
collect_addresses(InternetAddressList *list, GPtrArray *out, guint depth,
                  bool need_domain)
{
    int n = list != NULL ? internet_address_list_length(list) : 0;

    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);

        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            const char *addr = internet_address_mailbox_get_addr(
                INTERNET_ADDRESS_MAILBOX(ia));
            g_autofree char *email = NULL;

            if (addr == NULL || *addr == '\0')
                continue;
            if (need_domain && strchr(addr, '@') == NULL)
                continue;
            email = util_email_normalize(addr);
            g_ptr_array_add(out,
                            address_new(internet_address_get_name(ia), email));
        } else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 4) {
            collect_addresses(internet_address_group_get_members(
                                  INTERNET_ADDRESS_GROUP(ia)),
                              out, depth + 1, need_domain);
        }
    }
}

static void
parse_addresses(GMimeParserOptions *options, const char *raw,
                const char *const *fallbacks, bool need_domain,
                GPtrArray *out)
{
    g_autofree char *forms = normalize_mailbox_forms(raw);
    g_autofree char *repaired = rfc2047_repair_structured(forms, fallbacks);
    g_autoptr(InternetAddressList) list =
        internet_address_list_parse(options, repaired);

    collect_addresses(list, out, 0, need_domain);
}

/* The first address of a header, or NULL. */
static Address *
parse_one_address(GMimeParserOptions *options, const char *raw,
                  const char *const *fallbacks, bool need_domain)
{
    g_autoptr(GPtrArray) list =
        g_ptr_array_new_with_free_func((GDestroyNotify)address_free);

    parse_addresses(options, raw, fallbacks, need_domain, list);
    if (list->len == 0)
        return NULL;
    return g_ptr_array_steal_index(list, 0);
}

/* The top-level header fields in message order, without those GMime
 * added itself. */
static GPtrArray *
top_headers(GMimeObject *mime)
{
    GPtrArray *all = g_ptr_array_new();
    GMimeHeaderList *list = g_mime_object_get_header_list(mime);

    for (int i = 0; list != NULL && i < g_mime_header_list_get_count(list);
         i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

        /* Offset -1: added by GMime, not in the message. */
        if (g_mime_header_get_offset(h) >= 0)
            g_ptr_array_add(all, h);
    }
    return all;
}

static void
add_delivered_to(GMimeParserOptions *options, Message *msg, const char *raw)
{
    g_autoptr(GPtrArray) list =
        g_ptr_array_new_with_free_func((GDestroyNotify)address_free);

    parse_addresses(options, raw, NULL, false, list);
    if (list->len == 0 && *raw != '\0' && strpbrk(raw, " \t") == NULL)
        g_ptr_array_add(list, address_new(NULL, raw));
    for (guint i = 0; i < list->len; i++) {
        const Address *a = g_ptr_array_index(list, i);
        g_autofree char *email = util_email_normalize(a->email);
        bool seen = false;

        for (guint j = 0; j < msg->delivered_to->len && !seen; j++)
            seen = strcmp(g_ptr_array_index(msg->delivered_to, j), email) ==
                   0;
        if (!seen && *email != '\0')
            g_ptr_array_add(msg->delivered_to, g_steal_pointer(&email));
    }
}

static void
read_headers(ParseCtx *ctx, GMimeObject *mime, GMimeParserOptions *options)
{
    Message *msg = ctx->msg;
    g_autoptr(GPtrArray) headers = top_headers(mime);
    g_autoptr(GPtrArray) fb = g_ptr_array_new();
    g_autoptr(GPtrArray) gm_fb = g_ptr_array_new();
    const char *const *fallbacks;
    bool seen_received = false;
    bool seen_return_path = false;

    /* Raw 8-bit header bytes: the body's charset first (C22 02). */
    if (ctx->first_charset != NULL)
        g_ptr_array_add(fb, ctx->first_charset);
    for (const char *const *p = ctx->lim->fallback_charsets;
         p != NULL && *p != NULL; p++)
        g_ptr_array_add(fb, (gpointer)(uintptr_t)*p);
    g_ptr_array_add(fb, NULL);
    fallbacks = (const char *const *)fb->pdata;
    if (headers->len == 0)
        message_add_problem(msg, "message has no header fields");
    /* GMime decodes display names: give it the same guesses. */
    g_ptr_array_add(gm_fb, (gpointer) "UTF-8");
    for (guint i = 0; i + 1 < fb->len; i++)
        g_ptr_array_add(gm_fb, g_ptr_array_index(fb, i));
    g_ptr_array_add(gm_fb, (gpointer) "windows-1252");
    g_ptr_array_add(gm_fb, NULL);
    g_mime_parser_options_set_fallback_charsets(
        options, (const char **)(void *)gm_fb->pdata);

    for (guint i = 0; i < headers->len; i++) {
        GMimeHeader *h = g_ptr_array_index(headers, i);
        const char *name = g_mime_header_get_name(h);
        g_autofree char *raw = header_trimmed(h);
        const char *decoded = NULL; /* the field's value, when kept */

        if (name == NULL)
            continue;
        if (i < ctx->lim->max_headers) {
            HeaderField *field = g_new0(HeaderField, 1);

            field->name = g_strdup(name);
            field->value = rfc2047_decode(raw, fallbacks);
            decoded = field->value;
            g_ptr_array_add(msg->headers, field);
        } else if (i == ctx->lim->max_headers) {
            message_add_problem(msg, "more than %u header fields",
                                ctx->lim->max_headers);
        }

        if (g_ascii_strcasecmp(name, "Message-ID") == 0) {
            if (msg->message_id == NULL)
                msg->message_id = msgid_clean(raw);
        } else if (g_ascii_strcasecmp(name, "In-Reply-To") == 0) {
            if (msg->in_reply_to == NULL)
                msg->in_reply_to = in_reply_to_clean(raw);
        } else if (g_ascii_strcasecmp(name, "References") == 0) {
            if (msg->references->len == 0)
                parse_references(msg->references, raw);
        } else if (g_ascii_strcasecmp(name, "Subject") == 0) {
            if (*msg->subject == '\0') {
                g_free(msg->subject);
                msg->subject = decoded != NULL
                                   ? g_strdup(decoded)
                                   : rfc2047_decode(raw, fallbacks);
            }
        } else if (g_ascii_strcasecmp(name, "From") == 0) {
            if (msg->from == NULL) {
                msg->from = parse_one_address(options, raw, fallbacks,
                                              false);
                if (msg->from == NULL) {
                    g_autofree char *addr = salvage_address(raw);
                    g_autofree char *shown = g_utf8_make_valid(raw, -1);

                    if (addr != NULL) {
                        g_autofree char *phrase =
                            salvage_name(raw, fallbacks);

                        msg->from = address_new(phrase, addr);
                    }
                    message_add_problem(msg, "unparseable From: '%s'", shown);
                }
            }
        } else if (g_ascii_strcasecmp(name, "Reply-To") == 0) {
            if (msg->reply_to == NULL)
                msg->reply_to = parse_one_address(options, raw, fallbacks,
                                                  true);
        } else if (g_ascii_strcasecmp(name, "To") == 0) {
            parse_addresses(options, raw, fallbacks, true, msg->to);
        } else if (g_ascii_strcasecmp(name, "Cc") == 0) {
            parse_addresses(options, raw, fallbacks, true, msg->cc);
        } else if (g_ascii_strcasecmp(name, "Delivered-To") == 0 ||
                   g_ascii_strcasecmp(name, "X-Original-To") == 0) {
            add_delivered_to(options, msg, raw);
        } else if (g_ascii_strcasecmp(name, "Return-Path") == 0) {
            if (!seen_return_path) {
                g_autofree char *addr = util_email_normalize(raw);

                seen_return_path = true;
                msg->return_path = g_steal_pointer(&addr);
            }
        } else if (g_ascii_strcasecmp(name, "Date") == 0) {
            if (msg->date == MESSAGE_NO_TIME)
                msg->date = parse_date(raw);
        } else if (g_ascii_strcasecmp(name, "Received") == 0) {
            if (!seen_received) {
                const char *semi = strrchr(raw, ';');

                seen_received = true;
                if (semi != NULL)
                    msg->received_at = parse_date(semi + 1);
            }
        } else if (g_ascii_strcasecmp(name, "Thread-Index") == 0) {
            if (msg->thread_index == NULL) {
                gsize n = 0;
                guchar *bin = NULL;

                if (*raw != '\0')
                    bin = g_base64_decode(raw, &n);
                if (n > 0)
                    msg->thread_index = g_bytes_new_take(bin, n);
                else
                    g_free(bin);
            }
        } else if (g_ascii_strcasecmp(name, "Thread-Topic") == 0) {
            if (msg->thread_topic == NULL)
                msg->thread_topic = decoded != NULL
                                        ? g_strdup(decoded)
                                        : rfc2047_decode(raw, fallbacks);
        }
    }
}

/* ---------------------------------------------------------------- */
/* Entry points                                                      */

/*
 * "10:00:t": a time whose seconds are garbage.  GMime then drops the
 * whole time (00:00:00); hours and minutes are intact, so the seconds
 * go instead.  Returns the repaired value, or NULL when the time is
 * clean (or absent).
 */
static char *
date_without_bad_seconds(const char *value)
{
    for (const char *p = value; *p != '\0'; p++) {
        const char *q = p;
        const char *junk;
        g_autofree char *head = NULL;

        if (!g_ascii_isdigit(*p) || (p > value && !g_ascii_isspace(p[-1])))
            continue;
        while (g_ascii_isdigit(*q) && q - p < 2)
            q++;
        if (q[0] != ':' || !g_ascii_isdigit(q[1]) || !g_ascii_isdigit(q[2]))
            continue;
        junk = q + 3;
        if (junk[0] != ':' || g_ascii_isdigit(junk[1]))
            return NULL;
        q = junk;
        while (*q != '\0' && !g_ascii_isspace(*q))
            q++;
        head = g_strndup(value, (gsize)(junk - value));
        return g_strconcat(head, q, NULL);
    }
    return NULL;
}

gint64
parse_date(const char *value)
{
    g_autoptr(GDateTime) dt = NULL;
    g_autofree char *fixed = NULL;
    gint year;

    if (value == NULL)
        return MESSAGE_NO_TIME;
    parse_init();
    while (g_ascii_isspace(*value))
        value++;
    if (*value == '\0')
        return MESSAGE_NO_TIME;
    fixed = date_without_bad_seconds(value);
    dt = g_mime_utils_header_decode_date(fixed != NULL ? fixed : value);
    if (dt == NULL)
        return MESSAGE_NO_TIME;
    year = g_date_time_get_year(dt);
    /* GMime answers 1970 for what it cannot read; nothing we get was
     * written before 1980 or after 2100. */
    if (year < 1980 || year > 2100)
        return MESSAGE_NO_TIME;
    return g_date_time_to_unix(dt);
}

static void
warning_cb(gint64 offset, GMimeParserWarning code, const gchar *item,
           gpointer user_data)
{
    ParseCtx *ctx = user_data;
    const char *what = NULL;

    (void)offset;
    (void)item;
    switch (code) {
    case GMIME_WARN_MALFORMED_MULTIPART:
        what = "multipart without parts";
        break;
    case GMIME_WARN_TRUNCATED_MESSAGE:
        what = "message truncated";
        break;
    case GMIME_WARN_MALFORMED_MESSAGE:
        what = "message malformed";
        break;
    case GMIME_CRIT_INVALID_HEADER_NAME:
        what = "invalid header field name";
        break;
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        what = "multipart without boundary";
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        what = "MIME nesting too deep";
        break;
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        what = "MIME part without headers or content";
        break;
    default:
        return;
    }
    if (code < 32 && (ctx->warned & (1u << code)) != 0)
        return;
    if (code < 32)
        ctx->warned |= 1u << code;
    message_add_problem(ctx->msg, "%s", what);
}

/* Length of an mbox "From " envelope line at the start (Zammad's .box
 * files carry one); 0 when there is none. */
static gsize
mbox_envelope_len(const char *d, gsize len)
{
    const char *nl;

    if (len < 5 || memcmp(d, "From ", 5) != 0)
        return 0;
    nl = memchr(d, '\n', len);
    return nl != NULL ? (gsize)(nl - d) + 1 : len;
}

/* "Name:" at the start of a line: an RFC 5322 field name. */
static bool
is_header_line(const char *d, gsize len)
{
    gsize i = 0;

    while (i < len && d[i] > ' ' && d[i] < 0x7F && d[i] != ':')
        i++;
    return i > 0 && i < len && d[i] == ':';
}

/*
 * Where the header really starts when GMime found none: some tools put
 * a line of their own above it ("---- Original email message ----").
 * Looks at the first lines only; 0 when no header follows.
 */
static gsize
find_header_start(const char *d, gsize len)
{
    gsize pos = 0;

    for (guint n = 0; n < 10 && pos < len; n++) {
        const char *nl = memchr(d + pos, '\n', len - pos);
        gsize next = nl != NULL ? (gsize)(nl - d) + 1 : len;

        if (pos > 0 && is_header_line(d + pos, next - pos) && next < len &&
            (is_header_line(d + next, len - next) || d[next] == ' ' ||
             d[next] == '\t'))
            return pos;
        pos = next;
    }
    return 0;
}

/* A line "name=value" of a parameter list (RFC 2045 5.1). */
static bool
is_param_line(const char *d, gsize len)
{
    gsize i = 0;

    if (len == 0 || !g_ascii_isalpha(d[0]))
        return false;
    while (i < len && (g_ascii_isalnum(d[i]) || d[i] == '-' ||
                       d[i] == '_' || d[i] == '*'))
        i++;
    return i < len && d[i] == '=';
}

/* One byte repair_unfolded_params() inserts. */
typedef struct {
    gsize off;
    char c;
} Insert;

/* True when a quoted string is still open at the end of [p, end). */
static bool
ends_in_quote(const char *p, const char *end, bool in_quote)
{
    for (; p < end; p++) {
        if (in_quote && *p == '\\' && p + 1 < end)
            p++;
        else if (*p == '"')
            in_quote = !in_quote;
    }
    return in_quote;
}

/*
 * Exchange sometimes writes a Content-* parameter on a line of its own
 * without the leading white space of a fold ("...alternative;" then
 * "boundary=..."), so the boundary is lost and the parts with it.
 * Others fold correctly but leave out the ";" before the parameter
 * ("multipart/mixed" then "\tboundary=...").  Returns a copy with the
 * fold or the ";" restored, or NULL when nothing needs it.
 */
static GBytes *
repair_unfolded_params(const char *d, gsize len)
{
    g_autoptr(GArray) at = NULL;
    const char *p = d;
    const char *hit;
    GByteArray *out;
    gsize copied = 0;

    while ((hit = memmem(p, len - (gsize)(p - d), "ontent-", 7)) != NULL) {
        const char *line = hit - 1;
        bool in_quote = false;

        p = hit + 7;
        if (line < d || (*line != 'C' && *line != 'c') ||
            (line > d && line[-1] != '\n'))
            continue;
        if (!is_header_line(line, len - (gsize)(line - d)))
            continue;
        /* Walk the field's lines; each unfolded parameter line after
         * one ending in ';' gets a fold, each folded one after a line
         * without ';' gets the ';'. */
        for (;;) {
            const char *nl = memchr(line, '\n', len - (gsize)(line - d));
            const char *end = nl;
            const char *next;
            const char *cont;

            if (nl == NULL)
                break;
            while (end > line && (end[-1] == '\r' || end[-1] == ' ' ||
                                  end[-1] == '\t'))
                end--;
            in_quote = ends_in_quote(line, end, in_quote);
            next = nl + 1;
            if (next >= d + len)
                break;
            if (*next == ' ' || *next == '\t') {
                cont = next;
                while (cont < d + len && (*cont == ' ' || *cont == '\t'))
                    cont++;
                if (!in_quote && end > line && end[-1] != ';' &&
                    end[-1] != ':' &&
                    is_param_line(cont, len - (gsize)(cont - d))) {
                    Insert ins = { (gsize)(end - d), ';' };

                    if (at == NULL)
                        at = g_array_new(FALSE, FALSE, sizeof(Insert));
                    g_array_append_val(at, ins);
                }
                line = next;
                continue;
            }
            if (end > line && end[-1] == ';' &&
                is_param_line(next, len - (gsize)(next - d))) {
                Insert ins = { (gsize)(next - d), ' ' };

                if (at == NULL)
                    at = g_array_new(FALSE, FALSE, sizeof(Insert));
                g_array_append_val(at, ins);
                line = next;
                continue;
            }
            break;
        }
        p = line + 1 > p ? line + 1 : p;
    }
    if (at == NULL)
        return NULL;
    out = g_byte_array_sized_new((guint)(len + at->len));
    for (guint i = 0; i < at->len; i++) {
        const Insert *ins = &g_array_index(at, Insert, i);

        g_byte_array_append(out, (const guint8 *)d + copied,
                            (guint)(ins->off - copied));
        g_byte_array_append(out, (const guint8 *)&ins->c, 1);
        copied = ins->off;
    }
    g_byte_array_append(out, (const guint8 *)d + copied,
                        (guint)(len - copied));
    return g_byte_array_free_to_bytes(out);
}

/* Build the text fields when GMime found no message at all. */
static void
fallback_text(ParseCtx *ctx)
{
    gsize len = ctx->array->len;
    g_autofree guint8 *copy = NULL;
    g_autofree char *text = NULL;

    if (len == 0)
        return;
    len = utf8_cut((const char *)ctx->array->data, len,
                   ctx->lim->max_text_bytes);
    copy = g_memdup2(ctx->array->data, len);
    for (gsize i = 0; i < len; i++)
        if (copy[i] == '\0')
            copy[i] = ' ';
    text = charset_to_utf8((const char *)copy, (gssize)len, NULL,
                           ctx->fallbacks);
    normalize_newlines(text);
    append_text(ctx, text);
}

/*
 * Point ctx->array at source from ctx->skip on and let GMime parse it
 * in place.  GMime's parts keep substreams of the array: it must
 * outlive the returned part (release_array() after the unref).
 */
static GMimeObject *
construct(ParseCtx *ctx, GMimeParserOptions *options)
{
    gsize len;
    const char *data = g_bytes_get_data(ctx->source, &len);
    g_autoptr(GMimeStream) stream = NULL;
    g_autoptr(GMimeParser) parser = NULL;

    ctx->array = g_byte_array_new();
    ctx->array->data =
        (guint8 *)(uintptr_t)(data != NULL ? data + ctx->skip : NULL);
    ctx->array->len = (guint)(len - ctx->skip);
    if (ctx->array->len == 0)
        return NULL;
    stream = g_mime_stream_mem_new_with_byte_array(ctx->array);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_persist_stream(parser, TRUE);
    /* A part, not a GMimeMessage: read_headers() reads every header
     * field itself, and a message had GMime decode the header fields
     * and parse the address lists first, for nothing (6% of a parse). */
    return g_mime_parser_construct_part(parser, options);
}

static void
release_array(ParseCtx *ctx)
{
    if (ctx->array == NULL)
        return;
    ctx->array->data = NULL;
    ctx->array->len = 0;
    g_byte_array_free(ctx->array, TRUE);
    ctx->array = NULL;
}

static GMimeParserOptions *
parser_options(ParseCtx *ctx, GPtrArray *charsets)
{
    GMimeParserOptions *options = g_mime_parser_options_new();

    g_ptr_array_add(charsets, (gpointer) "UTF-8");
    for (const char *const *p = ctx->fallbacks; *p != NULL; p++)
        g_ptr_array_add(charsets, (gpointer)(uintptr_t)*p);
    g_ptr_array_add(charsets, (gpointer) "windows-1252");
    g_ptr_array_add(charsets, NULL);
    g_mime_parser_options_set_rfc2047_compliance_mode(
        options, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(
        options, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(
        options, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(options, TRUE);
    g_mime_parser_options_set_fallback_charsets(
        options, (const char **)(void *)charsets->pdata);
    g_mime_parser_options_set_warning_callback(options, warning_cb, ctx);
    return options;
}

Status
parse_message(GBytes *raw, const Limits *lim, Message **msg_out,
              GError **error)
{
    return parse_message_hashed(raw, NULL, lim, msg_out, error);
}

Status
parse_message_hashed(GBytes *raw, const char *sha256, const Limits *lim,
                     Message **msg_out, GError **error)
{
    static const char *const no_fallbacks[] = { NULL };
    g_autoptr(Message) msg = message_new(raw);
    g_autoptr(GPtrArray) charsets = g_ptr_array_new();
    g_autoptr(GMimeParserOptions) options = NULL;
    g_autoptr(GBytes) repaired = NULL;
    ParseCtx ctx = { 0 };
    Limits defaults;
    gsize len;
    const char *data;
    GMimeObject *mime;

    (void)error;
    parse_init();
    if (lim == NULL) {
        limits_init_default(&defaults);
        lim = &defaults;
    }
    data = g_bytes_get_data(msg->raw, &len);
    if (data == NULL)
        data = "";
    if (sha256 != NULL)
        g_strlcpy(msg->sha256, sha256, sizeof msg->sha256);
    else
        util_sha256_hex(data, len, msg->sha256);

    ctx.msg = msg;
    ctx.lim = lim;
    ctx.fallbacks = lim->fallback_charsets != NULL ? lim->fallback_charsets
                                                   : no_fallbacks;
    ctx.omit_data = len > lim->max_message_bytes;
    ctx.text = g_string_new(NULL);
    ctx.source = msg->raw;
    repaired = repair_unfolded_params(data, len);
    if (repaired != NULL) {
        message_add_problem(msg, "header parameter without folding or ';'");
        ctx.source = repaired;
        data = g_bytes_get_data(repaired, &len);
    }
    ctx.skip = mbox_envelope_len(data, len);
    options = parser_options(&ctx, charsets);

    mime = construct(&ctx, options);
    if (mime == NULL && ctx.array->len > 0) {
        gsize start = find_header_start(data + ctx.skip, len - ctx.skip);

        if (start > 0) {
            message_add_problem(msg, "text before the header ignored");
            release_array(&ctx);
            ctx.skip += start;
            mime = construct(&ctx, options);
        }
    }

    if (mime == NULL) {
        if (ctx.array->len == 0) {
            message_add_problem(msg, "empty message");
        } else {
            message_add_problem(msg, "not a MIME message");
            fallback_text(&ctx);
        }
    } else {
        walk(&ctx, mime, NULL, 0, true);
        read_headers(&ctx, mime, options);
        /* Parts are substreams of the array: drop them first. */
        g_object_unref(mime);
    }
    release_array(&ctx);

    g_free(msg->text);
    msg->text = g_string_free(ctx.text, FALSE);
    g_free(msg->reply_text);
    msg->reply_text = quote_strip(msg->text);
    g_free(ctx.first_charset);
    *msg_out = g_steal_pointer(&msg);
    return ST_OK;
}
