/*
 * replay.c - the fuzz targets' regression test: feed every file under
 * $MT_SRCDIR/tests/fuzz/regressions/TARGET (or the files and
 * directories named on the command line) to LLVMFuzzerTestOneInput,
 * as libFuzzer would, and print TAP.  A fault that returns crashes it,
 * or trips ASan/UBSan in a sanitizer build, or valgrind in CI's
 * `make check-valgrind`; each input is its own test line, so the log
 * names the input that brought the bug back.
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET names the target's directory under regressions/"
#endif

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
collect(const char *path, GPtrArray *files)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(files, g_strdup(path));
        return;
    }
    dir = g_dir_open(path, 0, NULL);
    if (dir == NULL)
        return;
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)) != NULL)
        if (name[0] != '.')
            g_ptr_array_add(names, g_strdup(name));
    /* Name order, so a run is the same everywhere. */
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *child =
            g_build_filename(path, g_ptr_array_index(names, i), NULL);

        collect(child, files);
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *srcdir = g_getenv("MT_SRCDIR");
    int failed = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--tap") != 0)
            collect(argv[i], files);
    if (files->len == 0) {
        g_autofree char *dir = g_build_filename(
            srcdir != NULL ? srcdir : ".", "tests", "fuzz", "regressions",
            FUZZ_TARGET, NULL);

        if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
            printf("Bail out! no directory '%s'\n", dir);
            return 1;
        }
        collect(dir, files);
    }
    printf("1..%u\n", files->len);
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *data = NULL;
        gsize len = 0;
        g_autoptr(GError) error = NULL;

        fflush(stdout);
        if (!g_file_get_contents(path, &data, &len, &error)) {
            printf("not ok %u - %s: %s\n", i + 1, path, error->message);
            failed = 1;
            continue;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        printf("ok %u - %s %s\n", i + 1, FUZZ_TARGET, path);
    }
    return failed;
}
