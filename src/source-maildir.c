/*
 * source-maildir.c - the Maildir driver: lists new/ and cur/, reads one
 * file, and after commit marks it seen (new/ -> cur/ with ":2,S") or
 * deletes it.  It never looks into tmp/, where deliveries are still
 * being written, and never writes there either.
 *
 * A position is the unique part of a file name, the part before the
 * ":2," info (https://cr.yp.to/proto/maildir.html).  A person's mail
 * client moves a file it has shown from new/ to cur/ and appends flags,
 * so "new/1700.M1P1.host" becomes "cur/1700.M1P1.host:2,S"; the unique
 * part survives that, the full name does not.  fetch() and mark_done()
 * therefore look the name up in new/ and cur/, with any info suffix.
 * Positions written as "new/NAME" or "cur/NAME:2,S" are accepted too
 * and mean the same.
 *
 * Listing stays cheap for 100,000 files: one readdir() per directory,
 * no stat() per file; the sorted list of files from the last listing
 * lets fetch() open the right file without scanning again.
 */
#include "config.h"

#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/*
 * One message file as last seen.  unique is what list_new() hands out
 * as the position; loc is where the file was: "n" for new/, "c" and
 * the info ("c:2,S") for cur/, NULL once it is gone.  Both live in
 * MaildirSource.names, so a position stays valid until close.
 */
typedef struct {
    char *unique;
    const char *loc;
} Entry;

typedef struct {
    Source base;
    char *dir;      /* as configured, for messages and file names */
    SourceAfter after;
    gsize limit;    /* max_message_bytes; 0: none */
    /*
     * The files of the last listing, sorted by unique name (name_cmp):
     * a hint only, since a mail client may move files at any time.
     * For a big Maildir this is the one thing held for a whole run,
     * so it is packed: each unique name once, in a string chunk that
     * only grows (a rescan reuses the names it knows), the few
     * distinct locs shared, 16 bytes of Entry each.  Separate strings
     * in a hash table cost 3 to 4 times as much, 20 MB for 100,000
     * files.
     */
    GStringChunk *names;
    GArray *entries; /* Entry; NULL until the first scan */
} MaildirSource;

static const char *const subdirs[] = { "new", "cur" };

/* The unique part of a directory entry's name: up to the info
 * separator ':'.  The caller frees it. */
static char *
unique_of(const char *name)
{
    const char *colon = strchr(name, ':');

    return colon != NULL ? g_strndup(name, (gsize)(colon - name))
                         : g_strdup(name);
}

/* The unique name a position names, or NULL when it cannot be one. */
static char *
unique_of_pos(const char *pos)
{
    g_autofree char *unique = NULL;

    if (g_str_has_prefix(pos, "new/") || g_str_has_prefix(pos, "cur/"))
        pos += 4;
    unique = unique_of(pos);
    if (unique[0] == '\0' || unique[0] == '.' || strchr(unique, '/') != NULL)
        return NULL;
    return g_steal_pointer(&unique);
}

/*
 * Compare two file names so that digit runs compare as numbers: the
 * leading Unix time orders by arrival, and within one second Dovecot's
 * "M<microseconds>" (not zero-padded) does too.  Names that do not start
 * with a digit sort after those that do.  Equal numbers with different
 * zero padding fall back to strcmp(), so the order is total.
 */
