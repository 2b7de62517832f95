/*
 * test-token.c - reply tokens, reply addresses and the key file.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "token.h"

static const char *const support[] = { "support@example.com", NULL };

static GBytes *
key_of(const char *text)
{
    return g_bytes_new_static(text, strlen(text));
}

static void
test_round_trip(void)
{
    g_autoptr(GBytes) key = key_of("0123456789abcdef0123456789abcdef");
    g_autofree char *tok = token_make(key, 1001, "alice");
    g_autofree char *addr =
        token_reply_address(key, "support@example.com", 1001, "Alice");
    g_autofree char *name = NULL;
    g_autofree char *tok2 = NULL;
    gint64 ticket = 0;

    g_assert_cmpuint(strlen(tok), ==, 16);
    for (const char *p = tok; *p != '\0'; p++)
        g_assert_true((*p >= 'a' && *p <= 'z') || (*p >= '2' && *p <= '7'));
    g_assert_true(token_verify(key, 1001, "alice", tok));
    g_assert_true(g_str_has_prefix(addr, "support+1001.alice."));
    g_assert_true(g_str_has_suffix(addr, "@example.com"));
    g_assert_true(token_parse_address(addr, support, &ticket, &name, &tok2));
    g_assert_cmpint(ticket, ==, 1001);
    g_assert_cmpstr(name, ==, "alice");
    g_assert_cmpstr(tok2, ==, tok);
    g_assert_true(token_verify(key, ticket, name, tok2));
}

static void
test_refused(void)
{
    g_autoptr(GBytes) key = key_of("0123456789abcdef0123456789abcdef");
    g_autoptr(GBytes) other = key_of("fedcba9876543210fedcba9876543210");
    g_autofree char *tok = token_make(key, 1001, "alice");
    g_autofree char *bad = g_strdup(tok);

    /* Replayed on another ticket, by another agent, under another key. */
    g_assert_false(token_verify(key, 1002, "alice", tok));
    g_assert_false(token_verify(key, 1001, "bob", tok));
    g_assert_false(token_verify(other, 1001, "alice", tok));
    /* Tampered: one character changed, cut short, too long. */
    bad[5] = bad[5] == 'a' ? 'b' : 'a';
    g_assert_false(token_verify(key, 1001, "alice", bad));
    bad[5] = tok[5];
    bad[15] = '\0';
    g_assert_false(token_verify(key, 1001, "alice", bad));
    g_assert_false(token_verify(key, 1001, "alice", ""));
    g_assert_false(token_verify(key, 1001, "alice", NULL));
}

static void
test_case_folded(void)
{
    g_autoptr(GBytes) key = key_of("0123456789abcdef0123456789abcdef");
    g_autofree char *addr =
        token_reply_address(key, "support@example.com", 1001, "alice");
    g_autofree char *upper = g_ascii_strup(addr, -1);
    g_autofree char *name = NULL;
    g_autofree char *tok = NULL;
    gint64 ticket = 0;

    /* Some servers and clients fold addresses to upper or lower case. */
    g_assert_true(token_parse_address(upper, support, &ticket, &name, &tok));
    g_assert_true(token_verify(key, ticket, name, tok));
    g_assert_true(token_verify(key, 1001, "ALICE", tok));
}

static const struct {
    const char *addr;
    bool is_ok;
} addr_cases[] = {
    { "support+1001.alice.abcdefghijklmnop@example.com", true },
    { "support+1001@example.com", false },
    { "support+1001.alice@example.com", false },
    { "support+1001..tok@example.com", false },
    { "support+1001.alice.@example.com", false },
    { "support+1001.al.ice.tok@example.com", false },
    { "support+x.alice.tok@example.com", false },
    { "support+0.alice.tok@example.com", false },
    { "sales+1001.alice.tok@example.com", false },
    { "support+1001.alice.tok@example.org", false },
    { "support@example.com", false },
    { "no-at-sign", false },
};

static void
test_parse_address(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(addr_cases); i++) {
        g_autofree char *name = NULL;
        g_autofree char *tok = NULL;
        gint64 t = 0;

        g_test_message("%s", addr_cases[i].addr);
        g_assert_cmpint(token_parse_address(addr_cases[i].addr, support, &t,
                                            &name, &tok),
                        ==, addr_cases[i].is_ok);
    }
}

static void
test_names(void)
{
    g_assert_true(token_agent_name_is_valid("alice"));
    g_assert_true(token_agent_name_is_valid("ingrid-holm_2"));
    g_assert_false(token_agent_name_is_valid("a.b"));
    g_assert_false(token_agent_name_is_valid("Alice Smith"));
    g_assert_false(token_agent_name_is_valid(""));
    g_assert_false(token_agent_name_is_valid("a+b"));
}

static void
test_key_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-token-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sub", "k.key", NULL);
    g_autofree char *weak = g_build_filename(dir, "weak.key", NULL);
    g_autofree char *shortk = g_build_filename(dir, "short.key", NULL);
    g_autoptr(GBytes) key = NULL;
    g_autoptr(GBytes) again = NULL;
    g_autoptr(GError) err = NULL;
    struct stat sb;

    /* Missing and not to be made: a clear error. */
    g_assert_cmpint(token_key_load(path, false, &key, &err), ==, ST_CONFIG);
    g_assert_nonnull(strstr(err->message, "does not exist"));
    g_clear_error(&err);
    /* Made at first use, mode 0600, and the same the next time. */
    g_assert_cmpint(token_key_load(path, true, &key, &err), ==, ST_OK);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
    g_assert_cmpuint(g_bytes_get_size(key), ==, 64);
    g_assert_cmpint(token_key_load(path, true, &again, &err), ==, ST_OK);
    g_assert_true(g_bytes_equal(key, again));
    /* Readable by others: refused. */
    g_assert_true(g_file_set_contents(weak, "0123456789abcdef0123", -1,
                                      NULL));
    g_assert_cmpint(chmod(weak, 0644), ==, 0);
    g_clear_pointer(&again, g_bytes_unref);
    g_assert_cmpint(token_key_load(weak, false, &again, &err), ==,
                    ST_CONFIG);
    g_assert_nonnull(strstr(err->message, "readable by others"));
    g_clear_error(&err);
    /* Too short. */
    g_assert_true(g_file_set_contents(shortk, "  short \n", -1, NULL));
    g_assert_cmpint(chmod(shortk, 0600), ==, 0);
    g_assert_cmpint(token_key_load(shortk, false, &again, &err), ==,
                    ST_CONFIG);
    g_clear_error(&err);
    unlink(path);
    unlink(weak);
    unlink(shortk);
    {
        g_autofree char *sub = g_path_get_dirname(path);

        rmdir(sub);
    }
    rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/token/round-trip", test_round_trip);
    g_test_add_func("/token/refused", test_refused);
    g_test_add_func("/token/case-folded", test_case_folded);
    g_test_add_func("/token/parse-address", test_parse_address);
    g_test_add_func("/token/agent-names", test_names);
    g_test_add_func("/token/key-file", test_key_file);
    return g_test_run();
}
