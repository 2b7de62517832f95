/*
 * parse-floor.c - the floor for bench/ingest.sh: how fast GMime alone
 * reads and parses a Maildir, with no store, rules or threading.
 *
 * For each file in DIR/cur and DIR/new it reads the bytes, builds the
 * message with g_mime_parser_construct_message, decodes every leaf
 * part (including those inside message/rfc822 parts) into a null
 * stream, and frees everything.  That is the least work any
 * GMime-based ingest has to do, so `mailtriage ingest` is measured
 * against it.  Standalone on purpose: it links GMime only, never
 * libmailtriage.a, and is not part of the automake build.
 *
 *   cc -O2 -o parse-floor parse-floor.c $(pkg-config --cflags --libs gmime-3.0)
 *   ./parse-floor MAILDIR
 *
 * Prints one line: "parse-floor: N messages, S s, R msgs/s, B bytes".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

typedef struct {
    guint messages;
    guint failed;
    guint64 bytes;
} Counts;

static void
decode_parts(GMimeMessage *msg, GMimeStream *sink)
{
    GMimePartIter *iter = g_mime_part_iter_new((GMimeObject *)msg);

    /* The iterator descends into multiparts and message/rfc822 parts
     * alike, so attached messages are decoded too. */
    if (g_mime_part_iter_is_valid(iter)) {
        do {
            GMimeObject *obj = g_mime_part_iter_get_current(iter);
            GMimeDataWrapper *content;

            if (!GMIME_IS_PART(obj))
                continue;
            content = g_mime_part_get_content((GMimePart *)obj);
            if (content != NULL &&
                g_mime_data_wrapper_write_to_stream(content, sink) == -1)
                fprintf(stderr, "parse-floor: cannot decode a part\n");
        } while (g_mime_part_iter_next(iter));
    }
    g_mime_part_iter_free(iter);
}

static void
parse_file(const char *path, GMimeStream *sink, Counts *counts)
{
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;
    GMimeStream *stream;
    GMimeParser *parser;
    GMimeMessage *msg;

    if (!g_file_get_contents(path, &data, &len, &error)) {
        fprintf(stderr, "parse-floor: %s\n", error->message);
        g_error_free(error);
        counts->failed++;
        return;
    }
    counts->bytes += len;
    /* The stream takes the buffer over, as an ingest holding the raw
     * bytes in memory would hand them to GMime. */
    stream = g_mime_stream_mem_new_with_byte_array(
        g_byte_array_new_take((guint8 *)data, len));
    parser = g_mime_parser_new_with_stream(stream);
    msg = g_mime_parser_construct_message(parser, NULL);
    if (msg == NULL) {
        counts->failed++;
    } else {
        decode_parts(msg, sink);
        counts->messages++;
        g_object_unref(msg);
    }
    g_object_unref(parser);
    g_object_unref(stream);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
walk_subdir(const char *maildir, const char *sub, GMimeStream *sink,
            Counts *counts)
{
    char *dirpath = g_build_filename(maildir, sub, NULL);
    GError *error = NULL;
    GDir *dir = g_dir_open(dirpath, 0, &error);
    GPtrArray *names;
    const char *name;

    if (dir == NULL) {
        fprintf(stderr, "parse-floor: %s\n", error->message);
        g_error_free(error);
        g_free(dirpath);
        return -1;
    }
    /* Sorted, so every run reads the files in the same order. */
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)) != NULL) {
        if (name[0] != '.')
            g_ptr_array_add(names, g_strdup(name));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(dirpath, names->pdata[i], NULL);

        parse_file(path, sink, counts);
        g_free(path);
    }
    g_ptr_array_unref(names);
    g_free(dirpath);
    return 0;
}

int
main(int argc, char **argv)
{
    Counts counts = { 0 };
    GMimeStream *sink;
    gint64 start;
    double secs;

    if (argc != 2) {
        fprintf(stderr, "usage: parse-floor MAILDIR\n");
        return 64;
    }
    g_mime_init();
    sink = g_mime_stream_null_new();
    start = g_get_monotonic_time();
    if (walk_subdir(argv[1], "cur", sink, &counts) != 0 ||
        walk_subdir(argv[1], "new", sink, &counts) != 0) {
        g_object_unref(sink);
        g_mime_shutdown();
        return 66;
    }
    secs = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    printf("parse-floor: %u messages, %.3f s, %.0f msgs/s, %" G_GUINT64_FORMAT
           " bytes\n",
           counts.messages, secs, secs > 0 ? counts.messages / secs : 0.0,
           counts.bytes);
    if (counts.failed > 0)
        fprintf(stderr, "parse-floor: %u file(s) failed\n", counts.failed);
    g_object_unref(sink);
    g_mime_shutdown();
    return counts.failed > 0 ? 1 : 0;
}
