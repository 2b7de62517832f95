/*
 * test-source.c - the Maildir, mbox and file/stdin drivers: listing
 * order, byte-exact fetches, mark_done, guessing a path's kind, error
 * statuses, and the mbox files of the shared corpus.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "util.h"

#include "rm-rf.h"

/* ---- helpers ----------------------------------------------------- */

static char *
make_tmpdir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("test-source-XXXXXX", &error);

    g_assert_no_error(error);
    return dir;
}

static void
write_file(const char *dir, const char *name, const char *data, gssize len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) error = NULL;

    g_file_set_contents(path, data, len, &error);
    g_assert_no_error(error);
}

static void
append_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "ab");

    g_assert_nonnull(f);
    g_assert_cmpint(fputs(data, f), >=, 0);
    g_assert_cmpint(fclose(f), ==, 0);
}

static bool
exists(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static Source *
open_ok(const char *url, SourceAfter after)
{
    SourceConfig cfg = { .name = "test", .url = url, .after = after };
    g_autoptr(GError) error = NULL;
    Source *src = NULL;
    Status st = source_open(&cfg, &src, &error);

    g_assert_no_error(error);
    g_assert_cmpint(st, ==, ST_OK);
    g_assert_nonnull(src);
    return src;
}

static GPtrArray *
list_ok(Source *src)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *pos = NULL;
    Status st = source_list_new(src, &pos, &error);

    g_assert_no_error(error);
    g_assert_cmpint(st, ==, ST_OK);
    return pos;
}

static void
assert_positions(GPtrArray *pos, const char *const *want)
{
    guint n = 0;

    while (want[n] != NULL)
        n++;

    g_assert_cmpuint(pos->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(pos->pdata[i], ==, want[i]);
}

static void
assert_fetch(Source *src, const char *pos, const char *want, gsize len)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;
    Status st = source_fetch(src, pos, &raw, &error);

    g_assert_no_error(error);
    g_assert_cmpint(st, ==, ST_OK);
    g_assert_cmpmem(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw),
                    want, len);
}

static void
mark_ok(Source *src, const char *pos)
{
    g_autoptr(GError) error = NULL;
    Status st = source_mark_done(src, pos, &error);

    g_assert_no_error(error);
    g_assert_cmpint(st, ==, ST_OK);
}

/* ---- Maildir ----------------------------------------------------- */

/* Bytes a reader must not touch: CRLF, a "From " line, a NUL. */
static const char msg_a[] = "From: a@example.com\r\nSubject: a\r\n\r\n"
                            "From here on\r\n\0tail\r\n";
static const char msg_b[] = "Subject: b\n\nbody b\n";
static const char msg_c[] = "Subject: c\n\nbody c";
static const char msg_d[] = "Subject: d\n\nbody d\n";

static char *
make_maildir(void)
{
    char *dir = make_tmpdir();

    for (const char *sub = "cur"; sub != NULL;
         sub = strcmp(sub, "cur") == 0 ? "new"
               : strcmp(sub, "new") == 0 ? "tmp" : NULL) {
        g_autofree char *p = g_build_filename(dir, sub, NULL);

        g_assert_cmpint(g_mkdir(p, 0700), ==, 0);
    }
    write_file(dir, "new/1700000002.M2P1.host", msg_b, -1);
    /* M10 after M2 within one second: digit runs compare as numbers. */
    write_file(dir, "new/1700000001.M10P1.host", msg_a, sizeof msg_a - 1);
    write_file(dir, "cur/1700000001.M2P1.host:2,S", msg_c, -1);
    write_file(dir, "cur/1699999999.M1P1.host:2,R", msg_d, -1);
    write_file(dir, "new/.hidden", "not mail", -1);
    write_file(dir, "tmp/1600000000.M1P1.host", "half delivered", -1);
    {
        g_autofree char *sub = g_build_filename(dir, "new", "subdir", NULL);

        g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    }
    return dir;
}

static const char *const maildir_order[] = {
    "1699999999.M1P1.host",
    "1700000001.M2P1.host",
    "1700000001.M10P1.host",
    "1700000002.M2P1.host",
    NULL,
};

