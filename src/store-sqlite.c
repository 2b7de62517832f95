/*
 * store-sqlite.c - the SQLite backend of store.h.
 *
 * This is the only file that includes sqlite3.h.  It owns the schema
 * and its versioned migrations, the connection settings (WAL, busy
 * timeout, foreign keys), one cache of prepared statements per Store,
 * and the translation of SQLite result codes into our Status values:
 * SQLITE_BUSY and SQLITE_LOCKED become ST_TEMPFAIL (another run holds
 * the database, try again), everything else ST_IOERR.  It does not
 * decide anything about tickets: what to store, and when to begin,
 * commit or roll back, is the caller's business.
 *
 * Times are INTEGER Unix seconds, NULL for MESSAGE_NO_TIME.  Enums
 * (status, priority, direction, role, kind) are stored as their
 * integer values, so the values in ticket.h and message.h must never
 * be renumbered (tag-20261203-status, tag-20261203-priority,
 * tag-20261203-role, tag-20261203-kind).
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

/* The length of an Outlook Thread-Index conversation root. */
#define THREAD_INDEX_ROOT_LEN 22

/* A busy database is waited for this long before ST_TEMPFAIL. */
#define BUSY_TIMEOUT_MS 10000

/*
 * Schema migrations, applied in order, each in its own transaction
 * together with the PRAGMA user_version bump.  Released entries never
 * change; a schema change is a new entry at the end.
 *
 * Version 1:
 * - tickets.subject is the normalised subject (the caller normalises
 *   it before store_ticket_create()); the (customer_email, subject)
 *   index serves the subject fallback of threading and, as a prefix,
 *   lookups by customer alone.
 * - messages.raw is the last column so that reading the other columns
 *   never touches the blob's overflow pages.
 * - Partial indexes skip the many messages without a Message-ID or a
 *   Thread-Index; "x = ?" implies "x IS NOT NULL", so they are used.
 * - E-mail columns compare case-insensitively (COLLATE NOCASE), as
 *   every mail client treats addresses.
 * - meta is a key/value table for small state such as the round-robin
 *   position of assignment.
 */
static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE tickets ("
    "  id INTEGER PRIMARY KEY,"
    "  subject TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL,"
    "  category TEXT,"
    "  priority INTEGER NOT NULL,"
    "  team TEXT,"
    "  assignee TEXT,"
    "  customer_name TEXT,"
    "  customer_email TEXT COLLATE NOCASE,"
    "  mailbox TEXT,"
    "  created_at INTEGER,"
    "  updated_at INTEGER,"
    "  first_response_at INTEGER,"
    "  resolved_at INTEGER,"
    "  due_at INTEGER,"
    "  escalation_level INTEGER NOT NULL DEFAULT 0,"
    "  rating_score INTEGER NOT NULL DEFAULT 0,"
    "  rating_comment TEXT,"
    "  linked_ticket INTEGER"
    ");"
    "CREATE INDEX tickets_status ON tickets(status);"
    "CREATE INDEX tickets_customer_subject"
    "  ON tickets(customer_email, subject);"
    "CREATE INDEX tickets_due ON tickets(due_at)"
    "  WHERE due_at IS NOT NULL;"
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY,"
    "  ticket_id INTEGER REFERENCES tickets(id),"
    "  message_id TEXT,"
    "  sha256 TEXT NOT NULL,"
    "  direction INTEGER NOT NULL,"
    "  role INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  is_verified INTEGER NOT NULL DEFAULT 0,"
    "  from_addr TEXT,"
    "  from_email TEXT COLLATE NOCASE,"
    "  to_addrs TEXT NOT NULL DEFAULT '',"
    "  cc_addrs TEXT NOT NULL DEFAULT '',"
    "  subject TEXT NOT NULL DEFAULT '',"
    "  date INTEGER,"
    "  received_at INTEGER,"
    "  flags INTEGER NOT NULL DEFAULT 0,"
    "  problems TEXT,"
    "  source TEXT,"
    "  thread_index_root BLOB,"
    "  text TEXT NOT NULL DEFAULT '',"
    "  reply_text TEXT NOT NULL DEFAULT '',"
    "  raw BLOB NOT NULL"
    ");"
    "CREATE INDEX messages_message_id ON messages(message_id)"
    "  WHERE message_id IS NOT NULL;"
    "CREATE INDEX messages_sha256 ON messages(sha256);"
    "CREATE INDEX messages_ticket ON messages(ticket_id);"
    "CREATE INDEX messages_thread_index ON messages(thread_index_root)"
    "  WHERE thread_index_root IS NOT NULL;"
    "CREATE TABLE attachments ("
    "  id INTEGER PRIMARY KEY,"
    "  message_row INTEGER NOT NULL REFERENCES messages(id),"
    "  filename TEXT NOT NULL,"
    "  content_type TEXT NOT NULL,"
    "  size INTEGER NOT NULL"
    ");"
    "CREATE INDEX attachments_message ON attachments(message_row);"
    "CREATE TABLE participants ("
    "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  name TEXT,"
    "  role INTEGER NOT NULL,"
    "  PRIMARY KEY (ticket_id, email)"
    ") WITHOUT ROWID;"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    "  at INTEGER,"
    "  kind TEXT NOT NULL,"
    "  detail TEXT"
    ");"
    "CREATE INDEX events_ticket ON events(ticket_id, at);"
    "CREATE TABLE fields ("
    "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    "  name TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (ticket_id, name)"
    ") WITHOUT ROWID;"
    "CREATE TABLE source_positions ("
    "  source TEXT NOT NULL,"
    "  pos TEXT NOT NULL,"
    "  message_row INTEGER REFERENCES messages(id),"
    "  PRIMARY KEY (source, pos)"
    ") WITHOUT ROWID;"
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;",
    /* 2: the response time a rule or source set for the ticket */
    "ALTER TABLE tickets ADD COLUMN sla INTEGER NOT NULL DEFAULT 0;",
    /* 3: least-open-tickets assignment counts an agent's open tickets */
    "CREATE INDEX tickets_assignee ON tickets(assignee, status);",
    /* 4: the response clock (sla.c): its start, pause and credit, when
     * the reminder pass must next look at the ticket (indexed, so that
     * a pass over a million open tickets reads only the due ones), and
     * the last breach.  A clock from before has its start at created_at
     * and its next level from due_at with the default warn_before. */
    "ALTER TABLE tickets ADD COLUMN clock_start INTEGER;"
    "ALTER TABLE tickets ADD COLUMN paused_at INTEGER;"
    "ALTER TABLE tickets ADD COLUMN paused_total INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tickets ADD COLUMN escalate_at INTEGER;"
    "ALTER TABLE tickets ADD COLUMN breached_at INTEGER;"
    "UPDATE tickets SET clock_start = created_at,"
    "  escalate_at = CASE escalation_level WHEN 0 THEN due_at - 14400"
    "    WHEN 1 THEN due_at END"
    "  WHERE due_at IS NOT NULL;"
    "CREATE INDEX tickets_escalate ON tickets(escalate_at)"
    "  WHERE escalate_at IS NOT NULL;",
    /* 5: the outbox (DESIGN 7).  raw holds the finished message, so
     * that a resend is byte-identical; state 0 queued, 1 sent, 2
     * failed (OutboxState).  The partial index serves the send pass,
     * the recipient index the acknowledgment rate limit, and the
     * message_id index a bounce naming one of our messages. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  ticket_id INTEGER REFERENCES tickets(id),"
    "  kind TEXT NOT NULL,"
    "  sender TEXT NOT NULL,"
    "  recipient TEXT NOT NULL COLLATE NOCASE,"
    "  subject TEXT NOT NULL DEFAULT '',"
    "  message_id TEXT NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  last_error TEXT,"
    "  raw BLOB NOT NULL"
    ");"
    "CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 0;"
    "CREATE INDEX outbox_recipient ON outbox(recipient, kind, created_at);"
    "CREATE INDEX outbox_message_id ON outbox(message_id);",
    /* 6: what the report measures beyond the running clock.  clocks
     * keeps every response clock that ended (sla.c's EndedClock; kind 0
     * first response, 1 next; ended_by 0 answered, 1 resolved, closed
     * or spam, 2 replaced), indexed by ticket (its history) and by
     * start (a report's period).  pending_since and pending_total add up the
     * time a ticket waits on its customer.  Clocks that ended before
     * this migration are not known; a ticket pending now has waited
     * since its clock paused, else since its last change. */
    "CREATE TABLE clocks ("
    "  id INTEGER PRIMARY KEY,"
    "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    "  kind INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  ended_at INTEGER NOT NULL,"
    "  paused_total INTEGER NOT NULL DEFAULT 0,"
    "  ended_by INTEGER NOT NULL,"
    "  level INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX clocks_ticket ON clocks(ticket_id, kind, started_at);"
    "CREATE INDEX clocks_started ON clocks(started_at);"
    "ALTER TABLE tickets ADD COLUMN pending_since INTEGER;"
    "ALTER TABLE tickets ADD COLUMN pending_total INTEGER NOT NULL"
    "  DEFAULT 0;"
    /* tag-20261203-status: pending is 2. */
    "UPDATE tickets SET pending_since = coalesce(paused_at, updated_at,"
    "  created_at) WHERE status = 2;",
};

#define SCHEMA_VERSION ((int)G_N_ELEMENTS(migrations))

/* The columns of a Ticket, in the order row_to_ticket() reads them. */
#define TICKET_COLUMNS \
    "id, subject, status, category, priority, team, assignee," \
    " customer_name, customer_email, mailbox, created_at, updated_at," \
    " first_response_at, resolved_at, due_at, escalation_level," \
    " rating_score, rating_comment, linked_ticket, sla, clock_start," \
    " paused_at, paused_total, escalate_at, breached_at, pending_since," \
    " pending_total"

/* The same columns less id, as bind_ticket() binds them. */
#define TICKET_SET \
    "subject = ?2, status = ?3, category = ?4, priority = ?5, team = ?6," \
    " assignee = ?7, customer_name = ?8, customer_email = ?9," \
    " mailbox = ?10, created_at = ?11, updated_at = ?12," \
    " first_response_at = ?13, resolved_at = ?14, due_at = ?15," \
    " escalation_level = ?16, rating_score = ?17, rating_comment = ?18," \
    " linked_ticket = ?19, sla = ?20, clock_start = ?21, paused_at = ?22," \
    " paused_total = ?23, escalate_at = ?24, breached_at = ?25," \
    " pending_since = ?26, pending_total = ?27"

