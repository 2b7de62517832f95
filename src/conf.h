/*
 * conf.h - mailtriage.conf (GLib GKeyFile) read once into a validated,
 * typed Config.
 *
 * Layers as msmtp has them: embedded defaults, then the file, then the
 * command line (cmd-* overrides single fields).  Every path in the file
 * may be relative to the file.  Errors name the file, group and key and
 * are ST_CONFIG.  Only cmd-* and context.c see a Config; modules get
 * the plain structs they need (Limits, ThreadOptions, ...).
 */
#ifndef MT_CONF_H
#define MT_CONF_H

#include <glib.h>
#include <stdbool.h>

#include "calendar.h"
#include "parse.h"
#include "source.h"
#include "status.h"

typedef struct {
    char *name;
    char *email;  /* lower case */
    char **teams; /* NULL-terminated, never NULL */
    bool is_away;
} AgentConf;

typedef struct {
    char *name;
    char *strategy;    /* "round-robin" or "least-open" */
    char *escalate_to; /* NULL when unset */
} TeamConf;

/* [channel NAME]: the response time promised for mail of a channel
 * (a [source] says which channel it carries). */
typedef struct {
    char *name;
    gint64 sla; /* seconds */
} ChannelConf;

typedef struct {
    char *name;
    char *url;
    char *user;
    char *password_file;
    char *password_command;
    SourceAfter after;
    char *move_folder; /* for after = move:FOLDER */
    char *channel;     /* "email" unless set */
    gint64 sla;        /* seconds; 0: the default */
    /* IMAP (source-imap.c) */
    SourceTls tls;     /* tls = auto|starttls|implicit|none */
    char *ca_file;
    bool is_tls_unverified; /* tls_verify = no */
    char **folders;    /* folders = A, B; NULL: the url's folder */
    gint64 timeout;    /* seconds for every network wait; 0: 60 */
} SourceConf;

typedef struct {
    char *path; /* the file read; NULL for the embedded defaults */

    /* [general] */
    char *database;
    char *rules_dir;
    char *templates_dir;
    char *support_address;    /* lower case */
    char **support_addresses; /* lower case, all of them, NULL-term. */
    gint64 ticket_start;
    char *subject_tag;        /* prefix inside the brackets; "" for [#n] */
    char *timezone;
    gint64 subject_fallback_days; /* 0: off */
    gint64 reopen_window_days;    /* 0: always reopen */
    gint64 batch_size;            /* messages per transaction */
    gint64 ack_limit;  /* acknowledgments per address per ack_window;
                          0: none at all */
    gint64 ack_window; /* seconds */

    /* [limits] */
    Limits limits;
    char **fallback_charsets; /* owns what limits.fallback_charsets shows */

    /* [transport] */
    char *transport_url;
    char *transport_user;
    char *transport_password_file;
    char *transport_from;
    char *transport_ca_file;  /* NULL: the system's CA store */
    char *transport_starttls; /* "auto" (smtp:// not on loopback: yes),
                                 "yes", "no" */

    /* [sla] */
    gint64 sla_first_response; /* seconds */
    gint64 sla_next_response;
    gint64 sla_warn_before;
    char *sla_escalate_to;
    char *sla_business_hours; /* NULL or "24/7": always open */
    char *sla_holidays;       /* dates, or a file of dates */
    Calendar *sla_calendar;   /* from the two above; NULL: 24/7 */
    gint64 sla_priority[4];   /* [sla] low, normal, high, urgent, by
                                 Priority (ticket.h); 0: unset */
    GPtrArray *channels;      /* ChannelConf *; chat and phone built in */

    /* [agents] (DESIGN 8a) */
    char *agents_key_file;      /* NULL: agent-token.key beside the
                                   database, made at first use */
    guint agents_verify;        /* AgentAuthMethod flags; token alone by
                                   default */
    char **agents_authserv_ids; /* lower case, NULL-terminated */

    GPtrArray *sources; /* SourceConf * */
    GPtrArray *agents;  /* AgentConf * */
    GPtrArray *teams;   /* TeamConf * */

    char **agent_addresses; /* lower case, NULL-terminated */
} Config;

/* Load path, or when path is NULL the first of ./mailtriage.conf and
 * SYSCONFDIR/mailtriage/mailtriage.conf that exists, or else the
 * embedded defaults.  The caller frees *cfg_out. */
Status config_load(const char *path, Config **cfg_out, GError **error);

/* The embedded defaults alone (tests, `mailtriage help`). */
Config *config_new_default(void);
void config_free(Config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Config, config_free)

/* The agent with that address (case-insensitive), or NULL; lent. */
const AgentConf *config_agent_by_email(const Config *cfg,
                                       const char *email);

/* The longest duration config_parse_duration() accepts: a century.
 * Every duration is added to a time (a deadline, "now - 3d"); a
 * longer one would leave the range of dates, or of gint64, there. */
#define CONFIG_MAX_DURATION (G_GINT64_CONSTANT(36525) * 86400)

/* "24h", "90m", "2d", "45s", "3600" (seconds) to seconds; false when
 * text is not a duration or is longer than CONFIG_MAX_DURATION. */
bool config_parse_duration(const char *text, gint64 *secs_out);

#endif
