/*
 * main.c - global options, the command table, the exit status.
 *
 * main builds the Ctx each command asks for (config, store mode, run
 * lock), runs it, prints its error if any, and then flushes and closes
 * stdout and fails if that fails, as git does: a report cut short by a
 * full disk is not a success.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "message.h"
#include "util.h"

typedef struct {
    const char *name;
    CommandFn fn;
    CtxNeeds needs;
    const char *help;
} Command;

static const Command commands[] = {
    { "run", cmd_run, NEED_CONFIG | NEED_STORE_RW | NEED_LOCK,
      "fetch every configured source and process the mail" },
    { "fetch", cmd_fetch, NEED_CONFIG | NEED_STORE_RW | NEED_LOCK,
      "fetch every configured source (IMAP, Maildir, mbox), nothing else" },
    { "ingest", cmd_ingest, NEED_CONFIG | NEED_STORE_RW | NEED_LOCK,
      "process a message file, an mbox, a Maildir, or - (stdin)" },
    { "ticket", cmd_ticket, NEED_CONFIG,
      "list, show ID, set ID KEY=VALUE..." },
    { "message", cmd_message, NEED_CONFIG,
      "raw ID (stored bytes), parse FILE (what mailtriage sees)" },
    { "rules", cmd_rules, NEED_CONFIG,
      "check (lint the rule set), test FILE|MAILDIR (dry run)" },
    { "remind", cmd_remind, NEED_CONFIG | NEED_STORE_RW | NEED_LOCK,
      "the reminder pass alone: deadline warnings and breaches" },
    { "report", cmd_report, NEED_CONFIG,
      "figures: volume, response times, SLA, satisfaction" },
    { "send", cmd_send, NEED_CONFIG | NEED_STORE_RW | NEED_LOCK,
      "deliver the queued mail through the transport" },
    { "outbox", cmd_outbox, NEED_CONFIG,
      "list [--json]: queued, sent and failed mail" },
    { "version", cmd_version, 0, "print the version" },
};

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: mailtriage [-c FILE] [--now TIME] [-n|--dry-run] "
            "[-v|-q] COMMAND [ARGS]\n\ncommands:\n");
    for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(out,
            "\n'mailtriage COMMAND --help' shows a command's options.\n"
            "Configuration: -c FILE, else ./mailtriage.conf, else "
            MT_SYSCONFDIR "/mailtriage/mailtriage.conf, else built-in "
            "defaults\n(store ./var/mailtriage.db, outbox ./var/outbox).\n");
}

/* Cron and MTAs may start us with fds 0-2 closed; a later open() would
 * then become "stdout" and receive our output (curl's CLI does this). */
static void
ensure_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
            open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
            _exit(71);
}

static const Command *
find_command(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *config_path = NULL;
    const char *now_text = NULL;
    bool is_dry_run = false;
    int verbosity = LOG_NORMAL;
    const Command *cmd;
    Ctx ctx = { .fixed_now = MESSAGE_NO_TIME, .lock_fd = -1 };
    g_autoptr(GError) error = NULL;
    Status st = ST_OK;
    int i;

    ensure_std_fds();
    g_set_prgname("mailtriage");
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (++i >= argc)
                goto missing;
            config_path = argv[i];
        } else if (g_str_has_prefix(a, "--config=")) {
            config_path = a + 9;
        } else if (strcmp(a, "--now") == 0) {
            if (++i >= argc)
                goto missing;
            now_text = argv[i];
        } else if (g_str_has_prefix(a, "--now=")) {
            now_text = a + 6;
        } else if (strcmp(a, "-n") == 0 || strcmp(a, "--dry-run") == 0) {
            is_dry_run = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbosity++;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            verbosity = LOG_QUIET;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            goto out;
        } else if (strcmp(a, "--version") == 0) {
            printf("mailtriage %s\n", PACKAGE_VERSION);
            goto out;
        } else {
            fprintf(stderr, "mailtriage: unknown option '%s'\n", a);
            usage(stderr);
            return status_to_exit(ST_USAGE);
        }
    }
    log_init((LogLevel)MIN(verbosity, LOG_DEBUG));
    if (i >= argc) {
        usage(stderr);
        return status_to_exit(ST_USAGE);
    }
    if (strcmp(argv[i], "help") == 0) {
        usage(stdout);
        goto out;
    }
    cmd = find_command(argv[i]);
    if (cmd == NULL) {
        fprintf(stderr, "mailtriage: unknown command '%s'\n", argv[i]);
        usage(stderr);
        return status_to_exit(ST_USAGE);
    }
    if (now_text != NULL && !util_time_parse(now_text, &ctx.fixed_now)) {
        fprintf(stderr,
                "mailtriage: --now '%s' is not a time (use "
                "2026-03-10T08:00:00Z, 2026-03-10 08:00 or @UNIXTIME)\n",
                now_text);
        return status_to_exit(ST_USAGE);
    }
    ctx.is_dry_run = is_dry_run;

    /* --help needs no config or store. */
    for (int j = i + 1; j < argc; j++)
        if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
            st = cmd->fn(&ctx, argc - i, argv + i, &error);
            goto out;
        }
    if (cmd->needs != 0)
        st = ctx_open(&ctx, config_path, cmd->needs, &error);
    if (st == ST_OK)
        st = cmd->fn(&ctx, argc - i, argv + i, &error);

out:
    if (st != ST_OK)
        fprintf(stderr, "mailtriage: %s\n",
                error != NULL ? error->message : "failed");
    ctx_close(&ctx);
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "mailtriage: cannot write output: %s\n",
                g_strerror(errno));
        if (st == ST_OK)
            st = ST_IOERR;
    }
    return status_to_exit(st);

missing:
    fprintf(stderr, "mailtriage: option '%s' needs a value\n", argv[i - 1]);
    return status_to_exit(ST_USAGE);
}