/* The columns of a StoredMessage, in the order row_to_message() reads
 * them; never raw. */
#define MESSAGE_COLUMNS \
    "id, ticket_id, message_id, direction, role, kind, is_verified," \
    " from_addr, from_email, to_addrs, cc_addrs, subject, date," \
    " received_at, text, reply_text, flags, problems, source"

/* Every statement the store runs more than once, prepared on first use
 * and kept for the life of the Store: ingesting a large mailbox must
 * not re-parse SQL for every message. */
typedef enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_ADD_SAVEPOINT,
    Q_ADD_RELEASE,
    Q_ADD_ROLLBACK_TO,
    Q_POS_SEEN,
    Q_POS_ADD,
    Q_MSG_FIND_ID,
    Q_MSG_FIND_SHA,
    Q_MSG_ADD,
    Q_ATT_ADD,
    Q_MSG_RAW,
    Q_BY_THREAD_INDEX,
    Q_BY_SUBJECT,
    Q_TICKET_CREATE,
    Q_TICKET_UPDATE,
    Q_TICKET_GET,
    Q_TICKET_LIST,
    Q_TICKET_LIST_STATUS,
    Q_TICKET_MESSAGES,
    Q_MSG_ATTACHMENTS,
    Q_TICKET_EVENTS,
    Q_TICKET_CLOCKS,
    Q_TICKET_FIELDS,
    Q_FIELD_SET,
    Q_FIELD_DELETE,
    Q_PART_ADD,
    Q_PART_HAS,
    Q_EVENT_ADD,
    Q_META_GET,
    Q_META_SET,
    Q_META_DELETE,
    Q_AGENT_OPEN_COUNT,
    Q_ESCALATION_DUE,
    Q_TICKET_LIST_FILTER,
    Q_TICKET_SCAN,
    Q_CLOCK_SCAN,
    Q_CLOCK_ADD,
    Q_CLOCK_SAVEPOINT,
    Q_CLOCK_RELEASE,
    Q_CLOCK_ROLLBACK_TO,
    Q_OUTBOX_ADD,
    Q_OUTBOX_FIND,
    Q_OUTBOX_COUNT,
    Q_COUNT
} QueryId;

static const char *const query_sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT msg",
    [Q_RELEASE] = "RELEASE msg",
    [Q_ROLLBACK_TO] = "ROLLBACK TO msg",
    [Q_ADD_SAVEPOINT] = "SAVEPOINT store_add",
    [Q_ADD_RELEASE] = "RELEASE store_add",
    [Q_ADD_ROLLBACK_TO] = "ROLLBACK TO store_add",
    [Q_POS_SEEN] =
        "SELECT 1 FROM source_positions WHERE source = ?1 AND pos = ?2",
    /* Recording a position twice is a repeated step, not an error. */
    [Q_POS_ADD] =
        "INSERT OR IGNORE INTO source_positions (source, pos, message_row)"
        " VALUES (?1, ?2, ?3)",
    [Q_MSG_FIND_ID] =
        "SELECT id, ticket_id FROM messages WHERE message_id = ?1"
        " ORDER BY id LIMIT 1",
    [Q_MSG_FIND_SHA] =
        "SELECT id, ticket_id FROM messages WHERE sha256 = ?1"
        " ORDER BY id LIMIT 1",
    [Q_MSG_ADD] =
        "INSERT INTO messages (ticket_id, message_id, sha256, direction,"
        " role, kind, is_verified, from_addr, from_email, to_addrs,"
        " cc_addrs, subject, date, received_at, flags, problems, source,"
        " thread_index_root, text, reply_text, raw)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
        " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    [Q_ATT_ADD] =
        "INSERT INTO attachments (message_row, filename, content_type,"
        " size) VALUES (?1, ?2, ?3, ?4)",
    [Q_MSG_RAW] = "SELECT raw FROM messages WHERE id = ?1",
    /* The newest message wins: when a conversation outlived its
     * ticket and went on in a new one, the new one is current. */
    [Q_BY_THREAD_INDEX] =
        "SELECT ticket_id FROM messages WHERE thread_index_root = ?1"
        " AND ticket_id IS NOT NULL ORDER BY id DESC LIMIT 1",
    [Q_BY_SUBJECT] =
        "SELECT id FROM tickets WHERE customer_email = ?1 AND subject = ?2"
        " AND status NOT IN (?3, ?4, ?5) AND created_at >= ?6"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
    /* The number is computed inside the INSERT, so that it cannot race
     * with another writer even outside a transaction. */
    [Q_TICKET_CREATE] =
        "INSERT INTO tickets (" TICKET_COLUMNS ") VALUES"
        " (max(?1, coalesce((SELECT max(id) FROM tickets), 0) + 1),"
        " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    [Q_TICKET_UPDATE] = "UPDATE tickets SET " TICKET_SET " WHERE id = ?1",
    [Q_TICKET_GET] = "SELECT " TICKET_COLUMNS " FROM tickets WHERE id = ?1",
    [Q_TICKET_LIST] =
        "SELECT " TICKET_COLUMNS " FROM tickets ORDER BY id LIMIT ?1",
    [Q_TICKET_LIST_STATUS] =
        "SELECT " TICKET_COLUMNS " FROM tickets WHERE status = ?2"
        " ORDER BY id LIMIT ?1",
    [Q_TICKET_MESSAGES] =
        "SELECT " MESSAGE_COLUMNS " FROM messages WHERE ticket_id = ?1"
        " ORDER BY id",
    [Q_MSG_ATTACHMENTS] =
        "SELECT filename, content_type, size FROM attachments"
        " WHERE message_row = ?1 ORDER BY id",
    [Q_TICKET_EVENTS] =
        "SELECT at, kind, detail FROM events WHERE ticket_id = ?1"
        " ORDER BY at, id",
    [Q_TICKET_CLOCKS] =
        "SELECT kind, started_at, due_at, ended_at, paused_total, ended_by,"
        " level FROM clocks WHERE ticket_id = ?1 ORDER BY started_at, id",
    [Q_TICKET_FIELDS] =
        "SELECT name, value FROM fields WHERE ticket_id = ?1",
    [Q_FIELD_SET] =
        "INSERT INTO fields (ticket_id, name, value) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (ticket_id, name) DO UPDATE SET value = excluded.value",
    [Q_FIELD_DELETE] =
        "DELETE FROM fields WHERE ticket_id = ?1 AND name = ?2",
    /* The first role seen stays; a name learnt later fills a gap. */
    [Q_PART_ADD] =
        "INSERT INTO participants (ticket_id, email, name, role)"
        " VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (ticket_id, email) DO UPDATE"
        " SET name = coalesce(participants.name, excluded.name)",
    [Q_PART_HAS] =
        "SELECT 1 FROM participants WHERE ticket_id = ?1 AND email = ?2",
    [Q_EVENT_ADD] =
        "INSERT INTO events (ticket_id, at, kind, detail)"
        " VALUES (?1, ?2, ?3, ?4)",
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_SET] =
        "INSERT INTO meta (key, value) VALUES (?1, ?2)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [Q_META_DELETE] = "DELETE FROM meta WHERE key = ?1",
    /* tag-20261203-status: new, open, pending are 0, 1, 2. */
    [Q_AGENT_OPEN_COUNT] =
        "SELECT count(*) FROM tickets WHERE assignee = ?1"
        " AND status IN (0, 1, 2)",
    /* A range scan of the partial index tickets_escalate: only the due
     * rows are read, however many tickets are open. */
    [Q_ESCALATION_DUE] =
        "SELECT id FROM tickets WHERE escalate_at <= ?1"
        " ORDER BY escalate_at, id LIMIT ?2",
    /* `ticket list` with a lead's filters; a NULL (or 0) parameter
     * filters nothing. */
    [Q_TICKET_LIST_FILTER] =
        "SELECT " TICKET_COLUMNS " FROM tickets"
        " WHERE (?2 < 0 OR status = ?2)"
        " AND (?3 IS NULL OR (?3 = '' AND assignee IS NULL)"
        "      OR assignee = ?3)"
        " AND (?4 IS NULL OR (?4 = '' AND category IS NULL)"
        "      OR category = ?4)"
        " AND (?5 = 0 OR escalation_level >= 2 OR due_at < ?8)"
        " AND (?6 = 0 OR (due_at >= ?8 AND due_at <= ?6))"
        " AND (?7 = 0 OR created_at <= ?7)"
        " ORDER BY id LIMIT ?1",
    /* A report's pass over the tickets: the reopened events come from
     * the (ticket_id, at) index, one short range per ticket.  Spam, and
     * tickets opened and done before the period, are left out here:
     * they count nowhere (a reopening in the period would have cleared
     * resolved_at, and the next resolution falls after it). */
    [Q_TICKET_SCAN] =
        "SELECT id, status, category, team, assignee, mailbox, created_at,"
        " first_response_at, resolved_at, due_at, escalation_level,"
        " rating_score, rating_comment, sla,"
        " (SELECT count(*) FROM events e WHERE e.ticket_id = t.id"
        "  AND e.at >= ?1 AND e.at < ?2 AND e.kind = 'reopened'),"
        /* remind.c: "approaching: deadline ...", "breached: ..." */
        " (SELECT count(*) FROM events e WHERE e.ticket_id = t.id"
        "  AND e.at >= ?1 AND e.at < ?2 AND e.kind = 'escalated'"
        "  AND e.detail LIKE 'approaching%'),"
        " (SELECT count(*) FROM events e WHERE e.ticket_id = t.id"
        "  AND e.at >= ?1 AND e.at < ?2 AND e.kind = 'escalated'"
        "  AND e.detail LIKE 'breached%'),"
        " clock_start, paused_at, paused_total, pending_total"
        " FROM tickets t WHERE created_at < ?2 AND status != ?3"
        " AND (created_at >= ?1 OR status NOT IN (?4, ?5)"
        "      OR resolved_at IS NULL OR resolved_at >= ?1)"
        " ORDER BY id",
    /* The ended clocks of a report's period, per ticket in the order of
     * Q_TICKET_SCAN, which store_ticket_scan() merges in: one range of
     * the started_at index, where a correlated subquery per ticket
     * would probe the table a million times.  The pause of the
     * first-response clocks, and the next-response clocks that were due
     * (answered before until, or past their deadline before they ended
     * and before until) and met (answered by the deadline).
     * tag-20261203-clock-kind: 0 first, 1 next; ended_by 0 is an
     * answer. */
    [Q_CLOCK_SCAN] =
        "SELECT ticket_id,"
        " sum(CASE WHEN kind = 0 THEN paused_total ELSE 0 END),"
        " sum(kind = 1 AND ((ended_by = 0 AND ended_at < ?2)"
        "                   OR due_at < min(ended_at, ?2))),"
        " sum(kind = 1 AND ended_by = 0 AND ended_at < ?2"
        "     AND ended_at <= due_at)"
        " FROM clocks WHERE started_at >= ?1 AND started_at < ?2"
        " GROUP BY ticket_id ORDER BY ticket_id",
    /* A ticket's ended clocks go in with its update, in a savepoint of
     * their own (store_ticket_update()). */
    [Q_CLOCK_ADD] =
        "INSERT INTO clocks (ticket_id, kind, started_at, due_at, ended_at,"
        " paused_total, ended_by, level)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_CLOCK_SAVEPOINT] = "SAVEPOINT ticket_clocks",
    [Q_CLOCK_RELEASE] = "RELEASE ticket_clocks",
    [Q_CLOCK_ROLLBACK_TO] = "ROLLBACK TO ticket_clocks",
    /* The outbox statements that run per message of an import: each
     * new ticket asks the acknowledgments' rate limit, a bounce looks
     * up our Message-ID. */
    [Q_OUTBOX_ADD] =
        "INSERT INTO outbox (ticket_id, kind, sender, recipient, subject,"
        " message_id, state, attempts, created_at, next_attempt_at, raw)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7, ?8, ?9)",
    [Q_OUTBOX_FIND] =
        "SELECT id, ticket_id FROM outbox WHERE message_id = ?1"
        " ORDER BY id LIMIT 1",
    [Q_OUTBOX_COUNT] =
        "SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = ?2"
        " AND created_at >= ?3",
};