static void
test_maildir_list_fetch(void)
{
    g_autofree char *dir = make_maildir();
    g_autofree char *url = g_strconcat("maildir:", dir, NULL);
    g_autofree char *key = g_strconcat("maildir:", dir, NULL);
    g_autoptr(Source) src = open_ok(url, SOURCE_AFTER_KEEP);
    g_autoptr(GPtrArray) pos = list_ok(src);

    g_assert_cmpstr(src->driver->scheme, ==, "maildir");
    g_assert_cmpstr(src->key, ==, key);
    assert_positions(pos, maildir_order);
    assert_fetch(src, "1700000001.M10P1.host", msg_a, sizeof msg_a - 1);
    assert_fetch(src, "1700000002.M2P1.host", msg_b, strlen(msg_b));
    assert_fetch(src, "1700000001.M2P1.host", msg_c, strlen(msg_c));
    /* The header's older spelling of a position means the same. */
    assert_fetch(src, "cur/1700000001.M2P1.host:2,S", msg_c, strlen(msg_c));
    assert_fetch(src, "new/1700000002.M2P1.host", msg_b, strlen(msg_b));
    /* KEEP moves nothing. */
    mark_ok(src, "1700000002.M2P1.host");
    g_assert_true(exists(dir, "new/1700000002.M2P1.host"));
    rm_rf(dir);
}

static void
test_maildir_fetch_without_list(void)
{
    g_autofree char *dir = make_maildir();
    g_autofree char *url = g_strconcat("maildir:", dir, NULL);
    g_autoptr(Source) src = open_ok(url, SOURCE_AFTER_KEEP);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;

    assert_fetch(src, "1699999999.M1P1.host", msg_d, strlen(msg_d));
    g_assert_cmpint(source_fetch(src, "1800000000.M1P1.host", &raw, &error),
                    ==, ST_IOERR);
    g_assert_nonnull(strstr(error->message, "is gone from maildir"));
    g_clear_error(&error);
    g_assert_cmpint(source_fetch(src, "../etc/passwd", &raw, &error), !=,
                    ST_OK);
    g_assert_null(raw);
    rm_rf(dir);
}

static void
test_maildir_seen(void)
{
    g_autofree char *dir = make_maildir();
    g_autofree char *url = g_strconcat("maildir:", dir, NULL);
    g_autoptr(Source) src = open_ok(url, SOURCE_AFTER_SEEN);
    g_autoptr(GPtrArray) pos = list_ok(src);
    g_autoptr(GPtrArray) again = NULL;

    assert_positions(pos, maildir_order);
    mark_ok(src, "1700000002.M2P1.host");
    g_assert_false(exists(dir, "new/1700000002.M2P1.host"));
    g_assert_true(exists(dir, "cur/1700000002.M2P1.host:2,S"));
    /* Twice is harmless (a rerun after a crash does that). */
    mark_ok(src, "1700000002.M2P1.host");
    g_assert_true(exists(dir, "cur/1700000002.M2P1.host:2,S"));
    /* Flags stay, S joins them in ASCII order. */
    mark_ok(src, "1699999999.M1P1.host");
    g_assert_true(exists(dir, "cur/1699999999.M1P1.host:2,RS"));
    g_assert_false(exists(dir, "cur/1699999999.M1P1.host:2,R"));
    /* Already seen: nothing changes. */
    mark_ok(src, "1700000001.M2P1.host");
    g_assert_true(exists(dir, "cur/1700000001.M2P1.host:2,S"));

    /* A mail client moves a file behind our back after the listing:
     * fetch and mark_done still find it. */
    {
        g_autofree char *from =
            g_build_filename(dir, "new/1700000001.M10P1.host", NULL);
        g_autofree char *to =
            g_build_filename(dir, "cur/1700000001.M10P1.host:2,F", NULL);

        g_assert_cmpint(g_rename(from, to), ==, 0);
    }
    assert_fetch(src, "1700000001.M10P1.host", msg_a, sizeof msg_a - 1);
    mark_ok(src, "1700000001.M10P1.host");
    g_assert_true(exists(dir, "cur/1700000001.M10P1.host:2,FS"));

    /* Positions survive all the moves. */
    again = list_ok(src);
    assert_positions(again, maildir_order);
    /* The first listing's positions are still good after the rescans
     * and the second listing: they live as long as the source. */
    assert_positions(pos, maildir_order);
    assert_fetch(src, "1700000002.M2P1.host", msg_b, strlen(msg_b));
    rm_rf(dir);
}

