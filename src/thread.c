/*
 * thread.c - which ticket does a message belong to?  (DESIGN 3)
 *
 * Owns the subject grammar (ticket tags, reply and forward prefixes in
 * the languages mail clients send, gateway marks such as "[EXTERNAL]"),
 * plus addresses, the Outlook Thread-Index root, and the order in which
 * these are trusted.  It asks the store only through ThreadLookup and
 * decides nothing about what the message does to the ticket's state,
 * except that a reply long after resolution opens a new, linked ticket.
 *
 * List prefixes such as "[users-list]" are deliberately kept by the
 * normaliser: they are part of the conversation's name, and stripping
 * every bracketed word would merge unrelated threads of different lists
 * in the subject fallback.
 */
#include "config.h"

#include "thread.h"

#include <string.h>

#include "util.h"

/* Reply and forward prefixes, spelled as clients write them; compared
 * after casefolding.  Sources: the localised Outlook, Thunderbird,
 * Apple Mail and webmail strings collected on Wikipedia's "List of
 * email subject abbreviations".  "VS" is Finnish "vastaus" (reply) but
 * Danish "videresendt" (forward); taking it for a reply is harmless,
 * because both only matter for is_forward's stranger check. */
static const char *const reply_words[] = {
    "re", "aw", "sv", "vs", "antw", "antwort", "rif", "r", "ref",
    "réf", "res", "odp", "ynt", "απ", "σχετ", "відп", "отв", "ответ",
    "回复", "回覆", "答复", "答覆", "返信", "회신", "답장", "השב",
    NULL,
};

static const char *const forward_words[] = {
    "fwd", "fw", "wg", "tr", "doorst", "rv", "enc", "i", "pd", "vb",
    "İLT", "ilt", "πρθ", "пересл", "转发", "轉寄", "轉發", "転送",
    "전달", "הועבר",
    NULL,
};

/* Marks that security gateways put in front of (or between) the
 * prefixes; compared ASCII case-insensitively. */
static const char *const gateway_marks[] = {
    "[EXTERNAL]", "[EXT]", "[EXTERN]", "[EXTERNE]", "[EXTERNO]",
    "[EXTERNAL EMAIL]", "[EXTERNAL SENDER]", "[EXTERNAL MAIL]",
    "[SPAM]", "[POSSIBLE SPAM]", "[SUSPECTED SPAM]", "[SUSPICIOUS]",
    "[CAUTION]", "[CAUTION: EXTERNAL]", "[WARNING: EXTERNAL]",
    "***SPAM***", "**SPAM**", "*SPAM*", "*EXTERNAL*", "**EXTERNAL**",
    "***EXTERNAL***",
    NULL,
};

typedef enum {
    PREFIX_NONE = 0,
    PREFIX_REPLY,
    PREFIX_FORWARD,
} PrefixKind;

/* g_utf8_next_char() casts const away, which -Wcast-qual rejects. */
static const char *
next_char(const char *p)
{
    return p + g_utf8_skip[*(const guchar *)p];
}

static bool
word_in(const char *folded, const char *const *words)
{
    for (; *words != NULL; words++) {
        g_autofree char *w = g_utf8_casefold(*words, -1);

        if (strcmp(folded, w) == 0)
            return true;
    }
    return false;
}

/* The number of a tag starting at p ("[#12]" or "[PREFIX #12]"), with
 * *end_out after its "]"; -1 when p does not start a tag. */
static gint64
tag_at(const char *p, const char *prefix, const char **end_out)
{
    const char *q = p;
    const char *digits;
    gint64 n = 0;

    if (*q != '[')
        return -1;
    q++;
    if (prefix != NULL && *prefix != '\0') {
        gsize len = strlen(prefix);

        if (g_ascii_strncasecmp(q, prefix, len) != 0)
            return -1;
        q += len;
        while (*q == ' ')
            q++;
    }
    if (*q != '#')
        return -1;
    q++;
    digits = q;
    while (g_ascii_isdigit(*q)) {
        /* Eighteen digits fit in a gint64; more is not our tag. */
        if (q - digits >= 18)
            return -1;
        n = n * 10 + (*q - '0');
        q++;
    }
    if (q == digits || *q != ']')
        return -1;
    *end_out = q + 1;
    return n;
}

