/*
 * transport-sendmail.c - sendmail:PATH: the message goes to PATH -i -t
 * on its standard input, as every MTA's sendmail interface takes it.
 *
 * The program is spawned from an argv, never through a shell, so no
 * address can become a command.  Its exit status follows sysexits.h:
 * 75 and its kin are "try again", any other failure is permanent.
 */
#include "config.h"

#include "transport.h"

#include <gio/gio.h>
#include <string.h>

static Status
sendmail_deliver(Transport *t, const char *sender, const char *recipient,
                 const char *key, GBytes *raw, GError **error)
{
    const char *argv[] = { t->path, "-i", "-t", "-f", sender, NULL };
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(GBytes) err_out = NULL;
    int code;

    (void)key;
    (void)recipient;
    proc = g_subprocess_newv(argv,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                 G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &local);
    if (proc == NULL)
        return status_set(error, ST_CONFIG, "transport: cannot run '%s': %s",
                          t->path, local->message);
    if (!g_subprocess_communicate(proc, raw, NULL, NULL, &err_out, &local))
        return status_set(error, ST_TEMPFAIL,
                          "transport: '%s' failed: %s", t->path,
                          local->message);
    if (!g_subprocess_get_if_exited(proc))
        return status_set(error, ST_TEMPFAIL, "transport: '%s' was killed",
                          t->path);
    code = g_subprocess_get_exit_status(proc);
    if (code == 0)
        return ST_OK;
    {
        g_autofree char *why = g_strndup(
            err_out != NULL ? g_bytes_get_data(err_out, NULL) : "",
            err_out != NULL ? MIN(g_bytes_get_size(err_out), 200) : 0);

        g_strdelimit(why, "\r\n", ' ');
        g_strstrip(why);
        /* EX_UNAVAILABLE, EX_OSERR, EX_IOERR, EX_TEMPFAIL: the local MTA
         * is in trouble, not the message. */
        return status_set(error,
                          code == 75 || code == 69 || code == 71 ||
                                  code == 74
                              ? ST_TEMPFAIL
                              : ST_DATAERR,
                          "transport: '%s' exited with %d%s%s", t->path, code,
                          *why != '\0' ? ": " : "", why);
    }
}

static const TransportOps sendmail_ops = {
    .deliver = sendmail_deliver,
};

Status
transport_sendmail_open(Transport *t, GError **error)
{
    if (!g_path_is_absolute(t->path))
        return status_set(error, ST_CONFIG,
                          "transport: sendmail:%s: needs an absolute path",
                          t->path);
    if (!g_file_test(t->path, G_FILE_TEST_IS_EXECUTABLE))
        return status_set(error, ST_CONFIG,
                          "transport: sendmail:%s: not an executable",
                          t->path);
    t->ops = &sendmail_ops;
    return ST_OK;
}
