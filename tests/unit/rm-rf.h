/*
 * rm-rf.h - removing a unit test's temporary directory and all in it.
 */
#ifndef MT_TEST_RM_RF_H
#define MT_TEST_RM_RF_H

#include <glib.h>
#include <glib/gstdio.h>

static void
rm_rf(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);

    if (dir != NULL) {
        const char *name;

        while ((name = g_dir_read_name(dir)) != NULL) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            rm_rf(child);
        }
        g_dir_close(dir);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

#endif
