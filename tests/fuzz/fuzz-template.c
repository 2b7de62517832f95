/*
 * fuzz-template.c - a template file as an admin might write it:
 * template_load() (header block, {{variables}}, the checks that give
 * file:line errors) and template_render() with values that try to
 * break out of a header.  A bad file must give ST_CONFIG with a
 * message; a rendered header must never hold CR or LF (template.h).
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzzfile.h"
#include "template.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init_glib();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *path = fuzz_write_file("fuzz.txt", data, size);
    g_autoptr(Template) tpl = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) headers = NULL;
    g_autofree char *body = NULL;

    if (template_load(fuzz_dir_get(), "fuzz", &tpl, &error) != ST_OK) {
        /* Errors name the file. */
        if (error == NULL || strstr(error->message, path) == NULL)
            fuzz_fail("fuzz-template: a failure that does not name '%s'",
                      path);
        return 0;
    }
    g_hash_table_insert(vars, "ticket.subject",
                        "printer\r\nBcc: all@example.com\n on fire");
    g_hash_table_insert(vars, "ticket.tag", "[#1001]");
    g_hash_table_insert(vars, "customer.name", "");
    g_hash_table_insert(vars, "support.address", "support@example.com");
    g_hash_table_insert(vars, "x", "{{ticket.tag}}");
    template_render(tpl, vars, &headers, &body);
    if (body == NULL || headers == NULL || headers->len % 2 != 0)
        fuzz_fail("fuzz-template: bad render result");
    for (guint i = 0; i < headers->len; i++) {
        const char *s = g_ptr_array_index(headers, i);

        if (strpbrk(s, "\r\n") != NULL)
            fuzz_fail("fuzz-template: a header with CR or LF: '%s'", s);
    }
    return 0;
}