static void
test_maildir_delete(void)
{
    static const char *const left[] = {
        "1699999999.M1P1.host",
        "1700000001.M10P1.host",
        "1700000002.M2P1.host",
        NULL,
    };
    g_autofree char *dir = make_maildir();
    g_autofree char *url = g_strconcat("maildir:", dir, NULL);
    g_autoptr(Source) src = open_ok(url, SOURCE_AFTER_DELETE);
    g_autoptr(GPtrArray) pos = list_ok(src);
    g_autoptr(GPtrArray) again = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;

    mark_ok(src, "1700000001.M2P1.host");
    g_assert_false(exists(dir, "cur/1700000001.M2P1.host:2,S"));
    /* Gone already is what was asked for. */
    mark_ok(src, "1700000001.M2P1.host");
    again = list_ok(src);
    assert_positions(again, left);
    g_assert_cmpint(source_fetch(src, "1700000001.M2P1.host", &raw, &error),
                    ==, ST_IOERR);
    g_assert_true(exists(dir, "tmp/1600000000.M1P1.host"));
    g_assert_true(exists(dir, "new/.hidden"));
    rm_rf(dir);
}

static void
test_maildir_limit(void)
{
    g_autofree char *dir = make_maildir();
    g_autofree char *url = g_strconcat("maildir:", dir, NULL);
    SourceConfig cfg = { .url = url, .max_message_bytes = 10 };
    g_autoptr(Source) src = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;

    g_assert_cmpint(source_open(&cfg, &src, &error), ==, ST_OK);
    g_assert_cmpint(source_fetch(src, "1700000002.M2P1.host", &raw, &error),
                    ==, ST_DATAERR);
    g_assert_null(raw);
    rm_rf(dir);
}

/* Many files list in arrival order, fast (no stat per file). */
static void
test_maildir_many(void)
{
    guint n = g_test_slow() ? 100000 : 20000;
    g_autofree char *dir = make_tmpdir();
    g_autofree char *new = g_build_filename(dir, "new", NULL);
    g_autofree char *url = g_strconcat("maildir:", dir, NULL);
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) pos = NULL;
    g_autoptr(GTimer) timer = NULL;

    g_assert_cmpint(g_mkdir(new, 0700), ==, 0);
    /* Written in a scrambled order; times 1e9..., sequence within. */
    for (guint i = 0; i < n; i++) {
        guint k = (i * 7919u) % n;
        g_autofree char *name = g_strdup_printf(
            "new/%u.M%uP1.host,S=1", 1000000000u + k / 3, k % 3);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        int fd = open(path, O_WRONLY | O_CREAT, 0600);

        g_assert_cmpint(fd, >=, 0);
        close(fd);
    }
    src = open_ok(url, SOURCE_AFTER_KEEP);
    timer = g_timer_new();
    pos = list_ok(src);
    g_test_message("listed %u files in %.3f s", n,
                   g_timer_elapsed(timer, NULL));
    g_assert_cmpuint(pos->len, ==, n);
    for (guint k = 0; k < n; k++) {
        g_autofree char *want = g_strdup_printf("%u.M%uP1.host,S=1",
                                                1000000000u + k / 3, k % 3);

        if (strcmp(pos->pdata[k], want) != 0)
            g_assert_cmpstr(pos->pdata[k], ==, want);
    }
    rm_rf(dir);
}

/* ---- mbox -------------------------------------------------------- */

static const char mbox_text[] =
    "From alice@example.com Mon Jan  1 00:00:00 2024\n"
    "Subject: one\n"
    "\n"
    "body one\n"
    ">From the start\n"
    ">>From deeper\n"
    "> From not escaped\n"
    ">Fromage\n"
    "\n"
    "From bob@example.com Mon Jan  1 00:00:01 2024\r\n"
    "Subject: two\r\n"
    "\r\n"
    "body two\r\n"
    "\r\n"
    "From carol@example.com Mon Jan  1 00:00:02 2024\n"
    "Subject: three\n"
    "\n"
    "no newline at end";

static const char *const mbox_msgs[] = {
    "Subject: one\n\nbody one\nFrom the start\n>From deeper\n"
    "> From not escaped\n>Fromage\n",
    "Subject: two\r\n\r\nbody two\r\n",
    "Subject: three\n\nno newline at end",
};