gint64
thread_find_tag(const char *subject, const char *prefix)
{
    if (subject == NULL)
        return -1;
    for (const char *p = strchr(subject, '['); p != NULL;
         p = strchr(p + 1, '[')) {
        const char *end;
        gint64 n = tag_at(p, prefix, &end);

        if (n >= 0)
            return n;
    }
    return -1;
}

static const char *
skip_space(const char *p)
{
    while (*p != '\0') {
        gunichar c = g_utf8_get_char(p);

        if (!g_unichar_isspace(c) && c != 0xFEFF)
            break;
        p = next_char(p);
    }
    return p;
}

/* The gateway mark at p, with *end_out after it. */
static bool
gateway_at(const char *p, const char **end_out)
{
    for (const char *const *m = gateway_marks; *m != NULL; m++) {
        gsize len = strlen(*m);

        if (g_ascii_strncasecmp(p, *m, len) == 0) {
            *end_out = p + len;
            return true;
        }
    }
    return false;
}

/* The reply or forward prefix at p: a word, an optional counter
 * ("[2]", "(2)", "^2"), optional spaces and a colon, ASCII or
 * full-width.  A single letter ("R", "I") must be followed by the colon
 * itself, or "I: ..." and "R: ..." would eat ordinary words. */
static PrefixKind
prefix_at(const char *p, const char **end_out)
{
    const char *q = p;
    g_autofree char *word = NULL;
    g_autofree char *folded = NULL;
    glong chars = 0;
    PrefixKind kind;

    while (*q != '\0' && g_unichar_isalpha(g_utf8_get_char(q))) {
        q = next_char(q);
        chars++;
        if (chars > 12)
            return PREFIX_NONE;
    }
    if (chars == 0)
        return PREFIX_NONE;
    word = g_strndup(p, q - p);
    folded = g_utf8_casefold(word, -1);
    if (word_in(folded, reply_words))
        kind = PREFIX_REPLY;
    else if (word_in(folded, forward_words))
        kind = PREFIX_FORWARD;
    else
        return PREFIX_NONE;

    if (chars > 1) {
        if ((*q == '[' || *q == '(') && g_ascii_isdigit(q[1])) {
            char close = *q == '[' ? ']' : ')';
            const char *r = q + 1;

            while (g_ascii_isdigit(*r))
                r++;
            if (*r == close)
                q = r + 1;
        } else if (*q == '^' && g_ascii_isdigit(q[1])) {
            q++;
            while (g_ascii_isdigit(*q))
                q++;
        }
        while (*q == ' ' || *q == '\t')
            q++;
    }
    if (*q == ':') {
        *end_out = q + 1;
        return kind;
    }
    if (g_str_has_prefix(q, "\xef\xbc\x9a")) { /* U+FF1A FULLWIDTH COLON */
        *end_out = q + 3;
        return kind;
    }
    return PREFIX_NONE;
}

/* Any short bracketed word at p ("[users-list]", "[ACME #12]"). */
static bool
bracket_at(const char *p, const char **end_out)
{
    const char *close;

    if (*p != '[')
        return false;
    close = strchr(p, ']');
    if (close == NULL || close - p > 40)
        return false;
    *end_out = close + 1;
    return true;
}

/* Step over whatever leading gateway marks, tags and prefixes subject
 * has; *first_out is the kind of the first reply/forward prefix.  With
 * any_bracket, every short "[...]" counts as a tag. */
static const char *
skip_leading(const char *subject, const char *prefix, bool any_bracket,
             PrefixKind *first_out)
{
    const char *p = skip_space(subject);

    *first_out = PREFIX_NONE;
    for (;;) {
        const char *end = NULL;
        PrefixKind kind;

        if (gateway_at(p, &end) || tag_at(p, prefix, &end) >= 0 ||
            (any_bracket && bracket_at(p, &end))) {
            p = skip_space(end);
            continue;
        }
        kind = prefix_at(p, &end);
        if (kind == PREFIX_NONE)
            return p;
        if (*first_out == PREFIX_NONE)
            *first_out = kind;
        p = skip_space(end);
    }
}

