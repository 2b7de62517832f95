/*
 * json.h - a small streaming JSON writer for the --json outputs.
 *
 * Writes into a GString with commas and indentation handled by a
 * nesting stack; strings are escaped per RFC 8259 (control characters
 * as \u00XX, valid UTF-8 assumed and passed through).  The writer does
 * no I/O: cmd-* prints the finished text.
 */
#ifndef MT_JSON_H
#define MT_JSON_H

#include <glib.h>
#include <stdbool.h>

typedef struct JsonWriter JsonWriter;

JsonWriter *json_writer_new(bool pretty);
/* Free the writer and return its text; the caller frees it. */
char *json_writer_finish(JsonWriter *w);
void json_writer_free(JsonWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(JsonWriter, json_writer_free)

void json_begin_object(JsonWriter *w);
void json_end_object(JsonWriter *w);
void json_begin_array(JsonWriter *w);
void json_end_array(JsonWriter *w);
/* The key of the next value inside an object. */
void json_key(JsonWriter *w, const char *key);

void json_string(JsonWriter *w, const char *s); /* NULL: null */
void json_int(JsonWriter *w, gint64 v);
void json_bool(JsonWriter *w, bool v);
void json_null(JsonWriter *w);
/* A number with `decimals` digits after the point (C locale). */
void json_double(JsonWriter *w, double v, int decimals);
/* ISO 8601 UTC, or null for MESSAGE_NO_TIME. */
void json_time(JsonWriter *w, gint64 t);

/* Key and value in one call. */
void json_kv_string(JsonWriter *w, const char *key, const char *s);
void json_kv_int(JsonWriter *w, const char *key, gint64 v);
void json_kv_bool(JsonWriter *w, const char *key, bool v);
void json_kv_time(JsonWriter *w, const char *key, gint64 t);
void json_kv_double(JsonWriter *w, const char *key, double v,
                    int decimals);

#endif