static char *
offset_pos(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);

    g_assert_nonnull(p);
    return g_strdup_printf("offset=%td", p - text);
}

static void
test_mbox_basic(void)
{
    g_autofree char *dir = make_tmpdir();
    g_autofree char *path = g_build_filename(dir, "inbox", NULL);
    g_autofree char *url = g_strconcat("mbox:", path, NULL);
    g_autofree char *key = g_strconcat("mbox:", path, NULL);
    g_autofree char *p2 = offset_pos(mbox_text, "From bob");
    g_autofree char *p3 = offset_pos(mbox_text, "From carol");
    const char *want[] = { "offset=0", p2, p3, NULL, NULL };
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) pos = NULL;
    g_autoptr(GPtrArray) again = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *p4 = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;

    write_file(dir, "inbox", mbox_text, -1);
    src = open_ok(url, SOURCE_AFTER_DELETE);
    g_assert_cmpstr(src->driver->scheme, ==, "mbox");
    g_assert_cmpstr(src->key, ==, key);
    pos = list_ok(src);
    assert_positions(pos, want);
    for (guint i = 0; i < 3; i++)
        assert_fetch(src, pos->pdata[i], mbox_msgs[i], strlen(mbox_msgs[i]));

    /* mark_done never rewrites an mbox, whatever "after" says. */
    g_file_get_contents(path, &before, NULL, NULL);
    mark_ok(src, "offset=0");
    g_file_get_contents(path, &after, NULL, NULL);
    g_assert_cmpstr(before, ==, after);

    /* Appending keeps the old positions. */
    append_file(path, "\n\nFrom dave@example.com Mon Jan  1 00:00:03 2024\n"
                      "Subject: four\n\nbody four\n\n");
    p4 = g_strdup_printf("offset=%zu", strlen(mbox_text) + 2);
    want[3] = p4;
    again = list_ok(src);
    assert_positions(again, want);
    assert_fetch(src, "offset=0", mbox_msgs[0], strlen(mbox_msgs[0]));
    assert_fetch(src, p3, "Subject: three\n\nno newline at end\n", 34);
    assert_fetch(src, p4, "Subject: four\n\nbody four\n", 25);

    /* An offset that is not a message start is an error, not a wrong
     * message. */
    g_assert_cmpint(source_fetch(src, "offset=5", &raw, &error), ==,
                    ST_IOERR);
    g_clear_error(&error);
    g_assert_cmpint(source_fetch(src, "offset=999999", &raw, &error), ==,
                    ST_IOERR);
    g_clear_error(&error);
    g_assert_cmpint(source_fetch(src, "1700.M1", &raw, &error), ==,
                    ST_SOFTWARE);
    g_assert_null(raw);
    rm_rf(dir);
}

static const struct {
    const char *name;
    const char *text;
    guint count;
    Status status;
    const char *first; /* the first message */
} mbox_cases[] = {
    { "empty", "", 0, ST_OK, NULL },
    { "blank lines first", "\n\r\nFrom x\nA: b\n\nc\n", 1, ST_OK,
      "A: b\n\nc\n" },
    { "bom", "\xef\xbb\xbf" "From x\nA: b\n\nFrom y\nC: d\n", 2, ST_OK,
      "A: b\n" },
    { "no blank line before From", "From x\nA: b\nFrom y\nC: d\n", 2,
      ST_OK, "A: b\n" },
    { "From line only", "From x", 1, ST_OK, "" },
    { "two From lines", "From x\nFrom y\nA: b\n", 2, ST_OK, "" },
    { "broken From header is no separator",
      "From x\nA: b\nFrom  :<t@example.com>\n\nFrom \nbody\n", 1, ST_OK,
      "A: b\nFrom  :<t@example.com>\n\nFrom \nbody\n" },
    { "garbage first", "Subject: hi\n\nFrom x\n", 0, ST_DATAERR, NULL },
    { "no sender first", "From  x\n", 0, ST_DATAERR, NULL },
};

