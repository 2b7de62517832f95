/*
 * conf.c - reading and validating mailtriage.conf.
 *
 * Unknown groups and keys are errors: a misspelt key that silently does
 * nothing is the worst kind of configuration bug on a support desk.
 */
#include "config.h"

#include "conf.h"

#include <errno.h>
#include <string.h>

#include "agentauth.h"
#include "token.h"
#include "util.h"

#ifndef MT_SYSCONFDIR
#define MT_SYSCONFDIR "/etc"
#endif

static const char *const general_keys[] = {
    "database", "rules", "templates", "support_address",
    "support_addresses", "ticket_start", "subject_tag", "timezone",
    "subject_fallback_days", "reopen_window_days", "batch_size",
    "ack_limit", "ack_window", NULL,
};
static const char *const limits_keys[] = {
    "max_message_bytes", "max_text_bytes", "max_mime_depth", "max_parts",
    "max_headers", "fallback_charsets", NULL,
};
static const char *const transport_keys[] = {
    "url", "user", "password_file", "from", "ca_file", "starttls", NULL,
};
static const char *const sla_keys[] = {
    "first_response", "next_response", "warn_before", "business_hours",
    "holidays", "escalate_to", "low", "normal", "high", "urgent", NULL,
};
/* By Priority (ticket.h): [sla] urgent = 4h and so on. */
static const char *const priority_keys[] = { "low", "normal", "high",
                                             "urgent" };
static const char *const source_keys[] = {
    "url", "user", "password_file", "password_command", "after", "channel",
    "sla", "tls", "ca_file", "folders", "tls_verify", "timeout", NULL,
};
static const char *const channel_keys[] = { "sla", NULL };
static const char *const agent_keys[] = { "email", "teams", "away", NULL };
static const char *const team_keys[] = { "strategy", "escalate_to", NULL };
static const char *const agents_keys[] = {
    "key_file", "verify", "authserv_id", NULL,
};

static void
agent_conf_free(AgentConf *agent)
{
    if (agent == NULL)
        return;
    g_free(agent->name);
    g_free(agent->email);
    g_strfreev(agent->teams);
    g_free(agent);
}

static void
team_conf_free(TeamConf *team)
{
    if (team == NULL)
        return;
    g_free(team->name);
    g_free(team->strategy);
    g_free(team->escalate_to);
    g_free(team);
}

static void
channel_conf_free(ChannelConf *ch)
{
    if (ch == NULL)
        return;
    g_free(ch->name);
    g_free(ch);
}

/* [channel NAME] sla, replacing a built-in one of that name. */
static ChannelConf *
channel_conf_add(Config *cfg, const char *name, gint64 sla)
{
    ChannelConf *ch = g_new0(ChannelConf, 1);

    for (guint i = 0; i < cfg->channels->len; i++) {
        ChannelConf *old = g_ptr_array_index(cfg->channels, i);

        if (strcmp(old->name, name) == 0) {
            g_ptr_array_remove_index(cfg->channels, i);
            break;
        }
    }
    ch->name = g_strdup(name);
    ch->sla = sla;
    g_ptr_array_add(cfg->channels, ch);
    return ch;
}

static void
source_conf_free(SourceConf *src)
{
    if (src == NULL)
        return;
    g_free(src->name);
    g_free(src->url);
    g_free(src->user);
    g_free(src->password_file);
    g_free(src->password_command);
    g_free(src->move_folder);
    g_free(src->channel);
    g_free(src->ca_file);
    g_strfreev(src->folders);
    g_free(src);
}

