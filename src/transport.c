/*
 * transport.c - picks the transport for a URL and reads its password.
 *
 * The backends live in transport-smtp.c (libcurl, the only file that
 * includes curl.h), transport-sendmail.c and transport-maildir.c.
 */
#include "config.h"

#include "transport.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* msmtp's rule: a password file anyone else can read is refused. */
static Status
read_password(const char *path, char **password_out, GError **error)
{
    struct stat sb;
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;

    if (stat(path, &sb) != 0)
        return status_set(error, ST_CONFIG,
                          "transport: cannot read password_file '%s': %s",
                          path, g_strerror(errno));
    if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return status_set(error, ST_CONFIG,
                          "transport: password_file '%s' is readable by "
                          "others (chmod 600 it)",
                          path);
    if (!g_file_get_contents(path, &text, &len, &local))
        return status_set(error, ST_CONFIG, "transport: %s", local->message);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    *password_out = g_strdup(text);
    explicit_bzero(text, len);
    return ST_OK;
}

Status
transport_open(const TransportConfig *cfg, Transport **transport_out,
               GError **error)
{
    g_autoptr(Transport) t = g_new0(Transport, 1);
    const char *url = cfg->url;
    Status st;

    t->url = g_strdup(url);
    t->user = g_strdup(cfg->user);
    t->ca_file = g_strdup(cfg->ca_file);
    if (cfg->password_file != NULL &&
        (st = read_password(cfg->password_file, &t->password, error)) !=
            ST_OK)
        return st;
    if (g_str_has_prefix(url, "smtp://") || g_str_has_prefix(url, "smtps://")) {
        const char *starttls = cfg->starttls != NULL ? cfg->starttls : "auto";
        const char *host = url + strlen(g_str_has_prefix(url, "smtps://")
                                            ? "smtps://"
                                            : "smtp://");

        t->use_tls = g_str_has_prefix(url, "smtps://");
        /* Plain SMTP leaves the host only on loopback, where there is
         * nothing to protect against; elsewhere STARTTLS is required
         * unless the configuration says no. */
        t->starttls = !t->use_tls &&
                      (strcmp(starttls, "yes") == 0 ||
                       (strcmp(starttls, "auto") == 0 &&
                        !g_str_has_prefix(host, "127.") &&
                        !g_str_has_prefix(host, "localhost") &&
                        !g_str_has_prefix(host, "[::1]")));
        st = transport_smtp_open(t, error);
    } else if (g_str_has_prefix(url, "sendmail:")) {
        t->path = g_strdup(url + strlen("sendmail:"));
        if (*t->path == '\0') {
            g_free(t->path);
            t->path = g_strdup("/usr/sbin/sendmail");
        }
        st = transport_sendmail_open(t, error);
    } else if (g_str_has_prefix(url, "maildir:")) {
        t->path = g_strdup(url + strlen("maildir:"));
        st = transport_maildir_open(t, error);
    } else {
        return status_set(error, ST_CONFIG,
                          "transport: unknown url '%s' (smtp://, smtps://, "
                          "sendmail:PATH or maildir:DIR)",
                          url);
    }
    if (st != ST_OK)
        return st;
    *transport_out = g_steal_pointer(&t);
    return ST_OK;
}

void
transport_close(Transport *t)
{
    if (t == NULL)
        return;
    if (t->ops != NULL && t->ops->close != NULL)
        t->ops->close(t);
    if (t->password != NULL) {
        explicit_bzero(t->password, strlen(t->password));
        g_free(t->password);
    }
    g_free(t->url);
    g_free(t->path);
    g_free(t->user);
    g_free(t->ca_file);
    g_free(t);
}

Status
transport_deliver(Transport *t, const char *sender, const char *recipient,
                  const char *key, GBytes *raw, GError **error)
{
    return t->ops->deliver(t, sender, recipient, key, raw, error);
}