static int
name_cmp(const char *a, const char *b)
{
    const char *a0 = a;
    const char *b0 = b;

    while (*a != '\0' && *b != '\0') {
        if (g_ascii_isdigit(*a) && g_ascii_isdigit(*b)) {
            const char *ea;
            const char *eb;
            gsize la;
            gsize lb;
            int c;

            while (*a == '0' && g_ascii_isdigit(a[1]))
                a++;
            while (*b == '0' && g_ascii_isdigit(b[1]))
                b++;
            for (ea = a; g_ascii_isdigit(*ea); ea++)
                ;
            for (eb = b; g_ascii_isdigit(*eb); eb++)
                ;
            la = (gsize)(ea - a);
            lb = (gsize)(eb - b);
            if (la != lb)
                return la < lb ? -1 : 1;
            c = memcmp(a, b, la);
            if (c != 0)
                return c;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (guchar)*a < (guchar)*b ? -1 : 1;
        a++;
        b++;
    }
    if (*a != *b)
        return (guchar)*a < (guchar)*b ? -1 : 1;
    return strcmp(a0, b0);
}

static gint
entry_cmp(gconstpointer a, gconstpointer b)
{
    return name_cmp(((const Entry *)a)->unique, ((const Entry *)b)->unique);
}

/* The entry for unique in a sorted array, or NULL. */
static Entry *
find_entry(GArray *entries, const char *unique)
{
    guint lo = 0;
    guint hi = entries != NULL ? entries->len : 0;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        Entry *e = &g_array_index(entries, Entry, mid);
        int c = name_cmp(unique, e->unique);

        if (c == 0)
            return e;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* loc for a name in subdir ("new" or "cur"), shared in the chunk. */
static const char *
loc_of(MaildirSource *ms, const char *subdir, const char *name)
{
    const char *colon = strchr(name, ':');
    g_autofree char *loc = NULL;

    if (subdir[0] == 'n')
        return g_string_chunk_insert_const(ms->names, "n");
    loc = g_strconcat("c", colon != NULL ? colon : "", NULL);
    return g_string_chunk_insert_const(ms->names, loc);
}

/* "new/NAME" or "cur/NAME:2,FLAGS" for an entry that is there. */
static char *
rel_of(const Entry *e)
{
    return e->loc[0] == 'n' ? g_strconcat("new/", e->unique, NULL)
                            : g_strconcat("cur/", e->unique, e->loc + 1,
                                          NULL);
}

/*
 * Read new/ and cur/ into a fresh list of entries.  Dot files (and
 * with them "." and "..") are skipped, as every Maildir reader does;
 * so are entries readdir() reports as directories.  A missing new/ or
 * cur/ is an empty one.  new/ is read first: a client only ever moves
 * new/ -> cur/, so a file moved while we read is seen at least once.
 */
static Status
scan(MaildirSource *ms, GError **error)
{
    g_autoptr(GArray) entries = g_array_sized_new(
        FALSE, FALSE, sizeof(Entry),
        ms->entries != NULL ? ms->entries->len : 0);
    g_autoptr(GString) unique = g_string_new(NULL);
    guint kept = 0;

    for (gsize i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        g_autofree char *path = g_build_filename(ms->dir, subdirs[i], NULL);
        DIR *d = opendir(path);
        struct dirent *de;

        if (d == NULL) {
            if (errno == ENOENT)
                continue;
            return status_set(error, ST_IOERR,
                              "source: cannot read maildir '%s': %s", path,
                              g_strerror(errno));
        }
        for (;;) {
            const Entry *known;
            Entry e;

            errno = 0;
            de = readdir(d);
            if (de == NULL)
                break;
            if (de->d_name[0] == '.')
                continue;
#ifdef _DIRENT_HAVE_D_TYPE
            if (de->d_type == DT_DIR)
                continue;
#endif
            g_string_truncate(unique, 0);
            g_string_append_len(unique, de->d_name,
                                (gssize)strcspn(de->d_name, ":"));
            /* A name seen before keeps its string: positions handed
             * out point to it. */
            known = find_entry(ms->entries, unique->str);
            e.unique = known != NULL
                           ? known->unique
                           : g_string_chunk_insert_len(ms->names,
                                                       unique->str,
                                                       (gssize)unique->len);
            e.loc = loc_of(ms, subdirs[i], de->d_name);
            g_array_append_val(entries, e);
        }
        if (errno != 0) {
            int saved = errno;

            closedir(d);
            return status_set(error, ST_IOERR,
                              "source: cannot read maildir '%s': %s", path,
                              g_strerror(saved));
        }
        closedir(d);
    }
    /* Stable, so that of a name in both (moved while we read) the one
     * from cur/, read last and newer, comes last and stays. */
    g_array_sort(entries, entry_cmp);
    for (guint i = 0; i < entries->len; i++) {
        const Entry *e = &g_array_index(entries, Entry, i);

        if (kept > 0 &&
            strcmp(g_array_index(entries, Entry, kept - 1).unique,
                   e->unique) == 0)
            kept--;
        g_array_index(entries, Entry, kept++) = *e;
    }
    g_array_set_size(entries, kept);
    g_clear_pointer(&ms->entries, g_array_unref);
    ms->entries = g_steal_pointer(&entries);
    return ST_OK;
}

/* Where the message with this unique name is now, relative to the
 * Maildir ("new/NAME", "cur/NAME:2,S"); NULL when it is gone.  With
 * rescan the list from the last scan is not trusted. */
static Status
locate(MaildirSource *ms, const char *unique, bool rescan, char **rel_out,
       GError **error)
{
    const Entry *e;
    Status st;

    if (!rescan && ms->entries != NULL) {
        e = find_entry(ms->entries, unique);
        if (e != NULL && e->loc != NULL) {
            *rel_out = rel_of(e);
            return ST_OK;
        }
    }
    if ((st = scan(ms, error)) != ST_OK)
        return st;
    e = find_entry(ms->entries, unique);
    *rel_out = e != NULL && e->loc != NULL ? rel_of(e) : NULL;
    return ST_OK;
}

/* The file is now at rel ("new/NAME", "cur/NAME:2,S"), or gone
 * (NULL). */
static void
remember(MaildirSource *ms, const char *unique, const char *rel)
{
    Entry *e = find_entry(ms->entries, unique);

    if (e == NULL)
        return;
    if (rel == NULL)
        e->loc = NULL;
    else
        e->loc = loc_of(ms, g_str_has_prefix(rel, "new/") ? "new" : "cur",
                        rel + 4);
}

static Status
maildir_open(const SourceConfig *cfg, Source **src_out, GError **error)
{
    const char *dir = source_url_path(cfg->url, "maildir");
    g_autofree char *canon = NULL;
    g_autofree char *key = NULL;
    MaildirSource *ms;
    struct stat st;

    if (dir[0] == '\0')
        return status_set(error, ST_CONFIG,
                          "source: maildir url '%s' names no directory",
                          cfg->url);
    if (stat(dir, &st) != 0)
        return status_set(error, ST_IOERR, "source: cannot open '%s': %s",
                          dir, g_strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return status_set(error, ST_DATAERR,
                          "source: '%s' is not a directory, so not a "
                          "Maildir",
                          dir);
    {
        g_autofree char *cur = g_build_filename(dir, "cur", NULL);
        g_autofree char *new = g_build_filename(dir, "new", NULL);

        if (!g_file_test(cur, G_FILE_TEST_IS_DIR) &&
            !g_file_test(new, G_FILE_TEST_IS_DIR))
            return status_set(error, ST_DATAERR,
                              "source: '%s' is a directory but not a "
                              "Maildir (no cur/ or new/)",
                              dir);
    }
    canon = g_canonicalize_filename(dir, NULL);
    key = g_strconcat("maildir:", canon, NULL);
    ms = g_new0(MaildirSource, 1);
    source_init_base(&ms->base, &source_maildir_driver, key);
    ms->dir = g_strdup(dir);
    ms->after = cfg->after;
    ms->limit = cfg->max_message_bytes;
    ms->names = g_string_chunk_new(64 * 1024);
    *src_out = &ms->base;
    return ST_OK;
}

/* The positions are borrowed from the source: they live in ms->names
 * until close. */
static Status
maildir_list_new(Source *src, GPtrArray **pos_out, GError **error)
{
    MaildirSource *ms = (MaildirSource *)src;
    GPtrArray *pos;
    Status st;

    if ((st = scan(ms, error)) != ST_OK)
        return st;
    pos = g_ptr_array_sized_new(ms->entries->len);
    for (guint i = 0; i < ms->entries->len; i++)
        g_ptr_array_add(pos, g_array_index(ms->entries, Entry, i).unique);
    *pos_out = pos;
    return ST_OK;
}

static Status
maildir_fetch(Source *src, const char *pos, GBytes **raw_out,
              GError **error)
{
    MaildirSource *ms = (MaildirSource *)src;
    g_autofree char *unique = unique_of_pos(pos);

    if (unique == NULL)
        return status_set(error, ST_SOFTWARE,
                          "source: '%s' is not a maildir position", pos);
    /* A client may move the file between our lookup and open(); one
     * fresh scan settles that. */
    for (int attempt = 0; attempt < 2; attempt++) {
        g_autofree char *rel = NULL;
        g_autofree char *path = NULL;
        mt_autofd int fd = -1;
        Status st = locate(ms, unique, attempt > 0, &rel, error);

        if (st != ST_OK)
            return st;
        if (rel == NULL)
            break;
        path = g_build_filename(ms->dir, rel, NULL);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            return source_read_fd(fd, path, ms->limit, raw_out, error);
        if (errno != ENOENT)
            return status_set(error, ST_IOERR,
                              "source: cannot open '%s': %s", path,
                              g_strerror(errno));
    }
    return status_set(error, ST_IOERR,
                      "source: message '%s' is gone from maildir '%s'",
                      unique, ms->dir);
}

/* The name in cur/ that marks the message seen: the unique part, then
 * ":2," and the old flags plus S, in ASCII order as the Maildir spec
 * asks. */
static char *
seen_name(const char *unique, const char *rel)
{
    const char *colon = strchr(rel, ':');
    g_autoptr(GString) flags = g_string_new(NULL);
    bool has_s = false;

    /* Other info than "2,..." is experimental (spec): not ours to
     * keep. */
    if (colon != NULL && g_str_has_prefix(colon + 1, "2,"))
        g_string_append(flags, colon + 3);
    for (gsize i = 0; i < flags->len; i++)
        if (flags->str[i] == 'S')
            has_s = true;
    if (!has_s) {
        gsize i = 0;

        while (i < flags->len && (guchar)flags->str[i] < 'S')
            i++;
        g_string_insert_c(flags, (gssize)i, 'S');
    }
    return g_strconcat("cur/", unique, ":2,", flags->str, NULL);
}

static Status
mark_seen(MaildirSource *ms, const char *unique, GError **error)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        g_autofree char *rel = NULL;
        g_autofree char *target = NULL;
        g_autofree char *from = NULL;
        g_autofree char *to = NULL;
        Status st = locate(ms, unique, attempt > 0, &rel, error);

        if (st != ST_OK)
            return st;
        if (rel == NULL)
            break;
        target = seen_name(unique, rel);
        if (strcmp(rel, target) == 0)
            return ST_OK;
        from = g_build_filename(ms->dir, rel, NULL);
        to = g_build_filename(ms->dir, target, NULL);
        /* rename() is atomic: the message is in one place or the other,
         * never in both and never in neither. */
        if (rename(from, to) == 0) {
            remember(ms, unique, target);
            return ST_OK;
        }
        if (errno != ENOENT)
            return status_set(error, ST_IOERR,
                              "source: cannot move '%s' to '%s': %s", from,
                              to, g_strerror(errno));
    }
    return status_set(error, ST_IOERR,
                      "source: message '%s' is gone from maildir '%s'",
                      unique, ms->dir);
}

static Status
mark_deleted(MaildirSource *ms, const char *unique, GError **error)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        g_autofree char *rel = NULL;
        g_autofree char *path = NULL;
        Status st = locate(ms, unique, attempt > 0, &rel, error);

        if (st != ST_OK)
            return st;
        if (rel == NULL)
            break;
        path = g_build_filename(ms->dir, rel, NULL);
        if (unlink(path) == 0) {
            remember(ms, unique, NULL);
            return ST_OK;
        }
        if (errno != ENOENT)
            return status_set(error, ST_IOERR,
                              "source: cannot delete '%s': %s", path,
                              g_strerror(errno));
    }
    /* Already gone: what we were asked for holds, and a rerun after a
     * crash between unlink() and the caller's bookkeeping lands here. */
    return ST_OK;
}