/*
 * Checkpoints in the background.  A checkpoint copies committed frames
 * from the WAL into the database file and fsyncs it.  SQLite's own
 * auto-checkpoint runs it inside COMMIT on the ingesting thread, where
 * it was a third of the cost of storing a batch (every raw blob is
 * written twice, to the WAL and then to the database).  Instead a
 * second connection on a thread of its own runs PASSIVE checkpoints,
 * which never block the writer, while the writer parses the next
 * batch.  Nothing changes for crash safety: a checkpoint copies only
 * what is already committed in the WAL, and one killed halfway is
 * simply redone from the WAL.
 *
 * SQLite rewinds the WAL to its start only when a write transaction
 * begins with every frame already copied, which a background copy of
 * the batch just committed is never quick enough for; so once the WAL
 * holds CKPT_MAX_FRAMES, store_begin() waits for the checkpoint under
 * way, and the WAL file stays bounded.
 */
#define CKPT_FRAMES 1000      /* SQLite's default auto-checkpoint */
#define CKPT_MAX_FRAMES 4096 /* 64 MiB of 16 KiB pages */

typedef struct {
    GThread *thread; /* NULL until the first checkpoint is due */
    GMutex lock;
    GCond cond;
    char *path;
    bool is_pending; /* a checkpoint is asked for */
    bool is_running;
    bool is_failed; /* no second connection: checkpoint inline */
    bool stop;
    int wal_frames; /* after the last commit; the writer's own */
} Checkpointer;

struct Store {
    sqlite3 *db;
    char *path;
    StoreMode mode;
    int version;
    sqlite3_stmt *stmts[Q_COUNT]; /* NULL until first used */
    Checkpointer *ckpt;           /* read-write stores only */
    guint savepoints; /* store_savepoint()s open; never more than are */
    bool is_all_or_nothing; /* see store_begin_all_or_nothing() */
};

/* --- Helpers ------------------------------------------------------- */

static Status
status_of_rc(int rc)
{
    int primary = rc & 0xff;

    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return ST_TEMPFAIL;
    return ST_IOERR;
}

/* Fail with "store: <what>: <sqlite's message>". */
static Status db_fail(Store *store, int rc, GError **error,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static Status
db_fail(Store *store, int rc, GError **error, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return status_set(error, status_of_rc(rc), "store: %s: %s", what,
                      sqlite3_errmsg(store->db));
}

/* Reset a cached statement and drop its bindings, whichever way the
 * function using it returns: a statement left mid-step would keep a
 * read transaction open. */
static void
stmt_release(sqlite3_stmt **stmt)
{
    if (*stmt == NULL)
        return;
    sqlite3_reset(*stmt);
    sqlite3_clear_bindings(*stmt);
}
#define store_autoreset __attribute__((cleanup(stmt_release)))

static Status
stmt_get(Store *store, QueryId id, sqlite3_stmt **stmt_out, GError **error)
{
    if (store->stmts[id] == NULL) {
        int rc = sqlite3_prepare_v3(store->db, query_sql[id], -1,
                                    SQLITE_PREPARE_PERSISTENT,
                                    &store->stmts[id], NULL);

        if (rc != SQLITE_OK)
            return db_fail(store, rc, error, "cannot prepare '%s'",
                           query_sql[id]);
    }
    *stmt_out = store->stmts[id];
    return ST_OK;
}

/*
 * Binds parameters 1, 2, 3, ... in call order and keeps the first
 * failure, so that a sequence of binds needs one check at the end.
 * Text and blobs are bound SQLITE_STATIC: every caller steps the
 * statement while the bound data is still alive.
 */
typedef struct {
    sqlite3_stmt *stmt;
    int index;
    int rc;
} Binder;

static void
binder_init(Binder *b, sqlite3_stmt *stmt)
{
    b->stmt = stmt;
    b->index = 1;
    b->rc = SQLITE_OK;
}

static void
binder_note(Binder *b, int rc)
{
    if (b->rc == SQLITE_OK)
        b->rc = rc;
    b->index++;
}

static void
bind_text(Binder *b, const char *s)
{
    binder_note(b, s == NULL ? sqlite3_bind_null(b->stmt, b->index)
                             : sqlite3_bind_text(b->stmt, b->index, s, -1,
                                                 SQLITE_STATIC));
}

static void
bind_int64(Binder *b, gint64 v)
{
    binder_note(b, sqlite3_bind_int64(b->stmt, b->index, v));
}

/* MESSAGE_NO_TIME is NULL. */
static void
bind_time(Binder *b, gint64 t)
{
    binder_note(b, t == MESSAGE_NO_TIME
                       ? sqlite3_bind_null(b->stmt, b->index)
                       : sqlite3_bind_int64(b->stmt, b->index, t));
}

/* A row id of 0 ("none") is NULL. */
static void
bind_row(Binder *b, gint64 row)
{
    binder_note(b, row <= 0 ? sqlite3_bind_null(b->stmt, b->index)
                            : sqlite3_bind_int64(b->stmt, b->index, row));
}

/* Never NULL: an empty blob stays an empty blob, not a NULL. */
static void
bind_blob(Binder *b, const void *data, gsize len)
{
    int rc;

    if (len > (gsize)G_MAXINT)
        rc = SQLITE_TOOBIG;
    else if (len == 0)
        rc = sqlite3_bind_zeroblob(b->stmt, b->index, 0);
    else
        rc = sqlite3_bind_blob(b->stmt, b->index, data, (int)len,
                               SQLITE_STATIC);
    binder_note(b, rc);
}

static void
bind_null(Binder *b)
{
    binder_note(b, sqlite3_bind_null(b->stmt, b->index));
}

static Status
binder_check(const Binder *b, const char *what, GError **error)
{
    if (b->rc == SQLITE_OK)
        return ST_OK;
    return status_set(error, status_of_rc(b->rc), "store: %s: %s", what,
                      sqlite3_errstr(b->rc));
}

/* Step a statement that returns no rows. */
static Status
step_done(Store *store, sqlite3_stmt *stmt, const char *what,
          GError **error)
{
    int rc = sqlite3_step(stmt);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(store, rc, error, "%s", what);
    return ST_OK;
}

/* Step a query: *has_row_out says whether a row came back. */
static Status
step_row(Store *store, sqlite3_stmt *stmt, bool *has_row_out,
         const char *what, GError **error)
{
    int rc = sqlite3_step(stmt);

    if (rc == SQLITE_ROW) {
        *has_row_out = true;
        return ST_OK;
    }
    if (rc == SQLITE_DONE) {
        *has_row_out = false;
        return ST_OK;
    }
    return db_fail(store, rc, error, "%s", what);
}

static char *
column_dup(sqlite3_stmt *stmt, int col)
{
    return g_strdup((const char *)sqlite3_column_text(stmt, col));
}

static gint64
column_time(sqlite3_stmt *stmt, int col)
{
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
        return MESSAGE_NO_TIME;
    return sqlite3_column_int64(stmt, col);
}

/* Run one cached statement that takes no parameters. */
static Status
run_simple(Store *store, QueryId id, const char *what, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, id, &stmt, error);

    if (st != ST_OK)
        return st;
    return step_done(store, stmt, what, error);
}

/* --- Opening and migrating ---------------------------------------- */

static Status
read_user_version(Store *store, int *version_out, GError **error)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt,
                                NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        Status st = db_fail(store, rc, error, "cannot open '%s'",
                            store->path);

        sqlite3_finalize(stmt);
        return st;
    }
    *version_out = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return ST_OK;
}

static Status
exec_sql(Store *store, const char *sql, const char *what, GError **error)
{
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return db_fail(store, rc, error, "%s '%s'", what, store->path);
    return ST_OK;
}

static Status
check_not_newer(Store *store, int version, GError **error)
{
    if (version > SCHEMA_VERSION)
        return status_set(error, ST_IOERR,
                          "store: '%s' has schema version %d, this "
                          "mailtriage knows up to %d",
                          store->path, version, SCHEMA_VERSION);
    return ST_OK;
}

/* Bring the schema up to SCHEMA_VERSION, one migration per
 * transaction.  BEGIN IMMEDIATE takes the write lock before the
 * version is read again, so that two processes opening a new store at
 * once apply each migration exactly once. */
