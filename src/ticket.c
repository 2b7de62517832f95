/*
 * ticket.c - life cycle of Ticket and the names of its enums.
 */
#include "config.h"

#include "ticket.h"

#include <string.h>

Ticket *
ticket_new(void)
{
    Ticket *ticket = g_new0(Ticket, 1);

    ticket->status = TICKET_STATUS_NEW;
    ticket->priority = PRIORITY_NORMAL;
    ticket->created_at = MESSAGE_NO_TIME;
    ticket->updated_at = MESSAGE_NO_TIME;
    ticket->first_response_at = MESSAGE_NO_TIME;
    ticket->resolved_at = MESSAGE_NO_TIME;
    ticket->due_at = MESSAGE_NO_TIME;
    ticket->clock_start = MESSAGE_NO_TIME;
    ticket->paused_at = MESSAGE_NO_TIME;
    ticket->escalate_at = MESSAGE_NO_TIME;
    ticket->breached_at = MESSAGE_NO_TIME;
    ticket->pending_since = MESSAGE_NO_TIME;
    ticket->ended_clocks = g_array_new(FALSE, FALSE, sizeof(EndedClock));
    ticket->clock_history = g_array_new(FALSE, FALSE, sizeof(EndedClock));
    ticket->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           g_free);
    ticket->messages = g_ptr_array_new_with_free_func(
        (GDestroyNotify)stored_message_free);
    ticket->events = g_ptr_array_new_with_free_func(
        (GDestroyNotify)ticket_event_free);
    return ticket;
}

void
ticket_free(Ticket *ticket)
{
    if (ticket == NULL)
        return;
    g_free(ticket->subject);
    g_free(ticket->category);
    g_free(ticket->team);
    g_free(ticket->assignee);
    g_free(ticket->customer_name);
    g_free(ticket->customer_email);
    g_free(ticket->mailbox);
    g_free(ticket->rating_comment);
    g_hash_table_unref(ticket->fields);
    g_ptr_array_unref(ticket->messages);
    g_ptr_array_unref(ticket->events);
    g_array_unref(ticket->ended_clocks);
    g_array_unref(ticket->clock_history);
    g_free(ticket);
}

void
stored_attachment_free(StoredAttachment *att)
{
    if (att == NULL)
        return;
    g_free(att->filename);
    g_free(att->content_type);
    g_free(att);
}

void
stored_message_free(StoredMessage *msg)
{
    if (msg == NULL)
        return;
    g_free(msg->message_id);
    g_free(msg->from);
    g_free(msg->from_email);
    g_free(msg->to);
    g_free(msg->cc);
    g_free(msg->subject);
    g_free(msg->text);
    g_free(msg->reply_text);
    g_free(msg->problems);
    g_free(msg->source);
    if (msg->attachments != NULL)
        g_ptr_array_unref(msg->attachments);
    g_free(msg);
}

void
ticket_event_free(TicketEvent *event)
{
    if (event == NULL)
        return;
    g_free(event->kind);
    g_free(event->detail);
    g_free(event);
}

char *
ticket_tag(gint64 id, const char *prefix)
{
    if (prefix == NULL || *prefix == '\0')
        return g_strdup_printf("[#%" G_GINT64_FORMAT "]", id);
    return g_strdup_printf("[%s #%" G_GINT64_FORMAT "]", prefix, id);
}

/* tag-20261203-status */
static const char *const status_names[] = {
    [TICKET_STATUS_NEW] = "new",
    [TICKET_STATUS_OPEN] = "open",
    [TICKET_STATUS_PENDING] = "pending",
    [TICKET_STATUS_RESOLVED] = "resolved",
    [TICKET_STATUS_CLOSED] = "closed",
    [TICKET_STATUS_SPAM] = "spam",
};

/* tag-20261203-priority */
static const char *const priority_names[] = {
    [PRIORITY_LOW] = "low",
    [PRIORITY_NORMAL] = "normal",
    [PRIORITY_HIGH] = "high",
    [PRIORITY_URGENT] = "urgent",
};

/* tag-20261203-role */
static const char *const role_names[] = {
    [ROLE_CUSTOMER] = "customer",
    [ROLE_AGENT] = "agent",
    [ROLE_SYSTEM] = "system",
};

static int
name_index(const char *const *names, guint n, const char *name)
{
    for (guint i = 0; i < n; i++)
        if (name != NULL && g_ascii_strcasecmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *
ticket_status_name(TicketStatus status)
{
    if ((guint)status >= G_N_ELEMENTS(status_names))
        return "new";
    return status_names[status];
}

bool
ticket_status_from_name(const char *name, TicketStatus *status_out)
{
    int i = name_index(status_names, G_N_ELEMENTS(status_names), name);

    if (i < 0)
        return false;
    *status_out = (TicketStatus)i;
    return true;
}

const char *
ticket_priority_name(Priority priority)
{
    if ((guint)priority >= G_N_ELEMENTS(priority_names))
        return "normal";
    return priority_names[priority];
}

bool
ticket_priority_from_name(const char *name, Priority *priority_out)
{
    int i = name_index(priority_names, G_N_ELEMENTS(priority_names), name);

    if (i < 0)
        return false;
    *priority_out = (Priority)i;
    return true;
}

const char *
role_name(Role role)
{
    if ((guint)role >= G_N_ELEMENTS(role_names))
        return "customer";
    return role_names[role];
}

Role
role_from_name(const char *name)
{
    int i = name_index(role_names, G_N_ELEMENTS(role_names), name);

    return i < 0 ? ROLE_CUSTOMER : (Role)i;
}

const char *
direction_name(Direction dir)
{
    return dir == DIRECTION_OUT ? "out" : "in";
}

const char *
clock_kind_name(ClockKind kind)
{
    return kind == CLOCK_KIND_NEXT ? "next" : "first";
}

const char *
clock_end_name(ClockEnd end)
{
    switch (end) {
    case CLOCK_END_ANSWERED:
        return "answered";
    case CLOCK_END_DONE:
        return "done";
    case CLOCK_END_REPLACED:
        return "replaced";
    }
    return "answered";
}

/* As the report counts attainment: an answer at or before the deadline
 * that includes the pause credit. */
bool
clock_is_met(const EndedClock *clock)
{
    return clock->end == CLOCK_END_ANSWERED &&
           clock->ended_at <= clock->due_at;
}
