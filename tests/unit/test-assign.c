/*
 * test-assign.c - team strategies on a real store: round-robin stays
 * fair across runs (the store is closed and opened again between
 * them), away agents are skipped, least-open picks the agent with the
 * fewest open tickets, no eligible agent means the team's queue, and
 * every assignment is an event.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "assign.h"

typedef struct {
    char *dir;
    char *db;
    Config *cfg;
    Store *store;
} Fixture;

static const char *const conf_text =
    "[general]\n"
    "support_address = support@example.com\n"
    "[agent alice]\nemail = alice@example.com\nteams = billing, tech\n"
    "[agent bob]\nemail = bob@example.com\nteams = billing, tech\n"
    "[agent carol]\nemail = carol@example.com\nteams = billing\n"
    "away = true\n"
    "[agent dave]\nemail = dave@example.com\nteams = billing, tech\n"
    "[agent erin]\nemail = erin@example.com\nteams = holiday\n"
    "away = true\n"
    "[team tech]\nstrategy = least-open\n";

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *conf = NULL;

    fx->dir = g_dir_make_tmp("test-assign-XXXXXX", &error);
    g_assert_no_error(error);
    conf = g_build_filename(fx->dir, "mailtriage.conf", NULL);
    g_assert_true(g_file_set_contents(conf, conf_text, -1, NULL));
    g_assert_cmpint(config_load(conf, &fx->cfg, &error), ==, ST_OK);
    fx->db = g_build_filename(fx->dir, "mailtriage.db", NULL);
    g_assert_cmpint(store_open(fx->db, STORE_READ_WRITE, &fx->store,
                               &error), ==, ST_OK);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    g_autofree char *conf = g_build_filename(fx->dir, "mailtriage.conf",
                                             NULL);
    const char *suffixes[] = { "", "-wal", "-shm" };

    g_clear_pointer(&fx->store, store_close);
    config_free(fx->cfg);
    for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        g_autofree char *p = g_strconcat(fx->db, suffixes[i], NULL);

        g_unlink(p);
    }
    g_unlink(conf);
    g_rmdir(fx->dir);
    g_free(fx->db);
    g_free(fx->dir);
}

/* A new ticket in the store, assigned as a rule would. */
static Ticket *
new_assigned(Fixture *fx, const char *team, const char *agent)
{
    g_autoptr(GError) error = NULL;
    Ticket *t = ticket_new();

    t->subject = g_strdup("help");
    t->customer_email = g_strdup("c@example.org");
    t->created_at = t->updated_at = 1700000000;
    g_assert_cmpint(store_ticket_create(fx->store, t, 1001, &t->id, &error),
                    ==, ST_OK);
    g_assert_cmpint(assign_ticket(fx->cfg, fx->store, t, team, agent,
                                  "rule 'test'", 1700000000, &error),
                    ==, ST_OK);
    g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==, ST_OK);
    return t;
}

static void
test_round_robin_across_runs(Fixture *fx, gconstpointer data)
{
    g_autoptr(GHashTable) counts =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;

    /* 10 runs of 3 tickets each; every run opens the store afresh. */
    for (int run = 0; run < 10; run++) {
        g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
        for (int i = 0; i < 3; i++) {
            g_autoptr(Ticket) t = new_assigned(fx, "billing", NULL);
            guint n = GPOINTER_TO_UINT(
                g_hash_table_lookup(counts, t->assignee));

            g_assert_cmpstr(t->team, ==, "billing");
            g_ptr_array_add(order, g_strdup(t->assignee));
            g_hash_table_insert(counts, g_strdup(t->assignee),
                                GUINT_TO_POINTER(n + 1));
        }
        g_assert_cmpint(store_commit(fx->store, &error), ==, ST_OK);
        g_clear_pointer(&fx->store, store_close);
        g_assert_cmpint(store_open(fx->db, STORE_READ_WRITE, &fx->store,
                                   &error), ==, ST_OK);
    }
    /* carol is away: alice, bob and dave take ten each, in turn. */
    g_assert_null(g_hash_table_lookup(counts, "carol"));
    g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(counts, "alice")),
                     ==, 10);
    g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(counts, "bob")),
                     ==, 10);
    g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(counts, "dave")),
                     ==, 10);
    for (guint i = 0; i + 1 < order->len; i++)
        g_assert_cmpstr(order->pdata[i], !=, order->pdata[i + 1]);
    g_assert_cmpstr(order->pdata[0], ==, "alice");
}