static Status
migrate(Store *store, GError **error)
{
    int version = 0;
    Status st = read_user_version(store, &version, error);

    if (st == ST_OK)
        st = check_not_newer(store, version, error);
    while (st == ST_OK && version < SCHEMA_VERSION) {
        int current = 0;

        st = exec_sql(store, "BEGIN IMMEDIATE",
                      "cannot begin the schema upgrade of", error);
        if (st != ST_OK)
            return st;
        st = read_user_version(store, &current, error);
        if (st == ST_OK && current == version) {
            g_autofree char *bump = g_strdup_printf(
                "PRAGMA user_version = %d", version + 1);

            st = exec_sql(store, migrations[version],
                          "cannot upgrade the schema of", error);
            if (st == ST_OK)
                st = exec_sql(store, bump, "cannot upgrade the schema of",
                              error);
        }
        if (st == ST_OK)
            st = exec_sql(store, "COMMIT",
                          "cannot commit the schema upgrade of", error);
        if (st != ST_OK) {
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
            return st;
        }
        st = read_user_version(store, &version, error);
        if (st == ST_OK)
            st = check_not_newer(store, version, error);
    }
    if (st == ST_OK)
        store->version = version;
    return st;
}

static Status
check_version_read_only(Store *store, GError **error)
{
    int version = 0;
    Status st = read_user_version(store, &version, error);

    if (st != ST_OK)
        return st;
    st = check_not_newer(store, version, error);
    if (st != ST_OK)
        return st;
    if (version == 0)
        return status_set(error, ST_IOERR,
                          "store: '%s' is not a mailtriage store",
                          store->path);
    if (version < SCHEMA_VERSION)
        return status_set(error, ST_IOERR,
                          "store: '%s' has schema version %d and needs an "
                          "upgrade to %d: run a command that writes first",
                          store->path, version, SCHEMA_VERSION);
    store->version = version;
    return ST_OK;
}

static gpointer
checkpointer_main(gpointer data)
{
    Checkpointer *c = data;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(c->path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             NULL);

    /* A connection finds out that the database is in WAL mode only
     * when it first reads it; until then it has no WAL to checkpoint.
     * It needs hardly any page cache of its own. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA cache_size = 16;"
                              "PRAGMA schema_version;",
                          NULL, NULL, NULL);
    g_mutex_lock(&c->lock);
    if (rc != SQLITE_OK)
        c->is_failed = true;
    while (!c->stop && !c->is_failed) {
        if (!c->is_pending) {
            g_cond_wait(&c->cond, &c->lock);
            continue;
        }
        c->is_pending = false;
        c->is_running = true;
        g_mutex_unlock(&c->lock);
        /* SQLITE_BUSY (another process checkpointing) is harmless:
         * the next commit asks again. */
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                  NULL, NULL);
        g_mutex_lock(&c->lock);
        c->is_running = false;
        g_cond_broadcast(&c->cond);
    }
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
    sqlite3_close_v2(db);
    return NULL;
}

/* sqlite3_wal_hook(): called after every commit, in place of SQLite's
 * auto-checkpoint. */
static int
checkpointer_wal_hook(void *data, sqlite3 *db, const char *name,
                      int frames)
{
    Checkpointer *c = data;
    bool is_failed;

    (void)name;
    c->wal_frames = frames;
    if (frames < CKPT_FRAMES)
        return SQLITE_OK;
    g_mutex_lock(&c->lock);
    if (c->thread == NULL && !c->is_failed)
        c->thread = g_thread_new("checkpoint", checkpointer_main, c);
    c->is_pending = true;
    g_cond_signal(&c->cond);
    is_failed = c->is_failed;
    g_mutex_unlock(&c->lock);
    if (is_failed)
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
    return SQLITE_OK;
}

/* Before a write transaction: let the WAL start over when it is big. */
static void
checkpointer_drain(Checkpointer *c)
{
    if (c == NULL || c->wal_frames < CKPT_MAX_FRAMES)
        return;
    g_mutex_lock(&c->lock);
    while (c->thread != NULL && !c->is_failed && !c->stop &&
           (c->is_pending || c->is_running))
        g_cond_wait(&c->cond, &c->lock);
    g_mutex_unlock(&c->lock);
    c->wal_frames = 0;
}

static void
checkpointer_free(Checkpointer *c)
{
    if (c == NULL)
        return;
    if (c->thread != NULL) {
        g_mutex_lock(&c->lock);
        c->stop = true;
        g_cond_signal(&c->cond);
        g_mutex_unlock(&c->lock);
        g_thread_join(c->thread);
    }
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->cond);
    g_free(c->path);
    g_free(c);
}

/*
 * Process-wide settings, made before SQLite initialises itself (the
 * first open does that).  Without memory statistics (which nothing
 * reads) each of SQLite's allocations skips a global mutex; an ingest
 * makes hundreds per message, most of them for the savepoint journal.
 */
static void
configure_sqlite(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        /* SQLITE_MISUSE when something initialised SQLite first: then
         * the default stays, which only costs speed. */
        (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        g_once_init_leave(&done, 1);
    }
}

Status
store_open(const char *path, StoreMode mode, Store **store_out,
           GError **error)
{
    g_autoptr(Store) store = g_new0(Store, 1);
    int flags = SQLITE_OPEN_NOMUTEX;
    int rc;
    Status st;

    store->path = g_strdup(path);
    store->mode = mode;
    if (mode == STORE_READ_ONLY) {
        GStatBuf sb;

        /* Checked here for a clearer message than SQLite's "unable to
         * open database file". */
        if (g_stat(path, &sb) != 0)
            return status_set(error, ST_IOERR,
                              "store: cannot open '%s': %s", path,
                              g_strerror(errno));
        flags |= SQLITE_OPEN_READONLY;
    } else {
        g_autofree char *dir = g_path_get_dirname(path);

        if (g_mkdir_with_parents(dir, 0700) != 0)
            return status_set(error, ST_IOERR,
                              "store: cannot create directory '%s': %s",
                              dir, g_strerror(errno));
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    }

    configure_sqlite();
    rc = sqlite3_open_v2(path, &store->db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (store->db == NULL)
            return status_set(error, ST_IOERR,
                              "store: cannot open '%s': %s", path,
                              sqlite3_errstr(rc));
        return db_fail(store, rc, error, "cannot open '%s'", path);
    }
    /* Before anything that may need a lock, such as the WAL switch. */
    sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS);

    if (mode == STORE_READ_WRITE) {
        /* WAL with synchronous=NORMAL: a commit is in the WAL file
         * before COMMIT returns, so a killed process (kill -9) loses
         * nothing it committed; only a power loss or OS crash can lose
         * the last transactions, never corrupt the file.  That is our
         * crash guarantee (DESIGN 2) at one fsync per checkpoint
         * instead of one per commit.  WAL also lets reports read while
         * a run writes. */
        /* page_size only takes effect on a database not yet written
         * (and must come before the switch to WAL).  Raw messages
         * (20 KB on average) spill into overflow pages, each a WAL
         * frame of its own: 16 KiB pages write them in a quarter of the
         * frames and syscalls of 4 KiB ones, which measured about 10%
         * faster ingest (bench/ingest.sh, alternating runs), while
         * 64 KiB pages made every small row update copy too much.
         * temp_store = MEMORY keeps
         * the savepoint journal (the pages each message's savepoint
         * may have to restore) off disk: as a temporary file it was
         * written three times the volume of the messages themselves.
         * (Kept in memory up to SQLITE_CONFIG_STMTJRNL_SPILL instead,
         * it failed with "database or disk is full" once it spilled
         * to a file, with SQLite 3.40.) */
        st = exec_sql(store, "PRAGMA page_size = 16384;"
                             "PRAGMA journal_mode = WAL;"
                             "PRAGMA synchronous = NORMAL;"
                             "PRAGMA temp_store = MEMORY;",
                      "cannot open", error);
        if (st != ST_OK)
            return st;
        store->ckpt = g_new0(Checkpointer, 1);
        g_mutex_init(&store->ckpt->lock);
        g_cond_init(&store->ckpt->cond);
        store->ckpt->path = g_strdup(path);
        sqlite3_wal_hook(store->db, checkpointer_wal_hook, store->ckpt);
    }
    /* cache_size is in KiB when negative.  8 MiB holds the hot index
     * pages of a big ingest (rows are appended, so only the right
     * edge of the table is hot) and keeps a 100,000-message ingest
     * well under 64 MB; more bought no speed. */
    st = exec_sql(store, "PRAGMA foreign_keys = ON;"
                         "PRAGMA cache_size = -8192;",
                  "cannot open", error);
    if (st != ST_OK)
        return st;

    if (mode == STORE_READ_WRITE)
        st = migrate(store, error);
    else
        st = check_version_read_only(store, error);
    if (st != ST_OK)
        return st;

    *store_out = g_steal_pointer(&store);
    return ST_OK;
}