Config *
config_new_default(void)
{
    Config *cfg = g_new0(Config, 1);

    cfg->database = g_strdup("var/mailtriage.db");
    cfg->rules_dir = g_strdup("rules");
    cfg->templates_dir = g_strdup("templates");
    cfg->support_address = g_strdup("support@example.com");
    cfg->support_addresses = g_new0(char *, 2);
    cfg->support_addresses[0] = g_strdup(cfg->support_address);
    cfg->ticket_start = 1001;
    cfg->subject_tag = g_strdup("");
    cfg->timezone = g_strdup("UTC");
    cfg->batch_size = 500;
    limits_init_default(&cfg->limits);
    cfg->fallback_charsets = g_new0(char *, 1);
    cfg->limits.fallback_charsets =
        (const char *const *)cfg->fallback_charsets;
    cfg->transport_url = g_strdup("maildir:var/outbox");
    cfg->transport_starttls = g_strdup("auto");
    cfg->ack_limit = 3;
    cfg->ack_window = 3600;
    cfg->sla_first_response = 24 * 3600;
    cfg->sla_next_response = 24 * 3600;
    cfg->sla_warn_before = 4 * 3600;
    cfg->sources = g_ptr_array_new_with_free_func(
        (GDestroyNotify)source_conf_free);
    cfg->agents = g_ptr_array_new_with_free_func(
        (GDestroyNotify)agent_conf_free);
    cfg->teams = g_ptr_array_new_with_free_func(
        (GDestroyNotify)team_conf_free);
    cfg->agent_addresses = g_new0(char *, 1);
    cfg->agents_verify = AGENTAUTH_TOKEN;
    cfg->agents_authserv_ids = g_new0(char *, 1);
    /* What people expect of a chat or a phone line; email has the
     * [sla] first_response default. */
    cfg->channels = g_ptr_array_new_with_free_func(
        (GDestroyNotify)channel_conf_free);
    channel_conf_add(cfg, "chat", 15 * 60);
    channel_conf_add(cfg, "phone", 5 * 60);
    return cfg;
}

void
config_free(Config *cfg)
{
    if (cfg == NULL)
        return;
    g_free(cfg->path);
    g_free(cfg->database);
    g_free(cfg->rules_dir);
    g_free(cfg->templates_dir);
    g_free(cfg->support_address);
    g_strfreev(cfg->support_addresses);
    g_free(cfg->subject_tag);
    g_free(cfg->timezone);
    g_strfreev(cfg->fallback_charsets);
    g_free(cfg->transport_url);
    g_free(cfg->transport_user);
    g_free(cfg->transport_password_file);
    g_free(cfg->transport_from);
    g_free(cfg->transport_ca_file);
    g_free(cfg->transport_starttls);
    g_free(cfg->sla_escalate_to);
    g_free(cfg->sla_business_hours);
    g_free(cfg->sla_holidays);
    calendar_free(cfg->sla_calendar);
    g_ptr_array_unref(cfg->channels);
    g_ptr_array_unref(cfg->sources);
    g_ptr_array_unref(cfg->agents);
    g_ptr_array_unref(cfg->teams);
    g_strfreev(cfg->agent_addresses);
    g_free(cfg->agents_key_file);
    g_strfreev(cfg->agents_authserv_ids);
    g_free(cfg);
}

bool
config_parse_duration(const char *text, gint64 *secs_out)
{
    char *end = NULL;
    gint64 n, unit = 1;

    if (text == NULL)
        return false;
    while (g_ascii_isspace(*text))
        text++;
    if (!g_ascii_isdigit(*text))
        return false;
    errno = 0;
    n = g_ascii_strtoll(text, &end, 10);
    if (errno != 0 || n < 0)
        return false;
    switch (g_ascii_tolower(*end)) {
    case '\0': unit = 1; break;
    case 's': unit = 1; end++; break;
    case 'm': unit = 60; end++; break;
    case 'h': unit = 3600; end++; break;
    case 'd': unit = 86400; end++; break;
    case 'w': unit = 7 * 86400; end++; break;
    default: return false;
    }
    while (g_ascii_isspace(*end))
        end++;
    if (*end != '\0' || n > CONFIG_MAX_DURATION / unit)
        return false;
    *secs_out = n * unit;
    return true;
}

/* --- reading helpers: each names file, group and key on error ------- */

typedef struct {
    GKeyFile *kf;
    const char *path;
    char *dir; /* for relative paths */
} Reader;

static Status
bad_value(const Reader *r, const char *group, const char *key,
          const char *why, GError **error)
{
    return status_set(error, ST_CONFIG, "config: '%s': [%s] %s: %s",
                      r->path, group, key, why);
}

static Status
read_string(const Reader *r, const char *group, const char *key,
            char **value_inout, GError **error)
{
    g_autoptr(GError) local = NULL;
    char *v;

    if (!g_key_file_has_key(r->kf, group, key, NULL))
        return ST_OK;
    v = g_key_file_get_string(r->kf, group, key, &local);
    if (v == NULL)
        return bad_value(r, group, key, local->message, error);
    /* GKeyFile has no trailing comments; people write them anyway, and
     * "x = 3   # days" must not become the value "3   # days". */
    for (char *p = v; *p != '\0'; p++)
        if (*p == '#' && p > v && g_ascii_isspace(p[-1])) {
            *p = '\0';
            break;
        }
    g_strstrip(v);
    g_free(*value_inout);
    *value_inout = v;
    return ST_OK;
}

