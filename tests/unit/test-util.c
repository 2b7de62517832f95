/*
 * test-util.c - util.c, conf.c's duration parser and json.c.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "json.h"
#include "message.h"
#include "util.h"

static void
test_sha256(void)
{
    char hex[65];

    util_sha256_hex("", 0, hex);
    g_assert_cmpstr(hex, ==,
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                    "7852b855");
    util_sha256_hex("abc", 3, hex);
    g_assert_cmpstr(hex, ==,
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
                    "f20015ad");
}

static const struct {
    const char *text;
    bool is_ok;
    gint64 t;
} time_cases[] = {
    { "2025-03-10T07:14:02Z", true, 1741590842 },
    { "2025-03-10T08:14:02+01:00", true, 1741590842 },
    { "2025-03-10 07:14:02", true, 1741590842 },
    { "2025-03-10 07:14", true, 1741590840 },
    { "2025-03-10", true, 1741564800 },
    { "@1741590842", true, 1741590842 },
    { "@", false, 0 },
    { "@12x", false, 0 },
    /* Only times with a date in the years 1 to 9999. */
    { "@253402300799", true, 253402300799 },
    { "@-62135596800", true, -62135596800 },
    { "@253402300800", false, 0 },
    { "@9223372036854775807", false, 0 },
    { "tomorrow", false, 0 },
    { "2025-13-40", false, 0 },
    { "2025-03-10 07:14:02 junk", false, 0 },
    { "", false, 0 },
};

static void
test_time_parse(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(time_cases); i++) {
        gint64 t = 0;
        bool ok = util_time_parse(time_cases[i].text, &t);

        g_test_message("'%s'", time_cases[i].text);
        g_assert_cmpint(ok, ==, time_cases[i].is_ok);
        if (ok)
            g_assert_cmpint(t, ==, time_cases[i].t);
    }
}

static void
test_time_iso(void)
{
    g_autofree char *iso = util_time_iso(1741590842);

    g_assert_cmpstr(iso, ==, "2025-03-10T07:14:02Z");
    g_assert_null(util_time_iso(MESSAGE_NO_TIME));
}

static void
test_email_normalize(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { " <Alice@Example.COM> ", "alice@example.com" },
        { "bob@example.org", "bob@example.org" },
        { "", "" },
        /* Raw 8-bit bytes that are not UTF-8 become U+FFFD. */
        { "<B\xff@X.example>", "b\xef\xbf\xbd@x.example" },
        { "J\xc3\xb6rg@x.example", "j\xc3\xb6rg@x.example" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = util_email_normalize(cases[i].in);

        g_assert_cmpstr(got, ==, cases[i].out);
    }
    g_assert_true(util_strv_contains_ci(
        (const char *const[]){ "a@x", "B@Y", NULL }, "b@y"));
    g_assert_false(util_strv_contains_ci(
        (const char *const[]){ "a@x", NULL }, "b@y"));
    g_assert_false(util_strv_contains_ci(NULL, "b@y"));
}

static void
test_duration(void)
{
    static const struct {
        const char *text;
        bool is_ok;
        gint64 secs;
    } cases[] = {
        { "24h", true, 86400 }, { "90m", true, 5400 }, { "2d", true, 172800 },
        { "45s", true, 45 },    { "3600", true, 3600 }, { "1w", true, 604800 },
        { " 4H ", true, 14400 }, { "-1h", false, 0 },  { "h", false, 0 },
        { "4x", false, 0 },     { "4h5", false, 0 },   { "", false, 0 },
        { "99999999999999999999h", false, 0 },
        /* At most a century: every duration is added to a time. */
        { "36525d", true, 36525 * G_GINT64_CONSTANT(86400) },
        { "3155760000", true, 3155760000 }, { "3155760001", false, 0 },
        { "36526d", false, 0 }, { "5218w", false, 0 },
        { "100000000000d", false, 0 }, { "9223372036854775807", false, 0 },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        gint64 secs = 0;
        bool ok = config_parse_duration(cases[i].text, &secs);

        g_test_message("'%s'", cases[i].text);
        g_assert_cmpint(ok, ==, cases[i].is_ok);
        if (ok)
            g_assert_cmpint(secs, ==, cases[i].secs);
    }
}

static void
test_json(void)
{
    g_autoptr(JsonWriter) w = json_writer_new(false);
    g_autofree char *text = NULL;

    json_begin_object(w);
    json_kv_string(w, "s", "a\"b\\c\n\x01\xc3\xa9");
    json_kv_string(w, "null", NULL);
    json_kv_int(w, "n", -42);
    json_kv_bool(w, "t", true);
    json_kv_time(w, "at", 1741590842);
    json_kv_time(w, "never", MESSAGE_NO_TIME);
    json_key(w, "list");
    json_begin_array(w);
    json_int(w, 1);
    json_begin_object(w);
    json_end_object(w);
    json_begin_array(w);
    json_end_array(w);
    json_end_array(w);
    json_end_object(w);
    text = json_writer_finish(g_steal_pointer(&w));
    g_assert_cmpstr(text, ==,
                    "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\"null\":null,"
                    "\"n\":-42,\"t\":true,\"at\":\"2025-03-10T07:14:02Z\","
                    "\"never\":null,\"list\":[1,{},[]]}");
}

static void
test_atomic_write(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mt-util-XXXXXX", &error);
    g_autofree char *path = g_build_filename(dir, "f", NULL);
    g_autoptr(GBytes) back = NULL;
    const char data[] = "one\r\ntwo\0three";

    g_assert_no_error(error);
    g_assert_cmpint(util_write_file_atomic(path, data, sizeof(data), &error),
                    ==, ST_OK);
    g_assert_cmpint(util_read_file(path, &back, &error), ==, ST_OK);
    g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back),
                    data, sizeof(data));
    g_assert_cmpint(util_read_file("/nonexistent/x", &back, &error), ==,
                    ST_IOERR);
    g_assert_nonnull(strstr(error->message, "/nonexistent/x"));
    unlink(path);
    rmdir(dir);
}

static void
test_time_local(void)
{
    g_autofree char *berlin = util_time_local("Europe/Berlin", 1700000000,
                                              "%Y-%m-%d %H:%M %Z");
    g_autofree char *summer = util_time_local("Europe/Berlin", 1690000000,
                                              "%H:%M %Z");
    g_autofree char *unknown = util_time_local("Nowhere/Atlantis",
                                               1700000000, "%H:%M %Z");

    /* 2023-11-14T22:13:20Z; 2023-07-22T04:26:40Z */
    g_assert_cmpstr(berlin, ==, "2023-11-14 23:13 CET");
    g_assert_cmpstr(summer, ==, "06:26 CEST");
    g_assert_cmpstr(unknown, ==, "22:13 UTC");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/sha256", test_sha256);
    g_test_add_func("/util/time-parse", test_time_parse);
    g_test_add_func("/util/time-iso", test_time_iso);
    g_test_add_func("/util/email-normalize", test_email_normalize);
    g_test_add_func("/util/duration", test_duration);
    g_test_add_func("/util/json", test_json);
    g_test_add_func("/util/atomic-write", test_atomic_write);
    g_test_add_func("/util/time-local", test_time_local);
    return g_test_run();
}