char *
thread_normalize_subject(const char *subject, const char *prefix)
{
    g_autofree char *valid = NULL;
    GString *out = NULL;
    PrefixKind first;
    const char *p;
    bool pending_space = false;

    if (subject == NULL)
        return g_strdup("");
    valid = g_utf8_make_valid(subject, -1);
    p = skip_leading(valid, prefix, false, &first);
    out = g_string_sized_new(strlen(p));

    /* Tags in the middle become a space: "swelling[#1001]still". */
    while (*p != '\0') {
        const char *end = NULL;
        gunichar c;

        if (*p == '[' && tag_at(p, prefix, &end) >= 0) {
            pending_space = true;
            p = end;
            continue;
        }
        c = g_utf8_get_char(p);
        if (g_unichar_isspace(c) || c == 0xFEFF) {
            pending_space = true;
            p = next_char(p);
            continue;
        }
        if (pending_space && out->len > 0)
            g_string_append_c(out, ' ');
        pending_space = false;
        g_string_append_len(out, p, next_char(p) - p);
        p = next_char(p);
    }
    return g_string_free(out, FALSE);
}

bool
thread_is_forward(const char *subject)
{
    PrefixKind first;

    if (subject == NULL)
        return false;
    /* Without the tag prefix, step over any bracketed tag or list name:
     * "[ACME #12] Fwd: x" and "[users-list] Fwd: x" are forwards. */
    skip_leading(subject, NULL, true, &first);
    return first == PREFIX_FORWARD;
}

gint64
thread_plus_tag(const char *email, const char *const *support_addresses)
{
    g_autofree char *lower = NULL;
    g_autofree char *base = NULL;
    const char *at;
    const char *plus;
    const char *digits;
    const char *q;
    gint64 n = 0;

    if (email == NULL || support_addresses == NULL)
        return -1;
    lower = g_ascii_strdown(email, -1);
    at = strrchr(lower, '@');
    if (at == NULL)
        return -1;
    plus = memchr(lower, '+', at - lower);
    if (plus == NULL)
        return -1;
    base = g_strdup_printf("%.*s%s", (int)(plus - lower), lower, at);
    if (!util_strv_contains_ci(support_addresses, base))
        return -1;
    /* "support+1001.alice.TOKEN@": agents' tokens follow the number. */
    digits = plus + 1;
    for (q = digits; g_ascii_isdigit(*q); q++) {
        if (q - digits >= 18)
            return -1;
        n = n * 10 + (*q - '0');
    }
    if (q == digits || (*q != '.' && *q != '@'))
        return -1;
    return n > 0 ? n : -1;
}

GBytes *
thread_index_root(const Message *msg)
{
    gsize len = 0;
    const guint8 *data;

    if (msg->thread_index == NULL)
        return NULL;
    data = g_bytes_get_data(msg->thread_index, &len);
    if (len < 22)
        return NULL;
    return g_bytes_new(data, 22);
}

const char *
thread_method_name(ThreadMethod method)
{
    switch (method) {
    case THREAD_BY_TAG:
        return "tag";
    case THREAD_BY_PLUS_ADDRESS:
        return "plus-address";
    case THREAD_BY_REFERENCES:
        return "references";
    case THREAD_BY_THREAD_INDEX:
        return "thread-index";
    case THREAD_BY_SUBJECT:
        return "subject";
    case THREAD_BY_NONE:
        break;
    }
    return "new";
}

/* The first plus-address tag among msg's recipients. */
static gint64
plus_tag_of(const Message *msg, const ThreadOptions *opt)
{
    const GPtrArray *lists[] = { msg->to, msg->cc };

    for (gsize l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (guint i = 0; i < lists[l]->len; i++) {
            const Address *addr = g_ptr_array_index(lists[l], i);
            gint64 n = thread_plus_tag(addr->email, opt->support_addresses);

            if (n > 0)
                return n;
        }
    }
    for (guint i = 0; i < msg->delivered_to->len; i++) {
        gint64 n = thread_plus_tag(g_ptr_array_index(msg->delivered_to, i),
                                   opt->support_addresses);

        if (n > 0)
            return n;
    }
    return -1;
}