static Status
read_path(const Reader *r, const char *group, const char *key,
          char **value_inout, GError **error)
{
    Status st;

    /* Only what the file says is relative to the file; a default stays
     * relative to the working directory. */
    if (!g_key_file_has_key(r->kf, group, key, NULL))
        return ST_OK;
    if ((st = read_string(r, group, key, value_inout, error)) != ST_OK)
        return st;
    if (!g_path_is_absolute(*value_inout) && r->dir != NULL) {
        char *abs = g_build_filename(r->dir, *value_inout, NULL);

        g_free(*value_inout);
        *value_inout = abs;
    }
    return ST_OK;
}

/* "maildir:DIR", "mbox:FILE": the path after the scheme is relative to
 * the config file too. */
static Status
read_url(const Reader *r, const char *group, const char *key,
         char **value_inout, GError **error)
{
    const char *colon;
    Status st;

    if (!g_key_file_has_key(r->kf, group, key, NULL))
        return ST_OK;
    if ((st = read_string(r, group, key, value_inout, error)) != ST_OK ||
        r->dir == NULL)
        return st;
    colon = strchr(*value_inout, ':');
    if (colon == NULL || strncmp(colon, "://", 3) == 0)
        return ST_OK;
    if (!g_path_is_absolute(colon + 1) && colon[1] != '\0') {
        g_autofree char *scheme = g_strndup(*value_inout,
                                            (gsize)(colon - *value_inout));
        char *abs = g_strdup_printf("%s:%s/%s", scheme, r->dir, colon + 1);

        g_free(*value_inout);
        *value_inout = abs;
    }
    return ST_OK;
}

static Status
read_int(const Reader *r, const char *group, const char *key, gint64 min,
         gint64 *value_inout, GError **error)
{
    g_autofree char *text = NULL;
    Status st = read_string(r, group, key, &text, error);
    char *end = NULL;
    gint64 v;

    if (st != ST_OK || text == NULL)
        return st;
    errno = 0;
    v = g_ascii_strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min)
        return bad_value(r, group, key,
                         min > 0 ? "not a whole number of 1 or more"
                                 : "not a whole number of 0 or more",
                         error);
    *value_inout = v;
    return ST_OK;
}

static Status
read_size(const Reader *r, const char *group, const char *key,
          gsize *value_inout, GError **error)
{
    gint64 v = (gint64)*value_inout;
    Status st = read_int(r, group, key, 1, &v, error);

    if (st == ST_OK)
        *value_inout = (gsize)v;
    return st;
}

static Status
read_duration(const Reader *r, const char *group, const char *key,
              gint64 *value_inout, GError **error)
{
    g_autofree char *text = NULL;
    Status st = read_string(r, group, key, &text, error);

    if (st != ST_OK || text == NULL)
        return st;
    if (!config_parse_duration(text, value_inout))
        return bad_value(r, group, key,
                         "not a duration (e.g. 24h, 90m, 2d) of at most "
                         "36525d", error);
    return ST_OK;
}

static Status
read_bool(const Reader *r, const char *group, const char *key,
          bool *value_inout, GError **error)
{
    g_autofree char *text = NULL;
    Status st = read_string(r, group, key, &text, error);

    if (st != ST_OK || text == NULL)
        return st;
    if (util_strv_contains_ci((const char *const[]){ "true", "yes", "1",
                                                    "on", NULL }, text))
        *value_inout = true;
    else if (util_strv_contains_ci((const char *const[]){ "false", "no",
                                                         "0", "off",
                                                         NULL }, text))
        *value_inout = false;
    else
        return bad_value(r, group, key, "not true or false", error);
    return ST_OK;
}