static void
test_mbox_cases(void)
{
    g_autofree char *dir = make_tmpdir();

    for (gsize i = 0; i < G_N_ELEMENTS(mbox_cases); i++) {
        g_autofree char *path = g_build_filename(dir, "mbox", NULL);
        g_autofree char *url = g_strconcat("mbox:", path, NULL);
        g_autoptr(Source) src = NULL;
        g_autoptr(GPtrArray) pos = NULL;
        g_autoptr(GError) error = NULL;

        g_test_message("case %s", mbox_cases[i].name);
        write_file(dir, "mbox", mbox_cases[i].text, -1);
        src = open_ok(url, SOURCE_AFTER_KEEP);
        g_assert_cmpint(source_list_new(src, &pos, &error), ==,
                        mbox_cases[i].status);
        if (mbox_cases[i].status != ST_OK) {
            g_assert_nonnull(error);
            g_assert_null(pos);
            continue;
        }
        g_assert_cmpuint(pos->len, ==, mbox_cases[i].count);
        for (guint k = 0; k < pos->len; k++) {
            g_autoptr(GBytes) raw = NULL;

            g_assert_cmpint(source_fetch(src, pos->pdata[k], &raw, &error),
                            ==, ST_OK);
            if (k == 0)
                g_assert_cmpmem(g_bytes_get_data(raw, NULL),
                                g_bytes_get_size(raw), mbox_cases[i].first,
                                strlen(mbox_cases[i].first));
        }
    }
    /* The BOM case: the first message starts after it. */
    {
        g_autofree char *path = g_build_filename(dir, "mbox", NULL);
        g_autoptr(Source) src = NULL;
        g_autoptr(GPtrArray) pos = NULL;

        write_file(dir, "mbox", mbox_cases[2].text, -1);
        src = open_ok(path, SOURCE_AFTER_KEEP); /* guessed */
        g_assert_cmpstr(src->driver->scheme, ==, "mbox");
        pos = list_ok(src);
        g_assert_cmpstr(pos->pdata[0], ==, "offset=3");
        assert_fetch(src, pos->pdata[0], "A: b\n", 5);
        assert_fetch(src, pos->pdata[1], "C: d\n", 5);
    }
    rm_rf(dir);
}

/* ---- file and stdin ---------------------------------------------- */

static void
test_file(void)
{
    static const char text[] = "Subject: x\r\n\r\nbody\r\n";
    g_autofree char *dir = make_tmpdir();
    g_autofree char *path = g_build_filename(dir, "m.eml", NULL);
    g_autofree char *url = g_strconcat("file://", path, NULL);
    g_autofree char *key = g_strconcat("file:", path, NULL);
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) pos = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = NULL;
    char hex[65];
    g_autofree char *want_pos = NULL;

    write_file(dir, "m.eml", text, -1);
    util_sha256_hex(text, strlen(text), hex);
    want_pos = g_strconcat("sha256:", hex, NULL);
    src = open_ok(url, SOURCE_AFTER_DELETE);
    g_assert_cmpstr(src->driver->scheme, ==, "file");
    g_assert_cmpstr(src->key, ==, key);
    pos = list_ok(src);
    g_assert_cmpuint(pos->len, ==, 1);
    g_assert_cmpstr(pos->pdata[0], ==, want_pos);
    assert_fetch(src, want_pos, text, strlen(text));
    mark_ok(src, want_pos);
    g_assert_true(exists(dir, "m.eml"));
    g_assert_cmpint(source_fetch(src, "sha256:00", &raw, &error), ==,
                    ST_IOERR);
    rm_rf(dir);
}

static void
test_file_empty(void)
{
    g_autofree char *dir = make_tmpdir();
    g_autofree char *path = g_build_filename(dir, "empty", NULL);
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) pos = NULL;
    g_autoptr(GError) error = NULL;

    write_file(dir, "empty", "", 0);
    src = open_ok(path, SOURCE_AFTER_KEEP);
    g_assert_cmpstr(src->driver->scheme, ==, "file");
    g_assert_cmpint(source_list_new(src, &pos, &error), ==, ST_DATAERR);
    rm_rf(dir);
}