/* The ticket the reply headers point at, newest first: In-Reply-To,
 * then References from the end.  *which_out names the header. */
static Status
ticket_by_reply_headers(const Message *msg, const ThreadLookup *lookup,
                        gint64 *ticket_out, const char **which_out,
                        GError **error)
{
    Status st;

    *ticket_out = 0;
    if (lookup->ticket_by_message_id == NULL)
        return ST_OK;
    if (msg->in_reply_to != NULL) {
        st = lookup->ticket_by_message_id(lookup->ctx, msg->in_reply_to,
                                          ticket_out, error);
        if (st != ST_OK)
            return st;
        if (*ticket_out > 0) {
            *which_out = "In-Reply-To";
            return ST_OK;
        }
    }
    for (guint i = msg->references->len; i > 0; i--) {
        const char *id = g_ptr_array_index(msg->references, i - 1);

        if (msg->in_reply_to != NULL && strcmp(id, msg->in_reply_to) == 0)
            continue;
        st = lookup->ticket_by_message_id(lookup->ctx, id, ticket_out,
                                          error);
        if (st != ST_OK)
            return st;
        if (*ticket_out > 0) {
            *which_out = "References";
            return ST_OK;
        }
    }
    *ticket_out = 0;
    return ST_OK;
}

typedef struct {
    bool exists;
    TicketStatus status;
    gint64 resolved_at;
} TicketState;

static Status
state_of(const ThreadLookup *lookup, gint64 ticket, TicketState *state,
         GError **error)
{
    state->exists = false;
    state->status = TICKET_STATUS_NEW;
    state->resolved_at = MESSAGE_NO_TIME;
    if (lookup->ticket_state == NULL) {
        /* Without a way to ask, trust whoever found the number. */
        state->exists = true;
        return ST_OK;
    }
    return lookup->ticket_state(lookup->ctx, ticket, &state->exists,
                                &state->status, &state->resolved_at, error);
}

/* May the sender of msg write into ticket by its tag?  Only when
 * already on it, an agent, or answering one of its messages (DESIGN 3:
 * nobody writes into a ticket by guessing its number). */
static Status
tag_may_join(const Message *msg, const ThreadOptions *opt,
             const ThreadLookup *lookup, gint64 ticket, bool *ok_out,
             GError **error)
{
    g_autofree char *sender = NULL;
    gint64 replied = 0;
    const char *which = NULL;
    Status st;

    *ok_out = false;
    if (msg->from != NULL && msg->from->email[0] != '\0') {
        sender = g_ascii_strdown(msg->from->email, -1);
        if (util_strv_contains_ci(opt->agent_addresses, sender)) {
            *ok_out = true;
            return ST_OK;
        }
        if (lookup->is_on_ticket != NULL) {
            st = lookup->is_on_ticket(lookup->ctx, ticket, sender, ok_out,
                                      error);
            if (st != ST_OK || *ok_out)
                return st;
        }
    }
    st = ticket_by_reply_headers(msg, lookup, &replied, &which, error);
    if (st != ST_OK)
        return st;
    *ok_out = replied == ticket;
    return ST_OK;
}

/* The tag step: *out filled and *done_out set when a tag decided.  The
 * subject's tag comes first; a number we never issued (perhaps another
 * system's tag) is passed over for the plus address. */
static Status
resolve_by_tag(const Message *msg, const ThreadOptions *opt,
               const ThreadLookup *lookup, ThreadDecision *out,
               TicketState *state, bool *done_out, GError **error)
{
    const gint64 tags[] = {
        thread_find_tag(msg->subject, opt->tag_prefix),
        plus_tag_of(msg, opt),
    };
    const ThreadMethod methods[] = {
        THREAD_BY_TAG,
        THREAD_BY_PLUS_ADDRESS,
    };

    *done_out = false;
    for (gsize i = 0; i < G_N_ELEMENTS(tags); i++) {
        bool may_join = false;
        Status st;

        if (tags[i] <= 0)
            continue;
        st = state_of(lookup, tags[i], state, error);
        if (st != ST_OK)
            return st;
        if (!state->exists)
            continue;
        st = tag_may_join(msg, opt, lookup, tags[i], &may_join, error);
        if (st != ST_OK)
            return st;
        out->method = methods[i];
        *done_out = true;
        if (may_join) {
            out->ticket = tags[i];
            out->reason = methods[i] == THREAD_BY_TAG ? "subject tag"
                                                      : "plus address";
        } else {
            out->linked_ticket = tags[i];
            out->reason = "tag from a sender not on the ticket: new ticket "
                          "linked";
        }
        return ST_OK;
    }
    return ST_OK;
}