void
store_close(Store *store)
{
    if (store == NULL)
        return;
    /* Its connection first, so that ours is the last one and
     * checkpoints the rest of the WAL as it closes. */
    checkpointer_free(store->ckpt);
    for (guint i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(store->stmts[i]);
    /* An open transaction is rolled back by the close. */
    sqlite3_close_v2(store->db);
    g_free(store->path);
    g_free(store);
}

int
store_schema_version(Store *store)
{
    return store->version;
}

/* --- Transactions -------------------------------------------------- */

Status
store_begin(Store *store, GError **error)
{
    /* IMMEDIATE takes the write lock now: a second writer waits for
     * the busy timeout here, then gets ST_TEMPFAIL, instead of failing
     * halfway through its batch. */
    checkpointer_drain(store->ckpt);
    store->savepoints = 0;
    store->is_all_or_nothing = false;
    return run_simple(store, Q_BEGIN, "cannot begin a transaction", error);
}

Status
store_begin_all_or_nothing(Store *store, GError **error)
{
    Status st = store_begin(store, error);

    store->is_all_or_nothing = st == ST_OK;
    return st;
}

bool
store_is_all_or_nothing(const Store *store)
{
    return store->is_all_or_nothing;
}

Status
store_commit(Store *store, GError **error)
{
    store->savepoints = 0;
    store->is_all_or_nothing = false;
    return run_simple(store, Q_COMMIT, "cannot commit", error);
}

void
store_rollback(Store *store)
{
    store->savepoints = 0;
    store->is_all_or_nothing = false;
    /* Some errors (a full disk, an I/O error) already rolled back. */
    if (sqlite3_get_autocommit(store->db))
        return;
    run_simple(store, Q_ROLLBACK, "cannot roll back", NULL);
}

Status
store_savepoint(Store *store, GError **error)
{
    Status st = run_simple(store, Q_SAVEPOINT, "cannot set a savepoint",
                           error);

    if (st == ST_OK)
        store->savepoints++;
    return st;
}

Status
store_savepoint_release(Store *store, GError **error)
{
    /* Counted down whatever happens: fewer than are open only costs
     * store_message_add() a savepoint of its own. */
    if (store->savepoints > 0)
        store->savepoints--;
    return run_simple(store, Q_RELEASE, "cannot release a savepoint",
                      error);
}

void
store_savepoint_rollback(Store *store)
{
    /* ROLLBACK TO keeps the savepoint open; RELEASE closes it.  Both
     * fail harmlessly when an error has already ended the whole
     * transaction. */
    if (store->savepoints > 0)
        store->savepoints--;
    run_simple(store, Q_ROLLBACK_TO, "cannot roll back a savepoint", NULL);
    run_simple(store, Q_RELEASE, "cannot release a savepoint", NULL);
}

/* --- Source positions ---------------------------------------------- */

Status
store_source_pos_seen(Store *store, const char *source, const char *pos,
                      bool *seen_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_POS_SEEN, &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, source);
    bind_text(&b, pos);
    st = binder_check(&b, "cannot look up a source position", error);
    if (st != ST_OK)
        return st;
    return step_row(store, stmt, seen_out, "cannot look up a source position",
                    error);
}

Status
store_source_pos_add(Store *store, const char *source, const char *pos,
                     gint64 message_row, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_POS_ADD, &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, source);
    bind_text(&b, pos);
    bind_row(&b, message_row);
    st = binder_check(&b, "cannot record a source position", error);
    if (st != ST_OK)
        return st;
    return step_done(store, stmt, "cannot record a source position", error);
}

/* --- Messages ------------------------------------------------------ */

Status
store_message_find(Store *store, const char *message_id, const char *sha256,
                   gint64 *row_out, gint64 *ticket_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    QueryId q = message_id != NULL ? Q_MSG_FIND_ID : Q_MSG_FIND_SHA;
    Status st = stmt_get(store, q, &stmt, error);
    bool has_row = false;
    Binder b;

    *row_out = 0;
    *ticket_out = 0;
    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, message_id != NULL ? message_id : sha256);
    st = binder_check(&b, "cannot look up a message", error);
    if (st == ST_OK)
        st = step_row(store, stmt, &has_row, "cannot look up a message",
                      error);
    if (st != ST_OK || !has_row)
        return st;
    *row_out = sqlite3_column_int64(stmt, 0);
    *ticket_out = sqlite3_column_int64(stmt, 1); /* NULL reads as 0 */
    return ST_OK;
}

/* "Name <email>, email, ..." for an Address array; "" when empty. */
static char *
format_addresses(const GPtrArray *addrs)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < addrs->len; i++) {
        g_autofree char *one = address_format(g_ptr_array_index(addrs, i));

        if (i > 0)
            g_string_append(out, ", ");
        g_string_append(out, one);
    }
    return g_string_free(out, FALSE);
}

/* The problems, one per line; NULL when there are none. */
static char *
join_problems(const GPtrArray *problems)
{
    GString *out;

    if (problems == NULL || problems->len == 0)
        return NULL;
    out = g_string_new(NULL);
    for (guint i = 0; i < problems->len; i++) {
        if (i > 0)
            g_string_append_c(out, '\n');
        g_string_append(out, g_ptr_array_index(problems, i));
    }
    return g_string_free(out, FALSE);
}

static Status
insert_message(Store *store, const Message *msg, const MessageFiling *filing,
               gint64 *row_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    g_autofree char *from = msg->from != NULL ? address_format(msg->from)
                                              : NULL;
    g_autofree char *to = format_addresses(msg->to);
    g_autofree char *cc = format_addresses(msg->cc);
    g_autofree char *problems = join_problems(msg->problems);
    gsize raw_len = 0;
    const void *raw = g_bytes_get_data(msg->raw, &raw_len);
    Status st = stmt_get(store, Q_MSG_ADD, &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_row(&b, filing->ticket_id);
    bind_text(&b, msg->message_id);
    bind_text(&b, msg->sha256);
    bind_int64(&b, filing->direction);
    bind_int64(&b, filing->role);
    bind_int64(&b, filing->kind);
    bind_int64(&b, filing->is_verified ? 1 : 0);
    bind_text(&b, from);
    bind_text(&b, msg->from != NULL ? msg->from->email : NULL);
    bind_text(&b, to);
    bind_text(&b, cc);
    bind_text(&b, msg->subject != NULL ? msg->subject : "");
    bind_time(&b, msg->date);
    bind_time(&b, filing->received_at);
    bind_int64(&b, msg->flags);
    bind_text(&b, problems);
    bind_text(&b, filing->source);
    if (msg->thread_index != NULL &&
        g_bytes_get_size(msg->thread_index) >= THREAD_INDEX_ROOT_LEN)
        bind_blob(&b, g_bytes_get_data(msg->thread_index, NULL),
                  THREAD_INDEX_ROOT_LEN);
    else
        bind_null(&b);
    bind_text(&b, msg->text != NULL ? msg->text : "");
    bind_text(&b, msg->reply_text != NULL ? msg->reply_text : "");
    bind_blob(&b, raw, raw_len);
    st = binder_check(&b, "cannot add a message", error);
    if (st == ST_OK)
        st = step_done(store, stmt, "cannot add a message", error);
    if (st != ST_OK)
        return st;
    *row_out = sqlite3_last_insert_rowid(store->db);
    return ST_OK;
}

static Status
insert_attachment(Store *store, gint64 row, const Attachment *att,
                  GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_ATT_ADD, &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, row);
    bind_text(&b, att->filename != NULL ? att->filename : "");
    bind_text(&b, att->content_type != NULL ? att->content_type
                                            : "application/octet-stream");
    bind_int64(&b, (gint64)att->size);
    st = binder_check(&b, "cannot add an attachment", error);
    if (st != ST_OK)
        return st;
    return step_done(store, stmt, "cannot add an attachment", error);
}

Status
store_message_add(Store *store, const Message *msg,
                  const MessageFiling *filing, gint64 *row_out,
                  GError **error)
{
    gint64 row = 0;
    /* A savepoint makes the message and its attachment rows one step,
     * inside or outside the caller's transaction.  Inside a
     * store_savepoint() that is the caller's: every caller there hands
     * a store error up to the one that rolls back to it.  A second
     * savepoint of our own would copy the pages the message touches
     * again (a few dozen KiB per message of an ingest). */
    bool is_own = store->savepoints == 0 && !store->is_all_or_nothing;
    Status st = ST_OK;

    if (is_own)
        st = run_simple(store, Q_ADD_SAVEPOINT, "cannot add a message",
                        error);
    if (st != ST_OK)
        return st;
    st = insert_message(store, msg, filing, &row, error);
    for (guint i = 0; st == ST_OK && i < msg->attachments->len; i++)
        st = insert_attachment(store, row,
                               g_ptr_array_index(msg->attachments, i), error);
    if (st == ST_OK && is_own)
        st = run_simple(store, Q_ADD_RELEASE, "cannot add a message", error);
    if (st != ST_OK) {
        if (is_own) {
            run_simple(store, Q_ADD_ROLLBACK_TO, "cannot add a message",
                       NULL);
            run_simple(store, Q_ADD_RELEASE, "cannot add a message", NULL);
        }
        return st;
    }
    *row_out = row;
    return ST_OK;
}

Status
store_message_raw(Store *store, gint64 id, GBytes **raw_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_MSG_RAW, &stmt, error);
    bool has_row = false;
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, id);
    st = binder_check(&b, "cannot read a message", error);
    if (st == ST_OK)
        st = step_row(store, stmt, &has_row, "cannot read a message", error);
    if (st != ST_OK)
        return st;
    if (!has_row)
        return status_set(error, ST_DATAERR,
                          "store: no message %" G_GINT64_FORMAT, id);
    /* column_blob is NULL for an empty blob; g_bytes_new() copies. */
    *raw_out = g_bytes_new(sqlite3_column_blob(stmt, 0),
                           (gsize)sqlite3_column_bytes(stmt, 0));
    return ST_OK;
}

Status
store_ticket_by_thread_index(Store *store, GBytes *root, gint64 *ticket_out,
                             GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st;
    bool has_row = false;
    gsize len = 0;
    const void *data;
    Binder b;

    *ticket_out = 0;
    if (root == NULL)
        return ST_OK;
    data = g_bytes_get_data(root, &len);
    /* Only the root is stored; a longer value is a whole Thread-Index. */
    if (len < THREAD_INDEX_ROOT_LEN)
        return ST_OK;
    st = stmt_get(store, Q_BY_THREAD_INDEX, &stmt, error);
    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_blob(&b, data, THREAD_INDEX_ROOT_LEN);
    st = binder_check(&b, "cannot look up a thread index", error);
    if (st == ST_OK)
        st = step_row(store, stmt, &has_row, "cannot look up a thread index",
                      error);
    if (st == ST_OK && has_row)
        *ticket_out = sqlite3_column_int64(stmt, 0);
    return st;
}

Status
store_ticket_by_subject(Store *store, const char *from_email,
                        const char *normalized_subject, gint64 since,
                        gint64 *ticket_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_BY_SUBJECT, &stmt, error);
    bool has_row = false;
    Binder b;

    *ticket_out = 0;
    if (st != ST_OK)
        return st;
    if (from_email == NULL || normalized_subject == NULL)
        return ST_OK;
    binder_init(&b, stmt);
    bind_text(&b, from_email);
    bind_text(&b, normalized_subject);
    bind_int64(&b, TICKET_STATUS_RESOLVED);
    bind_int64(&b, TICKET_STATUS_CLOSED);
    bind_int64(&b, TICKET_STATUS_SPAM);
    bind_int64(&b, since);
    st = binder_check(&b, "cannot look up a subject", error);
    if (st == ST_OK)
        st = step_row(store, stmt, &has_row, "cannot look up a subject",
                      error);
    if (st == ST_OK && has_row)
        *ticket_out = sqlite3_column_int64(stmt, 0);
    return st;
}

