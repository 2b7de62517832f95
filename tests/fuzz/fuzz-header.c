/*
 * fuzz-header.c - header values as senders write them: RFC 2047
 * decoding (rfc2047_decode, rfc2047_repair_structured), the charset
 * layer under it (charset_to_utf8 with a declared label), and the
 * subject helpers of thread.h (normalisation, ticket tags, forwards).
 *
 * Input: a first line naming a charset label (may be empty), then the
 * value.  Every result must be valid UTF-8 (charset.h, rfc2047.h).
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "charset.h"
#include "fuzz.h"
#include "rfc2047.h"
#include "thread.h"

static const char *const fallbacks[] = { "koi8-r", "shift_jis", NULL };
static const char *const support_addresses[] = {
    "support@example.com", NULL,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init_glib();
    return 0;
}

static void
check_text(const char *what, const char *text)
{
    if (text == NULL || !g_utf8_validate(text, -1, NULL))
        fuzz_fail("fuzz-header: %s is %s", what,
                  text == NULL ? "NULL" : "not UTF-8");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    gsize label_len = nl != NULL ? (gsize)((const uint8_t *)nl - data) : 0;
    g_autofree char *label = g_strndup((const char *)data, label_len);
    /* Header values reach these functions as C strings. */
    g_autofree char *value = g_strndup(
        (const char *)data + (nl != NULL ? label_len + 1 : 0),
        size - (nl != NULL ? label_len + 1 : 0));
    gsize value_len = size - (nl != NULL ? label_len + 1 : 0);
    g_autofree char *converted = NULL;
    g_autofree char *guessed = NULL;
    g_autofree char *decoded = NULL;
    g_autofree char *repaired = NULL;
    g_autofree char *normalized = NULL;

    converted = charset_to_utf8(value, (gssize)value_len,
                                label[0] != '\0' ? label : NULL, fallbacks);
    check_text("charset_to_utf8", converted);
    guessed = charset_to_utf8(value, -1, NULL, NULL);
    check_text("charset_to_utf8 guessed", guessed);
    (void)charset_has_iso2022_escapes(value, value_len);
    (void)charset_canonical(label);

    decoded = rfc2047_decode(value, fallbacks);
    check_text("rfc2047_decode", decoded);
    repaired = rfc2047_repair_structured(value, fallbacks);
    if (repaired == NULL)
        fuzz_fail("fuzz-header: rfc2047_repair_structured gave NULL");

    /* The subject helpers see decoded subjects. */
    normalized = thread_normalize_subject(decoded, label);
    check_text("thread_normalize_subject", normalized);
    (void)thread_find_tag(decoded, label);
    (void)thread_find_tag(decoded, NULL);
    (void)thread_is_forward(decoded);
    (void)thread_plus_tag(value, support_addresses);
    return 0;
}
