/*
 * fuzzfile.h - for targets whose code reads a file (config, templates):
 * one private directory per process, and the input written into it.
 */
#ifndef MT_FUZZFILE_H
#define MT_FUZZFILE_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>

static char *fuzz_dir;

static void
fuzz_dir_remove(void)
{
    g_autoptr(GDir) dir = g_dir_open(fuzz_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(fuzz_dir, name, NULL);

        g_unlink(path);
    }
    g_rmdir(fuzz_dir);
}

/* The process's directory, made on first use and removed at exit. */
static const char *
fuzz_dir_get(void)
{
    if (fuzz_dir == NULL) {
        g_autoptr(GError) error = NULL;

        fuzz_dir = g_dir_make_tmp("mt-fuzz-XXXXXX", &error);
        if (fuzz_dir == NULL)
            g_error("fuzz: %s", error->message);
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir;
}

/* Write data to NAME in the directory; the caller frees the path. */
static char *
fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    char *path = g_build_filename(fuzz_dir_get(), name, NULL);
    g_autoptr(GError) error = NULL;

    /* No fsync: thousands of writes a second. */
    if (!g_file_set_contents_full(path, (const char *)data, (gssize)size,
                                  G_FILE_SET_CONTENTS_NONE, 0600, &error))
        g_error("fuzz: %s", error->message);
    return path;
}

#endif