/* --- Tickets ------------------------------------------------------- */

/* Parameters 2 to 27 of Q_TICKET_CREATE and Q_TICKET_UPDATE. */
static void
bind_ticket(Binder *b, const Ticket *t)
{
    bind_text(b, t->subject != NULL ? t->subject : "");
    bind_int64(b, t->status);
    bind_text(b, t->category);
    bind_int64(b, t->priority);
    bind_text(b, t->team);
    bind_text(b, t->assignee);
    bind_text(b, t->customer_name);
    bind_text(b, t->customer_email);
    bind_text(b, t->mailbox);
    bind_time(b, t->created_at);
    bind_time(b, t->updated_at);
    bind_time(b, t->first_response_at);
    bind_time(b, t->resolved_at);
    bind_time(b, t->due_at);
    bind_int64(b, t->escalation_level);
    bind_int64(b, t->rating_score);
    bind_text(b, t->rating_comment);
    bind_row(b, t->linked_ticket);
    bind_int64(b, t->sla);
    bind_time(b, t->clock_start);
    bind_time(b, t->paused_at);
    bind_int64(b, t->paused_total);
    bind_time(b, t->escalate_at);
    bind_time(b, t->breached_at);
    bind_time(b, t->pending_since);
    bind_int64(b, t->pending_total);
}

/* A Ticket from a row of TICKET_COLUMNS. */
static Ticket *
row_to_ticket(sqlite3_stmt *stmt)
{
    Ticket *t = ticket_new();

    t->id = sqlite3_column_int64(stmt, 0);
    t->subject = column_dup(stmt, 1);
    t->status = (TicketStatus)sqlite3_column_int(stmt, 2);
    t->category = column_dup(stmt, 3);
    t->priority = (Priority)sqlite3_column_int(stmt, 4);
    t->team = column_dup(stmt, 5);
    t->assignee = column_dup(stmt, 6);
    t->customer_name = column_dup(stmt, 7);
    t->customer_email = column_dup(stmt, 8);
    t->mailbox = column_dup(stmt, 9);
    t->created_at = column_time(stmt, 10);
    t->updated_at = column_time(stmt, 11);
    t->first_response_at = column_time(stmt, 12);
    t->resolved_at = column_time(stmt, 13);
    t->due_at = column_time(stmt, 14);
    t->escalation_level = sqlite3_column_int(stmt, 15);
    t->rating_score = sqlite3_column_int(stmt, 16);
    t->rating_comment = column_dup(stmt, 17);
    t->linked_ticket = sqlite3_column_int64(stmt, 18); /* NULL reads 0 */
    t->sla = sqlite3_column_int64(stmt, 19);
    t->clock_start = column_time(stmt, 20);
    t->paused_at = column_time(stmt, 21);
    t->paused_total = sqlite3_column_int64(stmt, 22);
    t->escalate_at = column_time(stmt, 23);
    t->breached_at = column_time(stmt, 24);
    t->pending_since = column_time(stmt, 25);
    t->pending_total = sqlite3_column_int64(stmt, 26);
    return t;
}

/* A StoredMessage from a row of MESSAGE_COLUMNS, without attachments. */
static StoredMessage *
row_to_message(sqlite3_stmt *stmt)
{
    StoredMessage *m = g_new0(StoredMessage, 1);

    m->id = sqlite3_column_int64(stmt, 0);
    m->ticket_id = sqlite3_column_int64(stmt, 1);
    m->message_id = column_dup(stmt, 2);
    m->direction = (Direction)sqlite3_column_int(stmt, 3);
    m->role = (Role)sqlite3_column_int(stmt, 4);
    m->kind = (MessageKind)sqlite3_column_int(stmt, 5);
    m->is_verified = sqlite3_column_int(stmt, 6) != 0;
    m->from = column_dup(stmt, 7);
    m->from_email = column_dup(stmt, 8);
    m->to = column_dup(stmt, 9);
    m->cc = column_dup(stmt, 10);
    m->subject = column_dup(stmt, 11);
    m->date = column_time(stmt, 12);
    m->received_at = column_time(stmt, 13);
    m->text = column_dup(stmt, 14);
    m->reply_text = column_dup(stmt, 15);
    m->flags = (guint)sqlite3_column_int64(stmt, 16);
    m->problems = column_dup(stmt, 17);
    m->source = column_dup(stmt, 18);
    m->attachments = g_ptr_array_new_with_free_func(
        (GDestroyNotify)stored_attachment_free);
    return m;
}

/* The ended clocks of a ticket, one row each. */
static Status
insert_clocks(Store *store, gint64 id, const GArray *clocks, GError **error)
{
    for (guint i = 0; i < clocks->len; i++) {
        const EndedClock *c = &g_array_index(clocks, EndedClock, i);
        store_autoreset sqlite3_stmt *stmt = NULL;
        Status st = stmt_get(store, Q_CLOCK_ADD, &stmt, error);
        Binder b;

        if (st != ST_OK)
            return st;
        binder_init(&b, stmt);
        bind_int64(&b, id);
        bind_int64(&b, c->kind);
        bind_int64(&b, c->started_at);
        bind_int64(&b, c->due_at);
        bind_int64(&b, c->ended_at);
        bind_int64(&b, c->paused_total);
        bind_int64(&b, c->end);
        bind_int64(&b, c->level);
        st = binder_check(&b, "cannot record a clock", error);
        if (st == ST_OK)
            st = step_done(store, stmt, "cannot record a clock", error);
        if (st != ST_OK)
            return st;
    }
    return ST_OK;
}

/* Q_TICKET_CREATE (with ticket_start) or Q_TICKET_UPDATE of ticket, and
 * its ended clocks in the same step: a savepoint of our own when there
 * are any, inside or outside the caller's transaction.  The clocks
 * written are taken off the ticket, so that the next write does not
 * repeat them. */
static Status
write_ticket(Store *store, QueryId q, Ticket *ticket, gint64 ticket_start,
             gint64 *id_out, GError **error)
{
    const char *what = q == Q_TICKET_CREATE ? "cannot create a ticket"
                                            : "cannot update a ticket";
    bool has_clocks = ticket->ended_clocks->len > 0;
    gint64 id = ticket->id;
    Status st;

    if (has_clocks &&
        (st = run_simple(store, Q_CLOCK_SAVEPOINT, what, error)) != ST_OK)
        return st;
    {
        store_autoreset sqlite3_stmt *stmt = NULL;
        Binder b;

        st = stmt_get(store, q, &stmt, error);
        if (st == ST_OK) {
            binder_init(&b, stmt);
            bind_int64(&b, q == Q_TICKET_CREATE ? ticket_start : ticket->id);
            bind_ticket(&b, ticket);
            st = binder_check(&b, what, error);
        }
        if (st == ST_OK)
            st = step_done(store, stmt, what, error);
    }
    if (st == ST_OK && q == Q_TICKET_CREATE)
        id = sqlite3_last_insert_rowid(store->db);
    else if (st == ST_OK && sqlite3_changes(store->db) == 0)
        st = status_set(error, ST_DATAERR,
                        "store: no ticket %" G_GINT64_FORMAT, ticket->id);
    if (st == ST_OK && has_clocks)
        st = insert_clocks(store, id, ticket->ended_clocks, error);
    if (st == ST_OK && has_clocks)
        st = run_simple(store, Q_CLOCK_RELEASE, what, error);
    if (st != ST_OK) {
        if (has_clocks) {
            run_simple(store, Q_CLOCK_ROLLBACK_TO, what, NULL);
            run_simple(store, Q_CLOCK_RELEASE, what, NULL);
        }
        return st;
    }
    g_array_set_size(ticket->ended_clocks, 0);
    if (id_out != NULL)
        *id_out = id;
    return ST_OK;
}

Status
store_ticket_create(Store *store, Ticket *ticket, gint64 ticket_start,
                    gint64 *id_out, GError **error)
{
    return write_ticket(store, Q_TICKET_CREATE, ticket, ticket_start, id_out,
                        error);
}

Status
store_ticket_update(Store *store, Ticket *ticket, GError **error)
{
    return write_ticket(store, Q_TICKET_UPDATE, ticket, 0, NULL, error);
}

/* Each row of query q for one id, handed to a row function that turns
 * it into a struct of the caller's; stops at SQLITE_DONE or the first
 * error.  One loop for fields, messages, attachments and events. */
typedef Status (*RowFn)(Store *store, sqlite3_stmt *stmt, gpointer data,
                        GError **error);

static Status
each_row(Store *store, QueryId q, gint64 id, const char *what, RowFn fn,
         gpointer data, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, q, &stmt, error);
    bool has_row = true;
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, id);
    st = binder_check(&b, what, error);
    while (st == ST_OK) {
        st = step_row(store, stmt, &has_row, what, error);
        if (st != ST_OK || !has_row)
            break;
        st = fn(store, stmt, data, error);
    }
    return st;
}

static Status
field_row(Store *store, sqlite3_stmt *stmt, gpointer data, GError **error)
{
    Ticket *ticket = data;

    g_hash_table_replace(ticket->fields, column_dup(stmt, 0),
                         column_dup(stmt, 1));
    return ST_OK;
}

static Status
load_fields(Store *store, Ticket *ticket, GError **error)
{
    return each_row(store, Q_TICKET_FIELDS, ticket->id,
                    "cannot read ticket fields", field_row, ticket, error);
}

static Status
attachment_row(Store *store, sqlite3_stmt *stmt, gpointer data,
               GError **error)
{
    StoredMessage *msg = data;
    StoredAttachment *att = g_new0(StoredAttachment, 1);

    att->filename = column_dup(stmt, 0);
    att->content_type = column_dup(stmt, 1);
    att->size = sqlite3_column_int64(stmt, 2);
    g_ptr_array_add(msg->attachments, att);
    return ST_OK;
}

