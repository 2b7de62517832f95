/*
 * json.c - the streaming JSON writer.
 */
#include "config.h"

#include "json.h"

#include "message.h"
#include "util.h"

struct JsonWriter {
    GString *out;
    bool is_pretty;
    GArray *has_items; /* per open container: a value was written */
    bool after_key;    /* a key was written, its value comes next */
};

JsonWriter *
json_writer_new(bool pretty)
{
    JsonWriter *w = g_new0(JsonWriter, 1);

    w->out = g_string_sized_new(4096);
    w->is_pretty = pretty;
    w->has_items = g_array_new(FALSE, FALSE, sizeof(bool));
    return w;
}

void
json_writer_free(JsonWriter *w)
{
    if (w == NULL)
        return;
    if (w->out != NULL)
        g_string_free(w->out, TRUE);
    g_array_unref(w->has_items);
    g_free(w);
}

char *
json_writer_finish(JsonWriter *w)
{
    char *text;

    g_assert(w->has_items->len == 0);
    if (w->is_pretty)
        g_string_append_c(w->out, '\n');
    text = g_string_free(g_steal_pointer(&w->out), FALSE);
    json_writer_free(w);
    return text;
}

static void
newline(JsonWriter *w)
{
    if (!w->is_pretty)
        return;
    g_string_append_c(w->out, '\n');
    for (guint i = 0; i < w->has_items->len; i++)
        g_string_append(w->out, "  ");
}

/* Before any value or key: the comma and the indentation. */
static void
before_item(JsonWriter *w)
{
    bool *has;

    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->has_items->len == 0)
        return;
    has = &g_array_index(w->has_items, bool, w->has_items->len - 1);
    if (*has)
        g_string_append_c(w->out, ',');
    *has = true;
    newline(w);
}

static void
open_container(JsonWriter *w, char c)
{
    bool no = false;

    before_item(w);
    g_string_append_c(w->out, c);
    g_array_append_val(w->has_items, no);
}

static void
close_container(JsonWriter *w, char c)
{
    bool had;

    g_assert(w->has_items->len > 0);
    had = g_array_index(w->has_items, bool, w->has_items->len - 1);
    g_array_set_size(w->has_items, w->has_items->len - 1);
    if (had)
        newline(w);
    g_string_append_c(w->out, c);
}

void
json_begin_object(JsonWriter *w)
{
    open_container(w, '{');
}

void
json_end_object(JsonWriter *w)
{
    close_container(w, '}');
}

void
json_begin_array(JsonWriter *w)
{
    open_container(w, '[');
}

void
json_end_array(JsonWriter *w)
{
    close_container(w, ']');
}

static void
append_escaped(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
         p++) {
        switch (*p) {
        case '"':  g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
}

void
json_key(JsonWriter *w, const char *key)
{
    before_item(w);
    append_escaped(w->out, key);
    g_string_append(w->out, w->is_pretty ? ": " : ":");
    w->after_key = true;
}

void
json_string(JsonWriter *w, const char *s)
{
    before_item(w);
    if (s == NULL)
        g_string_append(w->out, "null");
    else
        append_escaped(w->out, s);
}

void
json_int(JsonWriter *w, gint64 v)
{
    before_item(w);
    g_string_append_printf(w->out, "%" G_GINT64_FORMAT, v);
}

void
json_bool(JsonWriter *w, bool v)
{
    before_item(w);
    g_string_append(w->out, v ? "true" : "false");
}

void
json_null(JsonWriter *w)
{
    before_item(w);
    g_string_append(w->out, "null");
}

void
json_double(JsonWriter *w, double v, int decimals)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    char fmt[8];

    g_snprintf(fmt, sizeof(fmt), "%%.%df", CLAMP(decimals, 0, 9));
    before_item(w);
    g_string_append(w->out, g_ascii_formatd(buf, sizeof(buf), fmt, v));
}

void
json_time(JsonWriter *w, gint64 t)
{
    g_autofree char *iso = util_time_iso(t);

    json_string(w, iso);
}

void
json_kv_string(JsonWriter *w, const char *key, const char *s)
{
    json_key(w, key);
    json_string(w, s);
}

void
json_kv_int(JsonWriter *w, const char *key, gint64 v)
{
    json_key(w, key);
    json_int(w, v);
}

void
json_kv_bool(JsonWriter *w, const char *key, bool v)
{
    json_key(w, key);
    json_bool(w, v);
}

void
json_kv_time(JsonWriter *w, const char *key, gint64 t)
{
    json_key(w, key);
    json_time(w, t);
}

void
json_kv_double(JsonWriter *w, const char *key, double v, int decimals)
{
    json_key(w, key);
    json_double(w, v, decimals);
}
