/*
 * transport-maildir.c - maildir:DIR, the embedded default: finished
 * messages land in DIR/new, where a person or another program picks
 * them up.
 *
 * Exactly once: each message is written under its stable key into
 * tmp/, synced, then linked into new/ (the Maildir protocol's atomic
 * step); a key already in new/ or cur/ means an earlier run delivered
 * it and was killed before recording so, and nothing is written again.
 */
#include "config.h"

#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util.h"

static bool
is_delivered(const Transport *t, const char *name)
{
    g_autofree char *in_new = g_build_filename(t->path, "new", name, NULL);
    g_autofree char *cur_dir = g_build_filename(t->path, "cur", NULL);
    g_autoptr(GDir) dir = NULL;
    g_autofree char *prefix = g_strconcat(name, ":", NULL);
    const char *entry;

    if (g_file_test(in_new, G_FILE_TEST_EXISTS))
        return true;
    /* A reader moves it to cur/NAME:2,FLAGS. */
    dir = g_dir_open(cur_dir, 0, NULL);
    while (dir != NULL && (entry = g_dir_read_name(dir)) != NULL)
        if (strcmp(entry, name) == 0 || g_str_has_prefix(entry, prefix))
            return true;
    return false;
}

static Status
write_all(int fd, const char *data, gsize len, const char *path,
          GError **error)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return status_set(error, ST_IOERR,
                              "transport: cannot write '%s': %s", path,
                              g_strerror(errno));
        data += n;
        len -= (gsize)n;
    }
    return ST_OK;
}

static Status
maildir_deliver(Transport *t, const char *sender, const char *recipient,
                const char *key, GBytes *raw, GError **error)
{
    g_autofree char *name = g_strdup(key);
    g_autofree char *tmp = NULL;
    g_autofree char *dest = NULL;
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    mt_autofd int fd = -1;
    Status st;

    (void)sender;
    (void)recipient;
    /* '/' and ':' have meanings in a Maildir file name. */
    g_strdelimit(name, "/:", '_');
    if (is_delivered(t, name))
        return ST_OK;
    tmp = g_build_filename(t->path, "tmp", name, NULL);
    dest = g_build_filename(t->path, "new", name, NULL);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return status_set(error, ST_IOERR, "transport: cannot create '%s': %s",
                          tmp, g_strerror(errno));
    if ((st = write_all(fd, data, len, tmp, error)) != ST_OK)
        return st;
    if (fsync(fd) != 0)
        return status_set(error, ST_IOERR, "transport: cannot sync '%s': %s",
                          tmp, g_strerror(errno));
    if (link(tmp, dest) != 0 && errno != EEXIST)
        return status_set(error, ST_IOERR,
                          "transport: cannot move '%s' into new/: %s", tmp,
                          g_strerror(errno));
    util_crashpoint("maildir-delivered");
    (void)g_unlink(tmp);
    {
        g_autofree char *newdir = g_build_filename(t->path, "new", NULL);
        mt_autofd int dfd = open(newdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd >= 0)
            (void)fsync(dfd);
    }
    return ST_OK;
}

static const TransportOps maildir_ops = {
    .deliver = maildir_deliver,
};

Status
transport_maildir_open(Transport *t, GError **error)
{
    static const char *const subdirs[] = { "tmp", "new", "cur" };

    if (*t->path == '\0')
        return status_set(error, ST_CONFIG,
                          "transport: maildir: needs a directory");
    for (guint i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        g_autofree char *dir = g_build_filename(t->path, subdirs[i], NULL);

        if (g_mkdir_with_parents(dir, 0700) != 0)
            return status_set(error, ST_IOERR,
                              "transport: cannot create '%s': %s", dir,
                              g_strerror(errno));
    }
    t->ops = &maildir_ops;
    return ST_OK;
}