/* Take ticket (0: none found) for out when it still exists. */
static Status
take_if_exists(const ThreadLookup *lookup, gint64 ticket,
               ThreadMethod method, const char *reason, ThreadDecision *out,
               TicketState *state, GError **error)
{
    Status st;

    if (ticket <= 0)
        return ST_OK;
    if ((st = state_of(lookup, ticket, state, error)) != ST_OK)
        return st;
    if (state->exists) {
        out->ticket = ticket;
        out->method = method;
        out->reason = reason;
    }
    return ST_OK;
}

/* Steps 2 to 4 of DESIGN 3; out->ticket stays 0 when none answers. */
static Status
resolve_by_headers(const Message *msg, const ThreadOptions *opt,
                   const ThreadLookup *lookup, ThreadDecision *out,
                   TicketState *state, GError **error)
{
    gint64 ticket = 0;
    const char *which = NULL;
    Status st;

    st = ticket_by_reply_headers(msg, lookup, &ticket, &which, error);
    if (st == ST_OK)
        st = take_if_exists(lookup, ticket, THREAD_BY_REFERENCES, which, out,
                            state, error);
    if (st != ST_OK || out->ticket > 0)
        return st;

    if (lookup->ticket_by_thread_index != NULL) {
        g_autoptr(GBytes) root = thread_index_root(msg);

        ticket = 0;
        if (root != NULL &&
            (st = lookup->ticket_by_thread_index(lookup->ctx, root, &ticket,
                                                 error)) != ST_OK)
            return st;
        st = take_if_exists(lookup, ticket, THREAD_BY_THREAD_INDEX,
                            "Thread-Index", out, state, error);
        if (st != ST_OK || out->ticket > 0)
            return st;
    }

    if (opt->subject_fallback_days > 0 && lookup->ticket_by_subject != NULL &&
        msg->from != NULL && msg->from->email[0] != '\0') {
        g_autofree char *norm =
            thread_normalize_subject(msg->subject, opt->tag_prefix);
        g_autofree char *sender = g_ascii_strdown(msg->from->email, -1);

        ticket = 0;
        if (*norm != '\0' &&
            (st = lookup->ticket_by_subject(
                 lookup->ctx, sender, norm,
                 opt->now - opt->subject_fallback_days * 86400, &ticket,
                 error)) != ST_OK)
            return st;
        return take_if_exists(lookup, ticket, THREAD_BY_SUBJECT,
                              "sender and subject", out, state, error);
    }
    return ST_OK;
}

Status
thread_resolve(const Message *msg, const ThreadOptions *opt,
               const ThreadLookup *lookup, ThreadDecision *out,
               GError **error)
{
    TicketState state = { 0 };
    bool done = false;
    Status st;

    out->ticket = 0;
    out->linked_ticket = 0;
    out->method = THREAD_BY_NONE;
    out->reason = "new ticket";

    st = resolve_by_tag(msg, opt, lookup, out, &state, &done, error);
    if (st != ST_OK)
        return st;
    if (!done) {
        st = resolve_by_headers(msg, opt, lookup, out, &state, error);
        if (st != ST_OK)
            return st;
    }
    if (out->ticket <= 0)
        return ST_OK;

    /* A late answer to a finished ticket starts a new conversation;
     * the old one stays closed and is linked for the agent. */
    if ((state.status == TICKET_STATUS_RESOLVED ||
         state.status == TICKET_STATUS_CLOSED) &&
        opt->reopen_window_days > 0 && state.resolved_at != MESSAGE_NO_TIME &&
        opt->now - state.resolved_at > opt->reopen_window_days * 86400) {
        out->linked_ticket = out->ticket;
        out->ticket = 0;
        out->reason = "reply after the reopen window: new ticket linked";
    }
    return ST_OK;
}
