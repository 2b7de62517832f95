/*
 * commands.h - the subcommands, declared together (git's builtin.h).
 *
 * Each takes the Ctx main built for it, its own argv (argv[0] is the
 * command's name) and returns a Status; only cmd-* prints.
 */
#ifndef MT_COMMANDS_H
#define MT_COMMANDS_H

#include "context.h"
#include "remind.h"
#include "status.h"

typedef Status (*CommandFn)(Ctx *ctx, int argc, char **argv,
                            GError **error);

Status cmd_run(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_ingest(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_ticket(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_message(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_version(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_rules(Ctx *ctx, int argc, char **argv, GError **error);

/* The rule set of the configuration, loaded and compiled (cmd-rules.c):
 * none when the default ./rules does not exist; ST_CONFIG with every
 * error when a rule is wrong, so that run and ingest refuse to start
 * with the message `rules check` gives.  The caller frees *set_out. */
struct RuleSet;
Status cmd_load_rules(Ctx *ctx, struct RuleSet **set_out, GError **error);
Status cmd_remind(Ctx *ctx, int argc, char **argv, GError **error);

/* The reminder pass at ctx_now() with the store of ctx (remind, run). */
Status cmd_remind_pass(Ctx *ctx, RemindCounts *counts_out, GError **error);
Status cmd_report(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_send(Ctx *ctx, int argc, char **argv, GError **error);
Status cmd_outbox(Ctx *ctx, int argc, char **argv, GError **error);

/* The outbox of ctx (templates checked: ST_CONFIG names file:line). */
struct Outbox;
Status cmd_open_outbox(Ctx *ctx, struct Outbox **outbox_out,
                       GError **error);

/* Deliver the queued mail (`send`, and the end of `run`); what
 * happened goes to *counts_out. */
struct OutboxSendCounts;
Status cmd_send_stage(Ctx *ctx, struct OutboxSendCounts *counts_out,
                      GError **error);
Status cmd_fetch(Ctx *ctx, int argc, char **argv, GError **error);

/* The pipeline of ingest, fetch and run: the rule set and the outbox
 * of ctx, and a Processor that borrows them.  The caller frees all
 * three. */
struct Processor;
Status cmd_open_processor(Ctx *ctx, struct RuleSet **rules_out,
                          struct Outbox **outbox_out,
                          struct Processor **proc_out, GError **error);

/* Parse argv with entries; prints --help itself.  ST_USAGE on error. */
Status cmd_parse_options(int *argc, char ***argv, const char *usage,
                         const char *summary, const GOptionEntry *entries,
                         bool *help_shown_out, GError **error);

/* Take every new message of one source through proc, in batches of one
 * transaction each, and mark each done at the source after its commit.
 * Used by ingest and run.  A message that cannot be processed is left
 * at the source for the next run and counted in *failed_out. */
struct Processor;
Status cmd_ingest_source(Ctx *ctx, struct Processor *proc,
                         const char *name, const char *url, int after,
                         guint *failed_out, GError **error);

/* The same for a configured [source NAME], with its credentials, TLS
 * settings and folders (IMAP). */
Status cmd_ingest_source_conf(Ctx *ctx, struct Processor *proc,
                              const SourceConf *sc, guint *failed_out,
                              GError **error);

/* Every configured source through proc, one after the other; a broken
 * source does not stop the others.  The first failure's Status, with
 * a message counting the sources that failed.  Used by fetch and run. */
Status cmd_fetch_sources(Ctx *ctx, struct Processor *proc,
                         guint *failed_out, GError **error);

/* The one summary line of a run or an ingest. */
void cmd_log_summary(const char *what, struct Processor *proc,
                     guint failed, bool is_dry_run);

/* Print text to stdout in full. */
void cmd_print(const char *text);

#endif