/* A comma- or space-separated list, lower-cased when asked. */
static char **
split_list(const char *text, bool lower)
{
    g_auto(GStrv) parts = g_strsplit_set(text, ", \t", -1);
    GPtrArray *out = g_ptr_array_new();

    for (char **p = parts; *p != NULL; p++)
        if (**p != '\0')
            g_ptr_array_add(out, lower ? g_ascii_strdown(*p, -1)
                                       : g_strdup(*p));
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static Status
check_keys(const Reader *r, const char *group,
           const char *const *known, GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(r->kf, group, NULL, NULL);

    for (char **k = keys; k != NULL && *k != NULL; k++)
        if (!g_strv_contains(known, *k))
            return status_set(error, ST_CONFIG,
                              "config: '%s': [%s]: unknown key '%s'",
                              r->path, group, *k);
    return ST_OK;
}

/* --- groups --------------------------------------------------------- */

static Status
read_general(const Reader *r, Config *cfg, GError **error)
{
    const char *g = "general";
    g_autofree char *more = NULL;
    Status st;

    if ((st = check_keys(r, g, general_keys, error)) != ST_OK ||
        (st = read_path(r, g, "database", &cfg->database, error)) != ST_OK ||
        (st = read_path(r, g, "rules", &cfg->rules_dir, error)) != ST_OK ||
        (st = read_path(r, g, "templates", &cfg->templates_dir, error)) !=
            ST_OK ||
        (st = read_string(r, g, "support_address", &cfg->support_address,
                          error)) != ST_OK ||
        (st = read_string(r, g, "support_addresses", &more, error)) !=
            ST_OK ||
        (st = read_int(r, g, "ticket_start", 1, &cfg->ticket_start,
                       error)) != ST_OK ||
        (st = read_string(r, g, "subject_tag", &cfg->subject_tag, error)) !=
            ST_OK ||
        (st = read_string(r, g, "timezone", &cfg->timezone, error)) !=
            ST_OK ||
        (st = read_int(r, g, "subject_fallback_days", 0,
                       &cfg->subject_fallback_days, error)) != ST_OK ||
        (st = read_int(r, g, "reopen_window_days", 0,
                       &cfg->reopen_window_days, error)) != ST_OK ||
        (st = read_int(r, g, "batch_size", 1, &cfg->batch_size, error)) !=
            ST_OK ||
        (st = read_int(r, g, "ack_limit", 0, &cfg->ack_limit, error)) !=
            ST_OK ||
        (st = read_duration(r, g, "ack_window", &cfg->ack_window, error)) !=
            ST_OK)
        return st;

    {
        char *lower = g_ascii_strdown(cfg->support_address, -1);

        g_free(cfg->support_address);
        cfg->support_address = lower;
    }
    if (strchr(cfg->support_address, '@') == NULL)
        return bad_value(r, g, "support_address", "not an e-mail address",
                         error);
    g_strfreev(cfg->support_addresses);
    {
        g_autofree char *all = g_strdup_printf(
            "%s,%s", cfg->support_address, more != NULL ? more : "");

        cfg->support_addresses = split_list(all, true);
    }

    /* "ACME", "ACME #", "#" and "" all name the prefix before '#'. */
    {
        char *tag = cfg->subject_tag;
        gsize len = strlen(tag);

        while (len > 0 &&
               (tag[len - 1] == '#' || g_ascii_isspace(tag[len - 1])))
            tag[--len] = '\0';
        if (tag[0] == '[')
            memmove(tag, tag + 1, len--);
        if (strpbrk(tag, "[]#\r\n") != NULL)
            return bad_value(r, g, "subject_tag",
                             "must be a plain word such as ACME", error);
    }
    return ST_OK;
}

static Status
read_limits(const Reader *r, Config *cfg, GError **error)
{
    const char *g = "limits";
    g_autofree char *charsets = NULL;
    gint64 depth = cfg->limits.max_mime_depth;
    gint64 parts = cfg->limits.max_parts;
    gint64 headers = cfg->limits.max_headers;
    Status st;

    if (!g_key_file_has_group(r->kf, g))
        return ST_OK;
    if ((st = check_keys(r, g, limits_keys, error)) != ST_OK ||
        (st = read_size(r, g, "max_message_bytes",
                        &cfg->limits.max_message_bytes, error)) != ST_OK ||
        (st = read_size(r, g, "max_text_bytes",
                        &cfg->limits.max_text_bytes, error)) != ST_OK ||
        (st = read_int(r, g, "max_mime_depth", 1, &depth, error)) !=
            ST_OK ||
        (st = read_int(r, g, "max_parts", 1, &parts, error)) != ST_OK ||
        (st = read_int(r, g, "max_headers", 1, &headers, error)) != ST_OK ||
        (st = read_string(r, g, "fallback_charsets", &charsets, error)) !=
            ST_OK)
        return st;
    cfg->limits.max_mime_depth = (guint)MIN(depth, G_MAXUINT);
    cfg->limits.max_parts = (guint)MIN(parts, G_MAXUINT);
    cfg->limits.max_headers = (guint)MIN(headers, G_MAXUINT);
    if (charsets != NULL) {
        g_strfreev(cfg->fallback_charsets);
        cfg->fallback_charsets = split_list(charsets, false);
        cfg->limits.fallback_charsets =
            (const char *const *)cfg->fallback_charsets;
    }
    return ST_OK;
}

/* A list of dates stays as it is; anything else is a file, relative
 * to the config file. */
static Status
read_sla_holidays(const Reader *r, Config *cfg, GError **error)
{
    Status st = read_string(r, "sla", "holidays", &cfg->sla_holidays,
                            error);

    if (st != ST_OK || cfg->sla_holidays == NULL ||
        g_ascii_isdigit(cfg->sla_holidays[0]))
        return st;
    g_clear_pointer(&cfg->sla_holidays, g_free);
    return read_path(r, "sla", "holidays", &cfg->sla_holidays, error);
}

static Status
read_transport_and_sla(const Reader *r, Config *cfg, GError **error)
{
    Status st;

    if (g_key_file_has_group(r->kf, "transport") &&
        ((st = check_keys(r, "transport", transport_keys, error)) != ST_OK ||
         (st = read_url(r, "transport", "url", &cfg->transport_url,
                        error)) != ST_OK ||
         (st = read_string(r, "transport", "user", &cfg->transport_user,
                           error)) != ST_OK ||
         (st = read_path(r, "transport", "password_file",
                         &cfg->transport_password_file, error)) != ST_OK ||
         (st = read_string(r, "transport", "from", &cfg->transport_from,
                           error)) != ST_OK ||
         (st = read_path(r, "transport", "ca_file", &cfg->transport_ca_file,
                         error)) != ST_OK ||
         (st = read_string(r, "transport", "starttls",
                           &cfg->transport_starttls, error)) != ST_OK))
        return st;
    if (strcmp(cfg->transport_starttls, "auto") != 0 &&
        strcmp(cfg->transport_starttls, "yes") != 0 &&
        strcmp(cfg->transport_starttls, "no") != 0)
        return bad_value(r, "transport", "starttls",
                         "must be auto, yes or no", error);
    if (g_key_file_has_group(r->kf, "sla") &&
        ((st = check_keys(r, "sla", sla_keys, error)) != ST_OK ||
         (st = read_duration(r, "sla", "first_response",
                             &cfg->sla_first_response, error)) != ST_OK ||
         (st = read_duration(r, "sla", "next_response",
                             &cfg->sla_next_response, error)) != ST_OK ||
         (st = read_duration(r, "sla", "warn_before", &cfg->sla_warn_before,
                             error)) != ST_OK ||
         (st = read_string(r, "sla", "escalate_to", &cfg->sla_escalate_to,
                           error)) != ST_OK ||
         (st = read_string(r, "sla", "business_hours",
                           &cfg->sla_business_hours, error)) != ST_OK ||
         (st = read_sla_holidays(r, cfg, error)) != ST_OK))
        return st;
    for (int p = 0; p < (int)G_N_ELEMENTS(priority_keys); p++)
        if ((st = read_duration(r, "sla", priority_keys[p],
                                &cfg->sla_priority[p], error)) != ST_OK)
            return st;
    return ST_OK;
}

/* The keys only an IMAP source has. */
static Status
read_source_imap(const Reader *r, const char *group, SourceConf *src,
                 char **tls_out, char **folders_out, bool *tls_verify_out,
                 GError **error)
{
    Status st;

    if ((st = read_string(r, group, "tls", tls_out, error)) != ST_OK ||
        (st = read_path(r, group, "ca_file", &src->ca_file, error)) !=
            ST_OK ||
        (st = read_string(r, group, "folders", folders_out, error)) !=
            ST_OK ||
        (st = read_bool(r, group, "tls_verify", tls_verify_out, error)) !=
            ST_OK ||
        (st = read_duration(r, group, "timeout", &src->timeout, error)) !=
            ST_OK)
        return st;
    return ST_OK;
}

static Status
check_source_imap(const Reader *r, const char *group, SourceConf *src,
                  const char *tls, const char *folders, bool tls_verify,
                  GError **error)
{
    if (tls == NULL || strcmp(tls, "auto") == 0)
        src->tls = SOURCE_TLS_AUTO;
    else if (strcmp(tls, "starttls") == 0)
        src->tls = SOURCE_TLS_STARTTLS;
    else if (strcmp(tls, "implicit") == 0)
        src->tls = SOURCE_TLS_IMPLICIT;
    else if (strcmp(tls, "none") == 0)
        src->tls = SOURCE_TLS_NONE;
    else
        return bad_value(r, group, "tls",
                         "must be auto, starttls, implicit or none", error);
    src->is_tls_unverified = !tls_verify;
    if (folders != NULL) {
        /* Commas only: folder names have spaces ("Sent Items"). */
        g_auto(GStrv) parts = g_strsplit(folders, ",", -1);
        GPtrArray *list = g_ptr_array_new();

        for (char **p = parts; *p != NULL; p++) {
            g_strstrip(*p);
            if (**p != '\0')
                g_ptr_array_add(list, g_strdup(*p));
        }
        g_ptr_array_add(list, NULL);
        src->folders = (char **)g_ptr_array_free(list, FALSE);
        if (src->folders[0] == NULL)
            return bad_value(r, group, "folders", "names no folder", error);
    }
    if (src->timeout > G_MAXUINT)
        return bad_value(r, group, "timeout", "too long", error);
    if ((tls != NULL || folders != NULL || src->ca_file != NULL ||
         !tls_verify) &&
        !g_str_has_prefix(src->url, "imap://") &&
        !g_str_has_prefix(src->url, "imaps://"))
        return bad_value(r, group, "url",
                         "tls, ca_file, tls_verify and folders are for "
                         "imap:// and imaps:// sources",
                         error);
    return ST_OK;
}

static Status
read_source(const Reader *r, const char *group, const char *name,
            Config *cfg, GError **error)
{
    SourceConf *src = g_new0(SourceConf, 1);
    g_autofree char *after = NULL;
    g_autofree char *tls = NULL;
    g_autofree char *folders = NULL;
    bool tls_verify = true;
    Status st;

    src->name = g_strdup(name);
    src->channel = g_strdup("email");
    g_ptr_array_add(cfg->sources, src);
    if ((st = check_keys(r, group, source_keys, error)) != ST_OK ||
        (st = read_url(r, group, "url", &src->url, error)) != ST_OK ||
        (st = read_string(r, group, "user", &src->user, error)) != ST_OK ||
        (st = read_path(r, group, "password_file", &src->password_file,
                        error)) != ST_OK ||
        (st = read_string(r, group, "password_command",
                          &src->password_command, error)) != ST_OK ||
        (st = read_string(r, group, "after", &after, error)) != ST_OK ||
        (st = read_string(r, group, "channel", &src->channel, error)) !=
            ST_OK ||
        (st = read_duration(r, group, "sla", &src->sla, error)) != ST_OK ||
        (st = read_source_imap(r, group, src, &tls, &folders, &tls_verify,
                               error)) != ST_OK)
        return st;
    if (src->url == NULL)
        return bad_value(r, group, "url", "missing", error);
    if ((st = check_source_imap(r, group, src, tls, folders, tls_verify,
                                error)) != ST_OK)
        return st;
    if (after == NULL || strcmp(after, "seen") == 0)
        src->after = SOURCE_AFTER_SEEN;
    else if (strcmp(after, "keep") == 0)
        src->after = SOURCE_AFTER_KEEP;
    else if (strcmp(after, "delete") == 0)
        src->after = SOURCE_AFTER_DELETE;
    else if (g_str_has_prefix(after, "move:") && after[5] != '\0') {
        src->after = SOURCE_AFTER_MOVE;
        src->move_folder = g_strdup(after + 5);
    } else
        return bad_value(r, group, "after",
                         "must be seen, keep, delete or move:FOLDER", error);
    return ST_OK;
}

static Status
read_agent(const Reader *r, const char *group, const char *name,
           Config *cfg, GError **error)
{
    AgentConf *agent = g_new0(AgentConf, 1);
    g_autofree char *teams = NULL;
    Status st;

    agent->name = g_strdup(name);
    g_ptr_array_add(cfg->agents, agent);
    if ((st = check_keys(r, group, agent_keys, error)) != ST_OK ||
        (st = read_string(r, group, "email", &agent->email, error)) !=
            ST_OK ||
        (st = read_string(r, group, "teams", &teams, error)) != ST_OK ||
        (st = read_bool(r, group, "away", &agent->is_away, error)) != ST_OK)
        return st;
    /* The name stands in the agent's reply address (token.h). */
    if (!token_agent_name_is_valid(name))
        return status_set(error, ST_CONFIG,
                          "config: '%s': [%s]: an agent's name is letters, "
                          "digits, '-' and '_' (it is part of a mail "
                          "address)",
                          r->path, group);
    if (agent->email == NULL || strchr(agent->email, '@') == NULL)
        return bad_value(r, group, "email", "missing or not an address",
                         error);
    {
        char *lower = g_ascii_strdown(agent->email, -1);

        g_free(agent->email);
        agent->email = lower;
    }
    agent->teams = split_list(teams != NULL ? teams : "", false);
    return ST_OK;
}

static Status
read_team(const Reader *r, const char *group, const char *name,
          Config *cfg, GError **error)
{
    TeamConf *team = g_new0(TeamConf, 1);
    Status st;

    team->name = g_strdup(name);
    team->strategy = g_strdup("round-robin");
    g_ptr_array_add(cfg->teams, team);
    if ((st = check_keys(r, group, team_keys, error)) != ST_OK ||
        (st = read_string(r, group, "strategy", &team->strategy, error)) !=
            ST_OK ||
        (st = read_string(r, group, "escalate_to", &team->escalate_to,
                          error)) != ST_OK)
        return st;
    if (strcmp(team->strategy, "round-robin") != 0 &&
        strcmp(team->strategy, "least-open") != 0)
        return bad_value(r, group, "strategy",
                         "must be round-robin or least-open", error);
    return ST_OK;
}

/* [agents]: how agents' mail is proven theirs. */
static Status
read_agents(const Reader *r, Config *cfg, GError **error)
{
    const char *g = "agents";
    g_autofree char *verify = NULL;
    g_autofree char *ids = NULL;
    Status st;

    if (!g_key_file_has_group(r->kf, g))
        return ST_OK;
    if ((st = check_keys(r, g, agents_keys, error)) != ST_OK ||
        (st = read_path(r, g, "key_file", &cfg->agents_key_file, error)) !=
            ST_OK ||
        (st = read_string(r, g, "verify", &verify, error)) != ST_OK ||
        (st = read_string(r, g, "authserv_id", &ids, error)) != ST_OK)
        return st;
    if (ids != NULL) {
        g_strfreev(cfg->agents_authserv_ids);
        cfg->agents_authserv_ids = split_list(ids, true);
    }
    if (verify != NULL) {
        g_auto(GStrv) names = split_list(verify, true);

        cfg->agents_verify = 0;
        for (char **n = names; *n != NULL; n++) {
            guint m = agentauth_method_from_name(*n);

            if (m == 0)
                return bad_value(r, g, "verify",
                                 "not a list of token, dkim, spf", error);
            cfg->agents_verify |= m;
        }
    }
    if ((cfg->agents_verify & (AGENTAUTH_DKIM | AGENTAUTH_SPF)) != 0 &&
        cfg->agents_authserv_ids[0] == NULL)
        return bad_value(r, g, "verify",
                         "dkim and spf need authserv_id (the name your "
                         "receiving server writes in Authentication-Results)",
                         error);
    return ST_OK;
}

static Status
read_channel(const Reader *r, const char *group, const char *name,
             Config *cfg, GError **error)
{
    gint64 sla = 0;
    Status st;

    if ((st = check_keys(r, group, channel_keys, error)) != ST_OK ||
        (st = read_duration(r, group, "sla", &sla, error)) != ST_OK)
        return st;
    if (sla <= 0)
        return bad_value(r, group, "sla", "missing or zero", error);
    channel_conf_add(cfg, name, sla);
    return ST_OK;
}

static Status
read_groups(const Reader *r, Config *cfg, GError **error)
{
    g_auto(GStrv) groups = g_key_file_get_groups(r->kf, NULL);
    Status st;

    for (char **gp = groups; *gp != NULL; gp++) {
        char *group = *gp;
        char *space = strchr(group, ' ');
        g_autofree char *kind =
            space != NULL ? g_strndup(group, (gsize)(space - group))
                          : g_strdup(group);
        const char *name = space != NULL ? space + 1 : "";

        while (*name == ' ')
            name++;

        if (space == NULL &&
            (strcmp(kind, "general") == 0 || strcmp(kind, "limits") == 0 ||
             strcmp(kind, "transport") == 0 || strcmp(kind, "sla") == 0 ||
             strcmp(kind, "agents") == 0))
            continue;
        if (space != NULL && *name != '\0') {
            if (strcmp(kind, "source") == 0)
                st = read_source(r, group, name, cfg, error);
            else if (strcmp(kind, "agent") == 0)
                st = read_agent(r, group, name, cfg, error);
            else if (strcmp(kind, "team") == 0)
                st = read_team(r, group, name, cfg, error);
            else if (strcmp(kind, "channel") == 0)
                st = read_channel(r, group, name, cfg, error);
            else
                st = status_set(error, ST_CONFIG,
                                "config: '%s': unknown group [%s]", r->path,
                                group);
        } else
            st = status_set(error, ST_CONFIG,
                            "config: '%s': unknown group [%s]", r->path,
                            group);
        if (st != ST_OK)
            return st;
    }
    return ST_OK;
}

static void
collect_agent_addresses(Config *cfg)
{
    GPtrArray *list = g_ptr_array_new();

    for (guint i = 0; i < cfg->agents->len; i++) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, i);

        g_ptr_array_add(list, g_strdup(agent->email));
    }
    g_ptr_array_add(list, NULL);
    g_strfreev(cfg->agent_addresses);
    cfg->agent_addresses = (char **)g_ptr_array_free(list, FALSE);
}