static void
test_stdin(void)
{
    static const char text[] = "From: x@example.com\n\nvia the MTA\n";
    g_autofree char *dir = make_tmpdir();
    g_autofree char *path = g_build_filename(dir, "in", NULL);
    g_autoptr(Source) src = NULL;
    g_autoptr(GPtrArray) pos = NULL;
    char hex[65];
    g_autofree char *want_pos = NULL;
    int saved = dup(STDIN_FILENO);
    int fd;

    write_file(dir, "in", text, -1);
    fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(dup2(fd, STDIN_FILENO), ==, STDIN_FILENO);
    close(fd);
    util_sha256_hex(text, strlen(text), hex);
    want_pos = g_strconcat("stdin:", hex, NULL);

    src = open_ok("-", SOURCE_AFTER_KEEP);
    g_assert_cmpstr(src->key, ==, "stdin");
    pos = list_ok(src);
    g_assert_cmpuint(pos->len, ==, 1);
    g_assert_cmpstr(pos->pdata[0], ==, want_pos);
    /* Read once; fetching twice gives the same bytes. */
    assert_fetch(src, want_pos, text, strlen(text));
    assert_fetch(src, want_pos, text, strlen(text));

    if (saved >= 0) {
        dup2(saved, STDIN_FILENO);
        close(saved);
    }
    rm_rf(dir);
}

/* ---- source_open: guessing and errors ---------------------------- */

static void
test_guess(void)
{
    g_autofree char *dir = make_maildir();
    g_autofree char *files = make_tmpdir();
    g_autofree char *mbox = g_build_filename(files, "box", NULL);
    g_autofree char *eml = g_build_filename(files, "one:2,S", NULL);
    g_autofree char *cwd = g_get_current_dir();
    const struct {
        const char *url;
        const char *scheme;
    } cases[] = {
        { dir, "maildir" },
        { mbox, "mbox" },
        { eml, "file" },
        { "one:2,S", "file" }, /* relative, with a colon, exists */
        { "box", "mbox" },
        { "-", "file" },
        { "header", "file" }, /* "From  :x" is a header, not From_ */
    };

    write_file(files, "box", mbox_text, -1);
    write_file(files, "header", "From  :<t@example.com>\n\nhi\n", -1);
    write_file(files, "one:2,S", "From: x\n\nFrom the top\n", -1);
    g_assert_cmpint(g_chdir(files), ==, 0);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(Source) src = open_ok(cases[i].url, SOURCE_AFTER_KEEP);

        g_test_message("guess %s", cases[i].url);
        g_assert_cmpstr(src->driver->scheme, ==, cases[i].scheme);
    }
    /* A relative path gets an absolute key. */
    {
        g_autoptr(Source) src = open_ok("box", SOURCE_AFTER_KEEP);
        g_autofree char *here = g_get_current_dir();
        g_autofree char *want = g_strconcat("mbox:", here, "/box", NULL);

        g_assert_cmpstr(src->key, ==, want);
    }
    g_assert_cmpint(g_chdir(cwd), ==, 0);
    rm_rf(dir);
    rm_rf(files);
}