static Status
maildir_mark_done(Source *src, const char *pos, GError **error)
{
    MaildirSource *ms = (MaildirSource *)src;
    g_autofree char *unique = unique_of_pos(pos);

    if (unique == NULL)
        return status_set(error, ST_SOFTWARE,
                          "source: '%s' is not a maildir position", pos);
    switch (ms->after) {
    case SOURCE_AFTER_KEEP:
        return ST_OK;
    case SOURCE_AFTER_SEEN:
    case SOURCE_AFTER_MOVE: /* a Maildir has no folders to move to */
        return mark_seen(ms, unique, error);
    case SOURCE_AFTER_DELETE:
        return mark_deleted(ms, unique, error);
    }
    return status_set(error, ST_SOFTWARE,
                      "source: unknown after-action %d", (int)ms->after);
}

static void
maildir_close(Source *src)
{
    MaildirSource *ms = (MaildirSource *)src;

    g_clear_pointer(&ms->entries, g_array_unref);
    g_string_chunk_free(ms->names);
    g_free(ms->dir);
    source_clear_base(&ms->base);
    g_free(ms);
}

const SourceDriver source_maildir_driver = {
    .scheme = "maildir",
    .open = maildir_open,
    .list_new = maildir_list_new,
    .fetch = maildir_fetch,
    .mark_done = maildir_mark_done,
    .close = maildir_close,
};
