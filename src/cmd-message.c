/*
 * cmd-message.c - `message raw ID` (the stored bytes, exactly) and
 * `message parse FILE` (what mailtriage sees in a message, without
 * touching the store: for support leads checking a strange mail, and
 * for the conformance tests).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "commands.h"
#include "json.h"
#include "parse.h"
#include "thread.h"
#include "util.h"

static Status
message_raw(Ctx *ctx, int argc, char **argv, GError **error)
{
    g_autoptr(Store) store = NULL;
    g_autoptr(GBytes) raw = NULL;
    bool help_shown = false;
    char *end = NULL;
    gint64 id;
    gsize len;
    const void *data;
    Status st;

    st = cmd_parse_options(&argc, &argv, "ID",
                           "Write the stored bytes of message ID to stdout, "
                           "byte for byte.",
                           NULL, &help_shown, error);
    if (st != ST_OK || help_shown)
        return st;
    if (argc != 2)
        return status_set(error, ST_USAGE, "usage: mailtriage message raw ID");
    id = g_ascii_strtoll(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || id <= 0)
        return status_set(error, ST_USAGE, "'%s' is not a message id",
                          argv[1]);
    if ((st = store_open(ctx->cfg->database, STORE_READ_ONLY, &store,
                         error)) != ST_OK ||
        (st = store_message_raw(store, id, &raw, error)) != ST_OK)
        return st;
    data = g_bytes_get_data(raw, &len);
    if (len > 0 && fwrite(data, 1, len, stdout) != len)
        return status_set(error, ST_IOERR, "message raw: cannot write: %s",
                          g_strerror(errno));
    return ST_OK;
}

static void
write_address(JsonWriter *w, const char *key, const Address *a)
{
    g_autofree char *text = a != NULL ? address_format(a) : NULL;

    json_kv_string(w, key, text);
}

static void
write_address_list(JsonWriter *w, const char *key, GPtrArray *list)
{
    json_key(w, key);
    json_begin_array(w);
    for (guint i = 0; i < list->len; i++) {
        const Address *a = g_ptr_array_index(list, i);

        json_begin_object(w);
        json_kv_string(w, "name", a->name);
        json_kv_string(w, "email", a->email);
        json_end_object(w);
    }
    json_end_array(w);
}

static void
write_parsed(JsonWriter *w, const Message *m, const char *tag_prefix)
{
    g_autofree char *normalized = thread_normalize_subject(m->subject,
                                                           tag_prefix);
    gint64 tag = thread_find_tag(m->subject, tag_prefix);

    json_begin_object(w);
    json_kv_string(w, "message_id", m->message_id);
    json_kv_string(w, "in_reply_to", m->in_reply_to);
    json_key(w, "references");
    json_begin_array(w);
    for (guint i = 0; i < m->references->len; i++)
        json_string(w, g_ptr_array_index(m->references, i));
    json_end_array(w);
    json_kv_string(w, "subject", m->subject);
    json_kv_string(w, "subject_normalized", normalized);
    json_key(w, "tag");
    if (tag > 0)
        json_int(w, tag);
    else
        json_null(w);
    write_address(w, "from", m->from);
    json_kv_string(w, "from_name", m->from != NULL ? m->from->name : NULL);
    json_kv_string(w, "from_email",
                   m->from != NULL ? m->from->email : NULL);
    write_address(w, "reply_to", m->reply_to);
    write_address_list(w, "to", m->to);
    write_address_list(w, "cc", m->cc);
    json_kv_time(w, "date", m->date);
    json_kv_time(w, "received_at", m->received_at);
    json_kv_string(w, "kind", message_kind_name(m->kind));
    json_kv_string(w, "kind_reason", m->kind_reason);
    json_kv_bool(w, "may_autoreply", classify_may_autoreply(m));
    json_kv_string(w, "sha256", m->sha256);
    json_kv_string(w, "text", m->text);
    json_kv_string(w, "reply_text", m->reply_text);
    json_kv_bool(w, "has_html", m->html != NULL);
    json_key(w, "attachments");
    json_begin_array(w);
    for (guint i = 0; i < m->attachments->len; i++) {
        const Attachment *a = g_ptr_array_index(m->attachments, i);
        char sha[65] = "";

        json_begin_object(w);
        json_kv_string(w, "filename", a->filename);
        json_kv_string(w, "content_type", a->content_type);
        json_kv_int(w, "size", (gint64)a->size);
        if (a->data != NULL) {
            gsize len;
            const void *data = g_bytes_get_data(a->data, &len);
            g_autofree char *md5 = g_compute_checksum_for_data(
                G_CHECKSUM_MD5, data, len);

            util_sha256_hex(data, len, sha);
            json_kv_string(w, "sha256", sha);
            json_kv_string(w, "md5", md5);
        }
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "problems");
    json_begin_array(w);
    for (guint i = 0; i < m->problems->len; i++)
        json_string(w, g_ptr_array_index(m->problems, i));
    json_end_array(w);
    json_end_object(w);
}

static Status
message_parse(Ctx *ctx, int argc, char **argv, GError **error)
{
    const ClassifyOptions copt = {
        .own_addresses = (const char *const *)ctx->cfg->support_addresses,
    };
    bool help_shown = false;
    g_autoptr(JsonWriter) w = json_writer_new(true);
    g_autofree char *text = NULL;
    Status st;

    st = cmd_parse_options(&argc, &argv, "FILE...",
                           "Parse message files as ingest would and print "
                           "what mailtriage sees, as JSON\n(one object per "
                           "file, in an array).  The store is not touched.",
                           NULL, &help_shown, error);
    if (st != ST_OK || help_shown)
        return st;
    if (argc < 2)
        return status_set(error, ST_USAGE,
                          "usage: mailtriage message parse FILE...");
    json_begin_array(w);
    for (int i = 1; i < argc; i++) {
        g_autoptr(GBytes) raw = NULL;
        g_autoptr(Message) msg = NULL;

        if ((st = util_read_file(argv[i], &raw, error)) != ST_OK ||
            (st = parse_message(raw, &ctx->cfg->limits, &msg, error)) !=
                ST_OK)
            return st;
        classify_message(msg, &copt);
        write_parsed(w, msg, ctx->cfg->subject_tag);
    }
    json_end_array(w);
    text = json_writer_finish(g_steal_pointer(&w));
    cmd_print(text);
    return ST_OK;
}

Status
cmd_message(Ctx *ctx, int argc, char **argv, GError **error)
{
    if (argc >= 2 && strcmp(argv[1], "raw") == 0)
        return message_raw(ctx, argc - 1, argv + 1, error);
    if (argc >= 2 && strcmp(argv[1], "parse") == 0)
        return message_parse(ctx, argc - 1, argv + 1, error);
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: mailtriage message raw ID\n"
               "       mailtriage message parse FILE...\n");
        return ST_OK;
    }
    return status_set(error, ST_USAGE,
                      "usage: mailtriage message raw ID | parse FILE...");
}