static Status
message_row(Store *store, sqlite3_stmt *stmt, gpointer data, GError **error)
{
    Ticket *ticket = data;
    StoredMessage *msg = row_to_message(stmt);

    g_ptr_array_add(ticket->messages, msg);
    return each_row(store, Q_MSG_ATTACHMENTS, msg->id,
                    "cannot read attachments", attachment_row, msg, error);
}

static Status
load_messages(Store *store, Ticket *ticket, GError **error)
{
    return each_row(store, Q_TICKET_MESSAGES, ticket->id,
                    "cannot read ticket messages", message_row, ticket,
                    error);
}

static Status
event_row(Store *store, sqlite3_stmt *stmt, gpointer data, GError **error)
{
    Ticket *ticket = data;
    TicketEvent *event = g_new0(TicketEvent, 1);

    event->at = column_time(stmt, 0);
    event->kind = column_dup(stmt, 1);
    event->detail = column_dup(stmt, 2);
    g_ptr_array_add(ticket->events, event);
    return ST_OK;
}

static Status
load_events(Store *store, Ticket *ticket, GError **error)
{
    return each_row(store, Q_TICKET_EVENTS, ticket->id,
                    "cannot read ticket events", event_row, ticket, error);
}

static Status
clock_row(Store *store, sqlite3_stmt *stmt, gpointer data, GError **error)
{
    Ticket *ticket = data;
    EndedClock c;

    c.kind = (ClockKind)sqlite3_column_int(stmt, 0);
    c.started_at = sqlite3_column_int64(stmt, 1);
    c.due_at = sqlite3_column_int64(stmt, 2);
    c.ended_at = sqlite3_column_int64(stmt, 3);
    c.paused_total = sqlite3_column_int64(stmt, 4);
    c.end = (ClockEnd)sqlite3_column_int(stmt, 5);
    c.level = sqlite3_column_int(stmt, 6);
    g_array_append_val(ticket->clock_history, c);
    return ST_OK;
}

Status
store_ticket_load_clocks(Store *store, Ticket *ticket, GError **error)
{
    g_array_set_size(ticket->clock_history, 0);
    return each_row(store, Q_TICKET_CLOCKS, ticket->id,
                    "cannot read ticket clocks", clock_row, ticket, error);
}

Status
store_ticket_get(Store *store, gint64 id, bool with_history,
                 Ticket **ticket_out, GError **error)
{
    g_autoptr(Ticket) ticket = NULL;

    *ticket_out = NULL;
    {
        store_autoreset sqlite3_stmt *stmt = NULL;
        Status st = stmt_get(store, Q_TICKET_GET, &stmt, error);
        bool has_row = false;
        Binder b;

        if (st != ST_OK)
            return st;
        binder_init(&b, stmt);
        bind_int64(&b, id);
        st = binder_check(&b, "cannot read a ticket", error);
        if (st == ST_OK)
            st = step_row(store, stmt, &has_row, "cannot read a ticket",
                          error);
        if (st != ST_OK || !has_row)
            return st;
        ticket = row_to_ticket(stmt);
    }
    {
        Status st = load_fields(store, ticket, error);

        if (st == ST_OK && with_history)
            st = load_messages(store, ticket, error);
        if (st == ST_OK && with_history)
            st = load_events(store, ticket, error);
        if (st != ST_OK)
            return st;
    }
    *ticket_out = g_steal_pointer(&ticket);
    return ST_OK;
}

Status
store_ticket_list(Store *store, const TicketFilter *filter,
                  GPtrArray **tickets_out, GError **error)
{
    g_autoptr(GPtrArray) tickets = g_ptr_array_new_with_free_func(
        (GDestroyNotify)ticket_free);
    bool by_status = filter != NULL && filter->status >= 0;
    gint64 limit = filter != NULL && filter->limit > 0 ? filter->limit : -1;
    bool by_more = filter != NULL &&
                   (filter->assignee != NULL || filter->category != NULL ||
                    filter->is_breached || filter->due_by != 0 ||
                    filter->created_by != 0);
    Status st;

    {
        store_autoreset sqlite3_stmt *stmt = NULL;
        bool has_row = true;
        Binder b;

        st = stmt_get(store,
                      by_more     ? Q_TICKET_LIST_FILTER
                      : by_status ? Q_TICKET_LIST_STATUS
                                  : Q_TICKET_LIST,
                      &stmt, error);
        if (st != ST_OK)
            return st;
        binder_init(&b, stmt);
        bind_int64(&b, limit); /* LIMIT -1 is no limit */
        if (by_status || by_more)
            bind_int64(&b, filter->status);
        if (by_more) {
            bind_text(&b, filter->assignee);
            bind_text(&b, filter->category);
            bind_int64(&b, filter->is_breached ? 1 : 0);
            bind_int64(&b, filter->due_by);
            bind_int64(&b, filter->created_by);
            bind_int64(&b, filter->now);
        }
        st = binder_check(&b, "cannot list tickets", error);
        while (st == ST_OK) {
            st = step_row(store, stmt, &has_row, "cannot list tickets",
                          error);
            if (st != ST_OK || !has_row)
                break;
            g_ptr_array_add(tickets, row_to_ticket(stmt));
        }
        if (st != ST_OK)
            return st;
    }
    /* Fields are read after the list statement is reset, so that no
     * two cursors are open at once. */
    for (guint i = 0; i < tickets->len; i++) {
        st = load_fields(store, g_ptr_array_index(tickets, i), error);
        if (st != ST_OK)
            return st;
    }
    *tickets_out = g_steal_pointer(&tickets);
    return ST_OK;
}

/* The clock figures of Q_CLOCK_SCAN for ticket id into t: the cursor
 * moves on past the tickets the scan left out, and reads nothing for a
 * ticket without clocks in the period. */
static Status
clock_figures(Store *store, sqlite3_stmt *stmt, bool *has_row, gint64 id,
              TicketSummary *t, GError **error)
{
    t->first_paused = 0;
    t->next_due = t->next_met = 0;
    while (*has_row && sqlite3_column_int64(stmt, 0) < id) {
        Status st = step_row(store, stmt, has_row,
                             "cannot read clocks for a report", error);

        if (st != ST_OK)
            return st;
    }
    if (*has_row && sqlite3_column_int64(stmt, 0) == id) {
        t->first_paused = sqlite3_column_int64(stmt, 1);
        t->next_due = sqlite3_column_int(stmt, 2);
        t->next_met = sqlite3_column_int(stmt, 3);
    }
    return ST_OK;
}

Status
store_ticket_scan(Store *store, gint64 since, gint64 until,
                  TicketScanFn fn, gpointer data, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    store_autoreset sqlite3_stmt *clocks = NULL;
    Status st = stmt_get(store, Q_TICKET_SCAN, &stmt, error);
    bool has_row = true, has_clock = false;
    Binder b;

    if (st == ST_OK)
        st = stmt_get(store, Q_CLOCK_SCAN, &clocks, error);
    if (st != ST_OK)
        return st;
    binder_init(&b, clocks);
    bind_int64(&b, since);
    bind_int64(&b, until);
    st = binder_check(&b, "cannot read clocks for a report", error);
    if (st == ST_OK)
        st = step_row(store, clocks, &has_clock,
                      "cannot read clocks for a report", error);
    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, since);
    bind_int64(&b, until);
    bind_int64(&b, TICKET_STATUS_SPAM);
    bind_int64(&b, TICKET_STATUS_RESOLVED);
    bind_int64(&b, TICKET_STATUS_CLOSED);
    st = binder_check(&b, "cannot read tickets for a report", error);
    while (st == ST_OK) {
        TicketSummary t;

        st = step_row(store, stmt, &has_row,
                      "cannot read tickets for a report", error);
        if (st != ST_OK || !has_row)
            break;
        t.id = sqlite3_column_int64(stmt, 0);
        t.status = (TicketStatus)sqlite3_column_int(stmt, 1);
        t.category = (const char *)sqlite3_column_text(stmt, 2);
        t.team = (const char *)sqlite3_column_text(stmt, 3);
        t.assignee = (const char *)sqlite3_column_text(stmt, 4);
        t.mailbox = (const char *)sqlite3_column_text(stmt, 5);
        t.created_at = column_time(stmt, 6);
        t.first_response_at = column_time(stmt, 7);
        t.resolved_at = column_time(stmt, 8);
        t.due_at = column_time(stmt, 9);
        t.escalation_level = sqlite3_column_int(stmt, 10);
        t.rating_score = sqlite3_column_int(stmt, 11);
        t.rating_comment = (const char *)sqlite3_column_text(stmt, 12);
        t.sla = sqlite3_column_int64(stmt, 13);
        t.reopened = sqlite3_column_int(stmt, 14);
        t.warnings = sqlite3_column_int(stmt, 15);
        t.breaches = sqlite3_column_int(stmt, 16);
        t.clock_start = column_time(stmt, 17);
        t.paused_at = column_time(stmt, 18);
        t.paused_total = sqlite3_column_int64(stmt, 19);
        t.pending_total = sqlite3_column_int64(stmt, 20);
        st = clock_figures(store, clocks, &has_clock, t.id, &t, error);
        if (st == ST_OK)
            st = fn(&t, data, error);
    }
    return st;
}

Status
store_ticket_set_field(Store *store, gint64 ticket, const char *name,
                       const char *value, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, value != NULL ? Q_FIELD_SET : Q_FIELD_DELETE,
                         &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, ticket);
    bind_text(&b, name);
    if (value != NULL)
        bind_text(&b, value);
    st = binder_check(&b, "cannot set a ticket field", error);
    if (st != ST_OK)
        return st;
    return step_done(store, stmt, "cannot set a ticket field", error);
}

Status
store_participant_add(Store *store, gint64 ticket, const char *email,
                      const char *name, Role role, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_PART_ADD, &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, ticket);
    bind_text(&b, email);
    bind_text(&b, name != NULL && *name != '\0' ? name : NULL);
    bind_int64(&b, role);
    st = binder_check(&b, "cannot add a participant", error);
    if (st != ST_OK)
        return st;
    return step_done(store, stmt, "cannot add a participant", error);
}

Status
store_participant_has(Store *store, gint64 ticket, const char *email,
                      bool *has_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_PART_HAS, &stmt, error);
    Binder b;

    *has_out = false;
    if (st != ST_OK)
        return st;
    if (email == NULL)
        return ST_OK;
    binder_init(&b, stmt);
    bind_int64(&b, ticket);
    bind_text(&b, email);
    st = binder_check(&b, "cannot look up a participant", error);
    if (st != ST_OK)
        return st;
    return step_row(store, stmt, has_out, "cannot look up a participant",
                    error);
}

