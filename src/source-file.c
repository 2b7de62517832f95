/*
 * source-file.c - the driver for one message: a file ("file:PATH" or a
 * plain path that is neither a Maildir nor an mbox) or stdin ("-"), as
 * an MTA hands a message to its delivery agent.
 *
 * The bytes are read once, on the first list_new() or fetch(), and
 * kept: stdin cannot be read twice, and a file that changes while we
 * work should not change the message under us.  The position is
 * "sha256:HEX" (file) or "stdin:HEX" (stdin) of those bytes, not the
 * path: one path often carries different messages over time
 * (/tmp/mail.eml), and an MTA that retries a delivery after a crash
 * hands over the same bytes, which must map to the same position.
 *
 * mark_done() does nothing: a file the user named is theirs, and on
 * stdin the exit status is the acknowledgement.
 */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* The most we read of one message, whatever max_message_bytes says:
 * the MTA gives us one message, and more than this is no mail. */
#define FILE_MAX_BYTES ((gsize)1 << 30)

typedef struct {
    Source base;
    char *path;    /* NULL for stdin */
    gsize limit;   /* max_message_bytes; 0: none */
    GBytes *bytes; /* NULL until loaded */
    char *pos;     /* the position of bytes */
} FileSource;

static Status
file_open(const SourceConfig *cfg, Source **src_out, GError **error)
{
    const char *path = NULL;
    g_autofree char *key = NULL;
    FileSource *fs;
    struct stat st;

    if (strcmp(cfg->url, "-") != 0) {
        g_autofree char *canon = NULL;

        path = source_url_path(cfg->url, "file");
        if (path[0] == '\0')
            return status_set(error, ST_CONFIG,
                              "source: file url '%s' names no file",
                              cfg->url);
        if (stat(path, &st) != 0)
            return status_set(error, ST_IOERR,
                              "source: cannot open '%s': %s", path,
                              g_strerror(errno));
        if (S_ISDIR(st.st_mode))
            return status_set(error, ST_DATAERR,
                              "source: '%s' is a directory, not a message "
                              "file",
                              path);
        canon = g_canonicalize_filename(path, NULL);
        key = g_strconcat("file:", canon, NULL);
    }
    fs = g_new0(FileSource, 1);
    source_init_base(&fs->base, &source_file_driver,
                     key != NULL ? key : "stdin");
    fs->path = g_strdup(path);
    fs->limit = cfg->max_message_bytes;
    *src_out = &fs->base;
    return ST_OK;
}

static Status
load(FileSource *fs, GError **error)
{
    const char *what = fs->path != NULL ? fs->path : "stdin";
    gsize cap = FILE_MAX_BYTES;
    char hex[65];
    Status st;

    if (fs->bytes != NULL)
        return ST_OK;
    if (fs->limit > 0 && fs->limit < cap)
        cap = fs->limit;
    if (fs->path == NULL) {
        st = source_read_fd(STDIN_FILENO, what, cap, &fs->bytes, error);
    } else {
        mt_autofd int fd = open(fs->path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
            return status_set(error, ST_IOERR,
                              "source: cannot open '%s': %s", fs->path,
                              g_strerror(errno));
        st = source_read_fd(fd, what, cap, &fs->bytes, error);
    }
    if (st != ST_OK)
        return st;
    if (g_bytes_get_size(fs->bytes) == 0) {
        g_clear_pointer(&fs->bytes, g_bytes_unref);
        return status_set(error, ST_DATAERR, "source: '%s' is empty", what);
    }
    util_sha256_hex(g_bytes_get_data(fs->bytes, NULL),
                    g_bytes_get_size(fs->bytes), hex);
    fs->pos = g_strconcat(fs->path != NULL ? "sha256:" : "stdin:", hex,
                          NULL);
    return ST_OK;
}

static Status
file_list_new(Source *src, GPtrArray **pos_out, GError **error)
{
    FileSource *fs = (FileSource *)src;
    g_autoptr(GPtrArray) pos = g_ptr_array_new_with_free_func(g_free);
    Status st = load(fs, error);

    if (st != ST_OK)
        return st;
    g_ptr_array_add(pos, g_strdup(fs->pos));
    *pos_out = g_steal_pointer(&pos);
    return ST_OK;
}

static Status
file_fetch(Source *src, const char *pos, GBytes **raw_out, GError **error)
{
    FileSource *fs = (FileSource *)src;
    Status st = load(fs, error);

    if (st != ST_OK)
        return st;
    if (strcmp(pos, fs->pos) != 0)
        return status_set(error, ST_IOERR,
                          "source: '%s' does not hold message '%s'",
                          fs->path != NULL ? fs->path : "stdin", pos);
    *raw_out = g_bytes_ref(fs->bytes);
    return ST_OK;
}

static Status
file_mark_done(Source *src, const char *pos, GError **error)
{
    return ST_OK;
}

static void
file_close(Source *src)
{
    FileSource *fs = (FileSource *)src;

    g_clear_pointer(&fs->bytes, g_bytes_unref);
    g_free(fs->pos);
    g_free(fs->path);
    source_clear_base(&fs->base);
    g_free(fs);
}

const SourceDriver source_file_driver = {
    .scheme = "file",
    .open = file_open,
    .list_new = file_list_new,
    .fetch = file_fetch,
    .mark_done = file_mark_done,
    .close = file_close,
};