/* GKeyFile's syntax errors name no line; find it for the user. */
static int
first_bad_line(const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        const char *l = lines[i];

        while (g_ascii_isspace(*l))
            l++;
        if (*l == '\0' || *l == '#' || *l == ';' ||
            (*l == '[' && strchr(l, ']') != NULL) ||
            (*l != '=' && strchr(l, '=') != NULL))
            continue;
        return i + 1;
    }
    return 0;
}

static Status
load_file(const char *path, Config *cfg, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_autofree char *abs = g_canonicalize_filename(path, NULL);
    Reader r = { .kf = kf, .path = path };
    Status st;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
        int line = g_error_matches(local, G_KEY_FILE_ERROR,
                                   G_KEY_FILE_ERROR_PARSE)
                       ? first_bad_line(path)
                       : 0;

        if (line > 0)
            return status_set(error, ST_CONFIG,
                              "config: '%s' line %d: not a [group], a "
                              "key = value or a # comment",
                              path, line);
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return status_set(error, ST_CONFIG,
                              "config: cannot read '%s': no such file",
                              path);
        return status_set(error, ST_CONFIG, "config: cannot read '%s': %s",
                          path, local->message);
    }
    r.dir = g_path_get_dirname(abs);
    cfg->path = g_strdup(path);
    if ((g_key_file_has_group(kf, "general") &&
         (st = read_general(&r, cfg, error)) != ST_OK) ||
        (st = read_limits(&r, cfg, error)) != ST_OK ||
        (st = read_transport_and_sla(&r, cfg, error)) != ST_OK ||
        (st = read_groups(&r, cfg, error)) != ST_OK ||
        (st = read_agents(&r, cfg, error)) != ST_OK) {
        g_free(r.dir);
        return st;
    }
    g_free(r.dir);
    collect_agent_addresses(cfg);
    if ((st = calendar_parse(cfg->sla_business_hours, cfg->sla_holidays,
                             cfg->timezone, &cfg->sla_calendar, error)) !=
        ST_OK) {
        g_prefix_error(error, "config: '%s': [sla] business_hours, "
                       "holidays or [general] timezone: ", path);
        return st;
    }
    return ST_OK;
}

Status
config_load(const char *path, Config **cfg_out, GError **error)
{
    g_autoptr(Config) cfg = config_new_default();
    g_autofree char *system_path = g_build_filename(
        MT_SYSCONFDIR, "mailtriage", "mailtriage.conf", NULL);
    Status st;

    if (path == NULL) {
        if (g_file_test("mailtriage.conf", G_FILE_TEST_EXISTS))
            path = "mailtriage.conf";
        else if (g_file_test(system_path, G_FILE_TEST_EXISTS))
            path = system_path;
    }
    if (path != NULL && (st = load_file(path, cfg, error)) != ST_OK)
        return st;
    *cfg_out = g_steal_pointer(&cfg);
    return ST_OK;
}

const AgentConf *
config_agent_by_email(const Config *cfg, const char *email)
{
    for (guint i = 0; i < cfg->agents->len; i++) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, i);

        if (email != NULL && g_ascii_strcasecmp(agent->email, email) == 0)
            return agent;
    }
    return NULL;
}