static void
test_errors(void)
{
    g_autofree char *dir = make_tmpdir();
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    g_autofree char *m_maildir = g_strconcat("maildir:", missing, NULL);
    g_autofree char *m_mbox = g_strconcat("mbox:", missing, NULL);
    g_autofree char *m_file = g_strconcat("file:", missing, NULL);
    g_autofree char *d_maildir = g_strconcat("maildir:", dir, NULL);
    g_autofree char *d_mbox = g_strconcat("mbox:", dir, NULL);
    g_autofree char *msg_missing = g_strdup_printf(
        "source: cannot open '%s': %s", missing, g_strerror(ENOENT));
    g_autofree char *msg_dir = g_strdup_printf(
        "source: '%s' is a directory but not a Maildir (no cur/ or new/)",
        dir);
    const struct {
        const char *url;
        Status status;
        const char *message; /* NULL: not checked */
    } cases[] = {
        { missing, ST_IOERR, msg_missing },
        { m_maildir, ST_IOERR, msg_missing },
        { m_mbox, ST_IOERR, msg_missing },
        { m_file, ST_IOERR, msg_missing },
        { dir, ST_DATAERR, msg_dir },
        { d_maildir, ST_DATAERR, msg_dir },
        { d_mbox, ST_DATAERR, NULL },
        { "foo:bar", ST_CONFIG, NULL },
        { "imap://support:secret@mail.example.com/INBOX", ST_CONFIG, NULL },
        { "", ST_CONFIG, NULL },
        { "maildir:", ST_CONFIG, NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        SourceConfig cfg = { .url = cases[i].url };
        g_autoptr(GError) error = NULL;
        Source *src = NULL;

        g_test_message("error case '%s'", cases[i].url);
        g_assert_cmpint(source_open(&cfg, &src, &error), ==,
                        cases[i].status);
        g_assert_null(src);
        g_assert_error(error, MT_ERROR, (int)cases[i].status);
        /* The IMAP driver speaks as "imap: ". */
        g_assert_true(g_str_has_prefix(error->message, "source: ") ||
                      g_str_has_prefix(error->message, "imap: "));
        g_assert_null(strstr(error->message, "secret"));
        if (cases[i].message != NULL)
            g_assert_cmpstr(error->message, ==, cases[i].message);
    }
    rm_rf(dir);
}

/* ---- the shared corpus's mbox files ------------------------------ */

/* Undo mboxrd escaping and drop trailing newlines: the corpus split
 * its mbox files with other conventions for the separator's newline
 * and for ">From " (SOURCES.md), so compare modulo those. */
static char *
normalise(const char *data, gsize len)
{
    GString *out = g_string_sized_new(len);
    gsize p = 0;

    while (p < len) {
        const char *nl = memchr(data + p, '\n', len - p);
        gsize end = nl != NULL ? (gsize)(nl - data) + 1 : len;
        gsize q = p;

        while (q < end && data[q] == '>')
            q++;
        if (q > p && end - q >= 5 && memcmp(data + q, "From ", 5) == 0)
            p++;
        g_string_append_len(out, data + p, (gssize)(end - p));
        p = end;
    }
    while (out->len > 0 && out->str[out->len - 1] == '\n')
        g_string_truncate(out, out->len - 1);
    return g_string_free(out, FALSE);
}

static void
test_corpus_mbox(void)
{
    const char *srcdir = g_getenv("MT_SRCDIR");
    g_autofree char *corpus = NULL;
    g_autofree char *manifest = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    /* "source/original_path" -> GPtrArray of maildir file names by
     * mbox_index - 1 */
    g_autoptr(GHashTable) boxes = g_hash_table_new_full(
        g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    GHashTableIter iter;
    gpointer key;
    gpointer value;
    guint total = 0;

    if (srcdir == NULL)
        srcdir = ".";
    corpus = g_build_filename(srcdir, "..", "shared", "corpus", NULL);
    manifest = g_build_filename(corpus, "maildir", "MANIFEST.tsv", NULL);
    if (!g_file_get_contents(manifest, &text, NULL, NULL)) {
        g_test_skip("shared corpus not present (user clone)");
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        g_autofree char *box = NULL;
        GPtrArray *names;
        guint64 idx;

        if (g_strv_length(f) < 4 || f[3][0] == '\0')
            continue;
        g_assert_true(g_ascii_string_to_unsigned(f[3], 10, 1, 1000, &idx,
                                                 NULL));
        box = g_build_filename(corpus, f[1], f[2], NULL);
        names = g_hash_table_lookup(boxes, box);
        if (names == NULL) {
            names = g_ptr_array_new_with_free_func(g_free);
            g_hash_table_insert(boxes, g_strdup(box), names);
        }
        if (names->len < idx)
            g_ptr_array_set_size(names, (guint)idx);
        names->pdata[idx - 1] = g_strdup(f[0]);
    }
    g_assert_cmpuint(g_hash_table_size(boxes), ==, 6);

    g_hash_table_iter_init(&iter, boxes);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        GPtrArray *names = value;
        g_autofree char *url = g_strconcat("mbox:", (char *)key, NULL);
        g_autoptr(Source) src = open_ok(url, SOURCE_AFTER_KEEP);
        g_autoptr(GPtrArray) pos = list_ok(src);

        g_test_message("%s: %u messages", (char *)key, pos->len);
        g_assert_cmpuint(pos->len, ==, names->len);
        total += pos->len;
        for (guint i = 0; i < pos->len; i++) {
            g_autofree char *one = g_build_filename(
                corpus, "maildir", "new", names->pdata[i], NULL);
            g_autofree char *want_raw = NULL;
            gsize want_len = 0;
            g_autoptr(GBytes) raw = NULL;
            g_autoptr(GError) error = NULL;
            g_autofree char *got = NULL;
            g_autofree char *want = NULL;

            g_assert_true(g_file_get_contents(one, &want_raw, &want_len,
                                              NULL));
            g_assert_cmpint(source_fetch(src, pos->pdata[i], &raw, &error),
                            ==, ST_OK);
            got = normalise(g_bytes_get_data(raw, NULL),
                            g_bytes_get_size(raw));
            want = normalise(want_raw, want_len);
            g_assert_cmpstr(got, ==, want);
        }
    }
    g_assert_cmpuint(total, ==, 46);
}

/* ---- IMAP folder names (RFC 3501 5.1.3) --------------------------- */

static void
test_imap_utf7(void)
{
    static const struct {
        const char *utf8;
        const char *wire;
    } cases[] = {
        { "INBOX", "INBOX" },
        { "Support/St\xc3\xb6rungen", "Support/St&APY-rungen" },
        { "Support/Anfragen & Angebote", "Support/Anfragen &- Angebote" },
        { "\xe5\x8f\xb0\xe5\x8c\x97", "&U,BTFw-" }, /* RFC 3501's */
        { "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
          "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
          "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
        { "\xc3\x9c" "berpr\xc3\xbc" "fung", "&ANw-berpr&APw-fung" },
        { "&", "&-" },
        { "", "" },
    };
    static const char *const bad_wire[] = {
        "&", "&U,BTFw", "&!!-", "caf\xc3\xa9",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *wire = source_imap_utf7_encode(cases[i].utf8);
        g_autofree char *back = source_imap_utf7_decode(cases[i].wire);

        g_assert_cmpstr(wire, ==, cases[i].wire);
        g_assert_cmpstr(back, ==, cases[i].utf8);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad_wire); i++) {
        g_autofree char *back = source_imap_utf7_decode(bad_wire[i]);

        g_assert_null(back);
    }
}

/* Errors an IMAP source gives before it touches the network. */
static void
test_imap_config_errors(void)
{
    static const struct {
        const char *url;
        const char *user;
        const char *password_file;
        SourceTls tls;
        const char *want;
    } cases[] = {
        { "imap://h/INBOX", NULL, "/nonexistent", SOURCE_TLS_AUTO,
          "imap: no user (set user = NAME)" },
        { "imap://h/INBOX", "u", NULL, SOURCE_TLS_AUTO,
          "imap: no password_file or password_command" },
        { "imaps://h/INBOX", "u", "/nonexistent", SOURCE_TLS_STARTTLS,
          "imap: imaps:// is TLS from the start; tls = starttls or none "
          "contradicts it" },
        { "imap:///INBOX", "u", "/nonexistent", SOURCE_TLS_AUTO,
          "imap: url names no host" },
        { "imap://u:pw@h/INBOX", "u", "/nonexistent", SOURCE_TLS_AUTO,
          "imap: url carries a password; put it in password_file or "
          "password_command" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        SourceConfig cfg = {
            .name = "t",
            .url = cases[i].url,
            .user = cases[i].user,
            .password_file = cases[i].password_file,
            .tls = cases[i].tls,
        };
        g_autoptr(GError) error = NULL;
        Source *src = NULL;

        g_test_message("imap config case %zu", i);
        g_assert_cmpint(source_open(&cfg, &src, &error), ==, ST_CONFIG);
        g_assert_null(src);
        g_assert_cmpstr(error->message, ==, cases[i].want);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/source/maildir/list-fetch", test_maildir_list_fetch);
    g_test_add_func("/source/maildir/fetch-without-list",
                    test_maildir_fetch_without_list);
    g_test_add_func("/source/maildir/seen", test_maildir_seen);
    g_test_add_func("/source/maildir/delete", test_maildir_delete);
    g_test_add_func("/source/maildir/limit", test_maildir_limit);
    g_test_add_func("/source/maildir/many", test_maildir_many);
    g_test_add_func("/source/mbox/basic", test_mbox_basic);
    g_test_add_func("/source/mbox/cases", test_mbox_cases);
    g_test_add_func("/source/file/file", test_file);
    g_test_add_func("/source/file/empty", test_file_empty);
    g_test_add_func("/source/file/stdin", test_stdin);
    g_test_add_func("/source/open/guess", test_guess);
    g_test_add_func("/source/open/errors", test_errors);
    g_test_add_func("/source/corpus/mbox", test_corpus_mbox);
    g_test_add_func("/source/imap/utf7", test_imap_utf7);
    g_test_add_func("/source/imap/config-errors", test_imap_config_errors);
    return g_test_run();
}