Status
store_event_add(Store *store, gint64 ticket, gint64 at, const char *kind,
                const char *detail, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_EVENT_ADD, &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, ticket);
    bind_time(&b, at);
    bind_text(&b, kind);
    bind_text(&b, detail);
    st = binder_check(&b, "cannot add an event", error);
    if (st != ST_OK)
        return st;
    return step_done(store, stmt, "cannot add an event", error);
}

/* --- Small state --------------------------------------------------- */

Status
store_meta_get(Store *store, const char *key, char **value_out,
               GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_META_GET, &stmt, error);
    bool has_row = false;
    Binder b;

    *value_out = NULL;
    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, key);
    st = binder_check(&b, "cannot read state", error);
    if (st == ST_OK)
        st = step_row(store, stmt, &has_row, "cannot read state", error);
    if (st == ST_OK && has_row)
        *value_out = column_dup(stmt, 0);
    return st;
}

Status
store_meta_set(Store *store, const char *key, const char *value,
               GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, value != NULL ? Q_META_SET : Q_META_DELETE,
                         &stmt, error);
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, key);
    if (value != NULL)
        bind_text(&b, value);
    st = binder_check(&b, "cannot write state", error);
    if (st != ST_OK)
        return st;
    return step_done(store, stmt, "cannot write state", error);
}

/* --- Assignment ---------------------------------------------------- */

Status
store_agent_open_count(Store *store, const char *agent, gint64 *count_out,
                       GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_AGENT_OPEN_COUNT, &stmt, error);
    bool has_row = false;
    Binder b;

    *count_out = 0;
    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, agent);
    st = binder_check(&b, "cannot count open tickets", error);
    if (st == ST_OK)
        st = step_row(store, stmt, &has_row, "cannot count open tickets",
                      error);
    if (st == ST_OK && has_row)
        *count_out = sqlite3_column_int64(stmt, 0);
    return st;
}

/* --- The reminder pass ---------------------------------------------- */

Status
store_ticket_escalation_due(Store *store, gint64 now, guint limit,
                            GArray **ids_out, GError **error)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    store_autoreset sqlite3_stmt *stmt = NULL;
    Status st = stmt_get(store, Q_ESCALATION_DUE, &stmt, error);
    bool has_row = true;
    Binder b;

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, now);
    bind_int64(&b, limit);
    st = binder_check(&b, "cannot find due tickets", error);
    while (st == ST_OK) {
        gint64 id;

        st = step_row(store, stmt, &has_row, "cannot find due tickets",
                      error);
        if (st != ST_OK || !has_row)
            break;
        id = sqlite3_column_int64(stmt, 0);
        g_array_append_val(ids, id);
    }
    if (st != ST_OK)
        return st;
    *ids_out = g_steal_pointer(&ids);
    return ST_OK;
}

/* --- Outbox --------------------------------------------------------
 * The statements a large import runs per message are in the statement
 * table above; those of `send` and `outbox list`, which run a few
 * times per run, are prepared per call. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, sqlite3_finalize)

static Status
outbox_prepare(Store *store, const char *sql, sqlite3_stmt **stmt_out,
               GError **error)
{
    int rc = sqlite3_prepare_v2(store->db, sql, -1, stmt_out, NULL);

    if (rc != SQLITE_OK)
        return db_fail(store, rc, error, "cannot prepare '%s'", sql);
    return ST_OK;
}

void
outbox_row_free(OutboxRow *row)
{
    if (row == NULL)
        return;
    g_free(row->kind);
    g_free(row->sender);
    g_free(row->recipient);
    g_free(row->subject);
    g_free(row->message_id);
    g_free(row->last_error);
    if (row->raw != NULL)
        g_bytes_unref(row->raw);
    g_free(row);
}

Status
store_outbox_add(Store *store, const OutboxRow *row, gint64 *id_out,
                 GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    Binder b;
    Status st = stmt_get(store, Q_OUTBOX_ADD, &stmt, error);

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_row(&b, row->ticket_id);
    bind_text(&b, row->kind);
    bind_text(&b, row->sender);
    bind_text(&b, row->recipient);
    bind_text(&b, row->subject != NULL ? row->subject : "");
    bind_text(&b, row->message_id);
    bind_int64(&b, row->created_at);
    bind_int64(&b, row->next_attempt_at);
    bind_blob(&b, g_bytes_get_data(row->raw, NULL),
              g_bytes_get_size(row->raw));
    if ((st = binder_check(&b, "cannot queue mail", error)) != ST_OK ||
        (st = step_done(store, stmt, "cannot queue mail", error)) != ST_OK)
        return st;
    *id_out = sqlite3_last_insert_rowid(store->db);
    return ST_OK;
}

Status
store_outbox_list(Store *store, bool due_only, gint64 now,
                  GPtrArray **rows_out, GError **error)
{
    g_autoptr(sqlite3_stmt) stmt = NULL;
    g_autoptr(GPtrArray) rows =
        g_ptr_array_new_with_free_func((GDestroyNotify)outbox_row_free);
    Status st = outbox_prepare(
        store,
        due_only
            ? "SELECT id, ticket_id, kind, sender, recipient, subject,"
              " message_id, state, attempts, created_at, next_attempt_at,"
              " sent_at, last_error, raw FROM outbox"
              " WHERE state = 0 AND next_attempt_at <= ?1 ORDER BY id"
            : "SELECT id, ticket_id, kind, sender, recipient, subject,"
              " message_id, state, attempts, created_at, next_attempt_at,"
              " sent_at, last_error, NULL FROM outbox WHERE ?1 = ?1"
              " ORDER BY id",
        &stmt, error);
    bool has_row = false;

    if (st != ST_OK)
        return st;
    if (sqlite3_bind_int64(stmt, 1, now) != SQLITE_OK)
        return db_fail(store, SQLITE_ERROR, error, "cannot list outbox");
    for (;;) {
        OutboxRow *row;

        if ((st = step_row(store, stmt, &has_row, "cannot list outbox",
                           error)) != ST_OK)
            return st;
        if (!has_row)
            break;
        row = g_new0(OutboxRow, 1);
        row->id = sqlite3_column_int64(stmt, 0);
        row->ticket_id = sqlite3_column_int64(stmt, 1);
        row->kind = column_dup(stmt, 2);
        row->sender = column_dup(stmt, 3);
        row->recipient = column_dup(stmt, 4);
        row->subject = column_dup(stmt, 5);
        row->message_id = column_dup(stmt, 6);
        row->state = (OutboxState)sqlite3_column_int(stmt, 7);
        row->attempts = sqlite3_column_int(stmt, 8);
        row->created_at = sqlite3_column_int64(stmt, 9);
        row->next_attempt_at = sqlite3_column_int64(stmt, 10);
        row->sent_at = column_time(stmt, 11);
        row->last_error = column_dup(stmt, 12);
        if (sqlite3_column_type(stmt, 13) == SQLITE_BLOB)
            row->raw = g_bytes_new(sqlite3_column_blob(stmt, 13),
                                   (gsize)sqlite3_column_bytes(stmt, 13));
        g_ptr_array_add(rows, row);
    }
    *rows_out = g_steal_pointer(&rows);
    return ST_OK;
}

Status
store_outbox_update(Store *store, const OutboxRow *row, GError **error)
{
    g_autoptr(sqlite3_stmt) stmt = NULL;
    Binder b;
    Status st = outbox_prepare(
        store,
        "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4,"
        " sent_at = ?5, last_error = ?6 WHERE id = ?1",
        &stmt, error);

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, row->id);
    bind_int64(&b, row->state);
    bind_int64(&b, row->attempts);
    bind_int64(&b, row->next_attempt_at);
    bind_time(&b, row->sent_at);
    bind_text(&b, row->last_error);
    if ((st = binder_check(&b, "cannot update outbox", error)) != ST_OK)
        return st;
    return step_done(store, stmt, "cannot update outbox", error);
}

Status
store_outbox_find(Store *store, const char *message_id, gint64 *id_out,
                  gint64 *ticket_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    bool has_row = false;
    Status st = stmt_get(store, Q_OUTBOX_FIND, &stmt, error);

    *id_out = 0;
    *ticket_out = 0;
    if (st != ST_OK)
        return st;
    if (sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC) !=
        SQLITE_OK)
        return db_fail(store, SQLITE_ERROR, error, "cannot find outbox row");
    if ((st = step_row(store, stmt, &has_row, "cannot find outbox row",
                       error)) != ST_OK)
        return st;
    if (has_row) {
        *id_out = sqlite3_column_int64(stmt, 0);
        *ticket_out = sqlite3_column_int64(stmt, 1);
    }
    return ST_OK;
}

Status
store_outbox_count(Store *store, const char *kind, const char *recipient,
                   gint64 since, gint64 *count_out, GError **error)
{
    store_autoreset sqlite3_stmt *stmt = NULL;
    bool has_row = false;
    Binder b;
    Status st = stmt_get(store, Q_OUTBOX_COUNT, &stmt, error);

    *count_out = 0;
    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_text(&b, recipient);
    bind_text(&b, kind);
    bind_int64(&b, since);
    if ((st = binder_check(&b, "cannot count outbox", error)) != ST_OK ||
        (st = step_row(store, stmt, &has_row, "cannot count outbox",
                       error)) != ST_OK)
        return st;
    if (has_row)
        *count_out = sqlite3_column_int64(stmt, 0);
    return ST_OK;
}

Status
store_outbox_mark_failed(Store *store, gint64 id, const char *why,
                         GError **error)
{
    g_autoptr(sqlite3_stmt) stmt = NULL;
    Binder b;
    Status st = outbox_prepare(
        store, "UPDATE outbox SET state = 2, last_error = ?2 WHERE id = ?1",
        &stmt, error);

    if (st != ST_OK)
        return st;
    binder_init(&b, stmt);
    bind_int64(&b, id);
    bind_text(&b, why);
    if ((st = binder_check(&b, "cannot update outbox", error)) != ST_OK)
        return st;
    return step_done(store, stmt, "cannot update outbox", error);
}