static void
test_least_open(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *agent = NULL;
    g_autofree char *how = NULL;

    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
    /* alice holds two open tickets, bob one, dave none yet. */
    ticket_free(new_assigned(fx, NULL, "alice"));
    ticket_free(new_assigned(fx, NULL, "alice"));
    ticket_free(new_assigned(fx, NULL, "bob"));
    {
        g_autoptr(Ticket) t = new_assigned(fx, "tech", NULL);

        g_assert_cmpstr(t->assignee, ==, "dave");
    }
    /* Now bob and dave have one each: the earlier in the config wins. */
    {
        g_autoptr(Ticket) t = new_assigned(fx, "tech", NULL);

        g_assert_cmpstr(t->assignee, ==, "bob");
    }
    /* A resolved ticket does not count. */
    {
        g_autoptr(Ticket) t = new_assigned(fx, NULL, "alice");

        t->status = TICKET_STATUS_RESOLVED;
        g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==,
                        ST_OK);
    }
    g_assert_cmpint(assign_pick(fx->cfg, fx->store, "tech", &agent, &how,
                                &error),
                    ==, ST_OK);
    g_assert_cmpstr(agent, ==, "dave");
    g_assert_cmpstr(how, ==, "least-open: 1 open");
    g_assert_cmpint(store_commit(fx->store, &error), ==, ST_OK);
}

static void
test_queue_and_events(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Ticket) t = NULL;
    g_autoptr(Ticket) shown = NULL;
    g_autoptr(Ticket) direct = NULL;
    const TicketEvent *ev;

    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
    /* erin, the only member of holiday, is away; nobody is in sales. */
    t = new_assigned(fx, "holiday", NULL);
    g_assert_null(t->assignee);
    g_assert_cmpstr(t->team, ==, "holiday");
    g_assert_cmpint(store_ticket_get(fx->store, t->id, true, &shown, &error),
                    ==, ST_OK);
    g_assert_cmpuint(shown->events->len, ==, 1);
    ev = shown->events->pdata[0];
    g_assert_cmpstr(ev->kind, ==, "queued");
    g_assert_cmpstr(ev->detail, ==,
                    "in the queue of team holiday (every agent is away; "
                    "rule 'test')");
    g_clear_pointer(&t, ticket_free);
    g_clear_pointer(&shown, ticket_free);

    t = new_assigned(fx, "sales", NULL);
    g_assert_null(t->assignee);
    g_assert_cmpint(store_ticket_get(fx->store, t->id, true, &shown, &error),
                    ==, ST_OK);
    ev = shown->events->pdata[0];
    g_assert_cmpstr(ev->detail, ==,
                    "in the queue of team sales (the team has no agents; "
                    "rule 'test')");

    direct = new_assigned(fx, NULL, "carol");
    g_assert_cmpstr(direct->assignee, ==, "carol");
    g_clear_pointer(&shown, ticket_free);
    g_assert_cmpint(store_ticket_get(fx->store, direct->id, true, &shown,
                                     &error),
                    ==, ST_OK);
    ev = shown->events->pdata[0];
    g_assert_cmpstr(ev->kind, ==, "assigned");
    g_assert_cmpstr(ev->detail, ==,
                    "to carol (named by the rule; away; rule 'test')");
    g_assert_cmpint(store_commit(fx->store, &error), ==, ST_OK);
}

static void
test_pick_without_store(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *agent = NULL;
    g_autofree char *how = NULL;

    g_assert_cmpint(assign_pick(fx->cfg, NULL, "billing", &agent, &how,
                                &error),
                    ==, ST_OK);
    g_assert_cmpstr(agent, ==, "alice");
    g_assert_cmpstr(how, ==, "round-robin");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/assign/round-robin-across-runs", Fixture, NULL,
               fixture_setup, test_round_robin_across_runs,
               fixture_teardown);
    g_test_add("/assign/least-open", Fixture, NULL, fixture_setup,
               test_least_open, fixture_teardown);
    g_test_add("/assign/queue-and-events", Fixture, NULL, fixture_setup,
               test_queue_and_events, fixture_teardown);
    g_test_add("/assign/pick-without-store", Fixture, NULL, fixture_setup,
               test_pick_without_store, fixture_teardown);
    return g_test_run();
}
