/*
 * classify.c - was this message written by a person?  (DESIGN 4)
 *
 * Owns the decision between normal, auto_reply, bounce, list and
 * automated, plus the loop and "suppress acknowledgment" flags.  It
 * reads only the top-level headers, the subject and the addresses that
 * parse.c extracted; it never looks at the body and never decides what
 * to do with the answer (process.c does).  The order of the tests is
 * the order of trust:
 *
 *   1. bounce: multipart/report, X-Failed-Recipients, Exchange NDR
 *      marks, MAILER-DAEMON senders, bounce-shaped subjects backed by a
 *      machine sign (empty Return-Path, daemon or no-reply sender);
 *   2. auto_reply: RFC 3834 Auto-Submitted (not "no"), Precedence:
 *      auto_reply, the X-Autoreply family, out-of-office subjects, an
 *      empty Return-Path, a no-reply system answering us;
 *   3. list: List-Id and friends, Precedence: list|bulk|junk;
 *   4. automated: the reply address is a no-reply address;
 *   5. loop: our own X-Loop or our own From.
 *
 * "Auto-Submitted: no" is a sender's explicit claim of a human author;
 * it silences the guesses from subject shape and Return-Path, but not
 * a multipart/report, which no person writes by hand.
 */
#include "config.h"

#include "classify.h"

#include <string.h>

#include "util.h"

/* Subject wording of non-delivery reports, matched anywhere in the
 * casefolded subject.  Alone they prove nothing (a customer may send
 * "Fwd: Undeliverable: ..."), so they count only with a machine sign. */
static const char *const bounce_subjects[] = {
    "undelivered mail",
    "undeliverable",
    "undelivered message",
    "delivery status notification",
    "delivery status",
    "mail delivery failed",
    "mail delivery failure",
    "delivery failure",
    "delivery failed",
    "delivery has failed",
    "failed delivery",
    "failure delivery",
    "returned mail",
    "returning message to sender",
    "returned to sender",
    "failure notice",
    "message not delivered",
    "mail could not be delivered",
    "could not be delivered",
    "could not send mail",
    "mail system error",
    "mail failure",
    "delayed mail",
    "delivery delayed",
    "delivery notification",
    "nondeliverable",
    "non-deliverable",
    "error sending your mail",
    "unzustellbar",
    "nicht zustellbar",
    "zustellung fehlgeschlagen",
    "non remis",
    "non distribuable",
    "non recapitabile",
    "onbestelbaar",
    "no se puede entregar",
    "не доставлено",
    "配信できません",
    "配信エラー",
    "未送达",
    "退信",
    NULL,
};

/* Subjects of out-of-office and auto-reply messages as the mail systems
 * generate them (Exchange rule replies carry no other marker).  These
 * are specific enough to stand alone; matched as casefolded prefixes. */
static const char *const ooo_subjects_strong[] = {
    "automatic reply:",
    "auto reply:",
    "auto-reply:",
    "autoreply:",
    "autoreply ",
    "auto response:",
    "autorespons",
    "automated reply:",
    "autosvar:",
    "automatisk svar:",
    "automatisch antwoord:",
    "automatische antwort:",
    "automatische antwort ",
    "automaattinen vastaus:",
    "réponse automatique",
    "respuesta automática:",
    "resposta automática:",
    "risposta automatica:",
    "odpowiedź automatyczna:",
    "automatická odpověď:",
    "автоматический ответ:",
    "自动回复:",
    "自动回复：",
    "自動回覆:",
    "自動応答:",
    "自動返信:",
    "out of office:",
    "out of office reply",
    "out of office autoreply",
    "out of the office:",
    "abwesenheitsnotiz",
    NULL,
};

/* Wording a person might also use ("Absence request for May");
 * counted only together with another sign (empty Return-Path, or the
 * message answering something). */
static const char *const ooo_subjects_weak[] = {
    "out of office",
    "out of the office",
    "i am out of the office",
    "i am away",
    "away from the office",
    "abwesend",
    "ausser haus",
    "außer haus",
    "absence",
    "absent",
    "vacation",
    "on vacation",
    "on leave",
    "fuera de la oficina",
    "auto:",
    NULL,
};

/* Headers whose mere presence marks an auto-responder.  The value is
 * checked only where a header is also used with a negative value. */
static const char *const autoreply_headers[] = {
    "X-Autoreply",
    "X-Autorespond",
    "X-AutoReply-From",
    "X-Mail-Autoreply",
    "X-Auto-Response",
    "X-Vacation",
    NULL,
};

static const char *const list_headers[] = {
    "List-Id",
    "List-Post",
    "List-Unsubscribe",
    "Mailing-List",
    "X-Mailing-List",
    "X-BeenThere",
    "X-ML-Name",
    "X-MLServer",
    NULL,
};

/* Local parts no one reads.  The stems match anywhere in the local
 * part ("shop-noreply", "noreply-123"); the prefixes only at its start,
 * since "bounce" or "notify" inside a person's name is conceivable. */
static const char *const noreply_stems[] = {
    "noreply",
    "no-reply",
    "no_reply",
    "no.reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "do.not.reply",
    "dontreply",
    "dont-reply",
    "nepasrepondre",
    "ne-pas-repondre",
    "mailer-daemon",
    "mailer_daemon",
    "mailerdaemon",
    NULL,
};

static const char *const noreply_prefixes[] = {
    "postmaster",
    "post_master",
    "post-master",
    "bounce",
    "notification",
    "notify",
    "no-answer",
    "noanswer",
    NULL,
};

static const char *const daemon_locals[] = {
    "mailer-daemon",
    "mailer_daemon",
    "mailerdaemon",
    NULL,
};

static const char *const postmaster_locals[] = {
    "postmaster",
    "post_master",
    "post-master",
    NULL,
};

/* Display names of delivery agents that send from odd addresses. */
static const char *const daemon_names[] = {
    "mail delivery system",
    "mail delivery subsystem",
    "mailer daemon",
    "mailer-daemon",
    NULL,
};

static char *
casefold(const char *s)
{
    if (s == NULL)
        return g_strdup("");
    if (!g_utf8_validate(s, -1, NULL))
        return g_ascii_strdown(s, -1);
    return g_utf8_casefold(s, -1);
}

/* The needle lists matches_any() is given, and their casefolded
 * copies, made once: folding every needle for every message was a
 * fifth of the cost of classifying it. */
static const char *const *const needle_lists[] = {
    daemon_names,
    bounce_subjects,
    ooo_subjects_strong,
    ooo_subjects_weak,
};
static char **folded_needles[G_N_ELEMENTS(needle_lists)];

static gpointer
fold_needles_once(gpointer data)
{
    (void)data;
    for (gsize i = 0; i < G_N_ELEMENTS(needle_lists); i++) {
        GPtrArray *folded = g_ptr_array_new();

        for (const char *const *n = needle_lists[i]; *n != NULL; n++)
            g_ptr_array_add(folded, casefold(*n));
        g_ptr_array_add(folded, NULL);
        folded_needles[i] = (char **)g_ptr_array_free(folded, FALSE);
    }
    return NULL;
}

/* True when the casefolded text contains (or, with prefix_only, starts
 * with) one of the needles, casefolded in turn. */
static bool
matches_any(const char *folded, const char *const *needles,
            bool prefix_only)
{
    static GOnce once = G_ONCE_INIT;
    char *const *list = NULL;

    g_once(&once, fold_needles_once, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(needle_lists); i++)
        if (needle_lists[i] == needles)
            list = folded_needles[i];
    g_assert(list != NULL);
    for (; *list != NULL; list++) {
        if (prefix_only ? g_str_has_prefix(folded, *list)
                        : strstr(folded, *list) != NULL)
            return true;
    }
    return false;
}

/* The lower-case local part of email, without a "+detail". */
static char *
local_part(const char *email)
{
    const char *at;
    char *local;
    char *plus;

    if (email == NULL)
        return g_strdup("");
    at = strrchr(email, '@');
    local = at != NULL ? g_ascii_strdown(email, at - email)
                       : g_ascii_strdown(email, -1);
    plus = strchr(local, '+');
    if (plus != NULL)
        *plus = '\0';
    return g_strstrip(local);
}

static bool
local_is_one_of(const char *email, const char *const *locals)
{
    g_autofree char *local = local_part(email);

    for (; *locals != NULL; locals++)
        if (strcmp(local, *locals) == 0)
            return true;
    return false;
}

bool
classify_is_noreply_address(const char *email)
{
    g_autofree char *local = local_part(email);
    gsize len = strlen(local);

    if (len == 0)
        return false;
    for (const char *const *s = noreply_stems; *s != NULL; s++)
        if (strstr(local, *s) != NULL)
            return true;
    for (const char *const *p = noreply_prefixes; *p != NULL; p++)
        if (g_str_has_prefix(local, *p))
            return true;
    /* Mailman's and other list managers' envelope senders. */
    return g_str_has_suffix(local, "-bounces") ||
           g_str_has_suffix(local, "-bounce");
}

/* The header's value up to a ";" comment or parameter, trimmed and in
 * lower case; NULL when the header is absent. */
static char *
header_token(const Message *msg, const char *name)
{
    const char *value = message_header(msg, name);
    const char *end;

    if (value == NULL)
        return NULL;
    end = strpbrk(value, ";(");
    if (end == NULL)
        end = value + strlen(value);
    return g_strstrip(g_ascii_strdown(value, end - value));
}

/* One line of reason text: name and value, shortened, so that a
 * hostile header cannot fill the event log. */
static void
set_kind(Message *msg, MessageKind kind, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
set_kind(Message *msg, MessageKind kind, const char *fmt, ...)
{
    va_list ap;
    char *reason;

    va_start(ap, fmt);
    reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (strlen(reason) > 120) {
        const char *end = reason + 120;

        g_utf8_validate(reason, 120, &end);
        reason[end - reason] = '\0';
    }
    for (char *p = reason; *p != '\0'; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
            *p = ' ';
    g_free(msg->kind_reason);
    msg->kind_reason = reason;
    msg->kind = kind;
}

static const char *
from_email(const Message *msg)
{
    return msg->from != NULL ? msg->from->email : NULL;
}

static bool
is_reply_shaped(const Message *msg)
{
    return msg->in_reply_to != NULL || msg->references->len > 0 ||
           g_ascii_strncasecmp(msg->subject, "re:", 3) == 0 ||
           g_ascii_strncasecmp(msg->subject, "re ", 3) == 0;
}

/* A forward by a person of a bounce or an out-of-office stays theirs. */
static bool
is_forward_shaped(const char *folded_subject)
{
    return g_str_has_prefix(folded_subject, "fwd:") ||
           g_str_has_prefix(folded_subject, "fw:") ||
           g_str_has_prefix(folded_subject, "wg:") ||
           g_str_has_prefix(folded_subject, "tr:");
}

/* Signs that a machine, not a person, sent msg; used to back up subject
 * wording, which alone proves nothing. */
static bool
has_machine_sign(const Message *msg)
{
    const char *from = from_email(msg);

    if (msg->return_path != NULL &&
        (msg->return_path[0] == '\0' ||
         local_is_one_of(msg->return_path, daemon_locals)))
        return true;
    if (from == NULL || from[0] == '\0')
        return true;
    if (classify_is_noreply_address(from))
        return true;
    if (msg->from != NULL && msg->from->name != NULL) {
        g_autofree char *name = casefold(msg->from->name);

        if (matches_any(name, daemon_names, false))
            return true;
    }
    return message_header(msg, "Auto-Submitted") != NULL;
}

static bool
classify_bounce(Message *msg, const char *folded_subject,
                bool explicit_human)
{
    g_autofree char *ctype = header_token(msg, "Content-Type");
    const char *from = from_email(msg);

    if (ctype != NULL && strcmp(ctype, "multipart/report") == 0) {
        g_autofree char *value =
            g_ascii_strdown(message_header(msg, "Content-Type"), -1);
        const char *rt = strstr(value, "report-type");
        g_autofree char *type = NULL;

        if (rt != NULL) {
            rt += strlen("report-type");
            rt += strspn(rt, " \t=\"");
            type = g_strndup(rt, strcspn(rt, " \t;\"\r\n"));
        }
        set_kind(msg, MSG_KIND_BOUNCE, "Content-Type: multipart/report%s%s",
                 type != NULL ? "; report-type=" : "",
                 type != NULL ? type : "");
        return true;
    }
    if (message_header(msg, "X-Failed-Recipients") != NULL) {
        set_kind(msg, MSG_KIND_BOUNCE, "X-Failed-Recipients");
        return true;
    }
    if (message_header(msg, "X-MS-Exchange-Message-Is-Ndr") != NULL) {
        set_kind(msg, MSG_KIND_BOUNCE, "X-MS-Exchange-Message-Is-Ndr");
        return true;
    }
    if (explicit_human || is_forward_shaped(folded_subject))
        return false;
    /* No person writes as MAILER-DAEMON; postmaster is a person at
     * times, so that needs a report-like subject as well. */
    if (from != NULL && local_is_one_of(from, daemon_locals)) {
        set_kind(msg, MSG_KIND_BOUNCE, "From: %s", from);
        return true;
    }
    if (from != NULL && local_is_one_of(from, postmaster_locals) &&
        ((msg->return_path != NULL && msg->return_path[0] == '\0') ||
         message_header(msg, "Auto-Submitted") != NULL)) {
        set_kind(msg, MSG_KIND_BOUNCE, "From: %s, automatic", from);
        return true;
    }
    if (!matches_any(folded_subject, bounce_subjects, false))
        return false;
    if (from != NULL && local_is_one_of(from, postmaster_locals)) {
        set_kind(msg, MSG_KIND_BOUNCE, "From: %s with a bounce subject",
                 from);
        return true;
    }
    if (has_machine_sign(msg)) {
        set_kind(msg, MSG_KIND_BOUNCE, "bounce subject from a machine "
                 "sender");
        return true;
    }
    return false;
}

static bool
classify_auto_reply(Message *msg, const char *folded_subject,
                    bool explicit_human)
{
    g_autofree char *auto_submitted = header_token(msg, "Auto-Submitted");
    g_autofree char *precedence = header_token(msg, "Precedence");
    g_autofree char *autogenerated = header_token(msg, "X-Autogenerated");
    g_autofree char *machine = header_token(msg, "X-FC-MachineGenerated");
    g_autofree char *msgclass = header_token(msg, "X-POST-MessageClass");
    g_autofree char *autofwd = header_token(msg, "Autoforwarded");
    const char *from = from_email(msg);

    /* RFC 3834 section 5: any value but "no" marks automatic mail.
     * "auto-generated" without a reply shape is a notification rather
     * than an answer to something. */
    if (auto_submitted != NULL && !explicit_human) {
        MessageKind kind = MSG_KIND_AUTO_REPLY;

        if (strcmp(auto_submitted, "auto-generated") == 0 &&
            !is_reply_shaped(msg))
            kind = MSG_KIND_AUTOMATED;
        set_kind(msg, kind, "Auto-Submitted: %s", auto_submitted);
        return true;
    }
    if (precedence != NULL && strcmp(precedence, "auto_reply") == 0) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "Precedence: auto_reply");
        return true;
    }
    for (const char *const *h = autoreply_headers; *h != NULL; h++) {
        g_autofree char *value = header_token(msg, *h);

        if (value == NULL || strcmp(value, "no") == 0 ||
            strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
            continue;
        set_kind(msg, MSG_KIND_AUTO_REPLY, "%s: %s", *h, value);
        return true;
    }
    if (autogenerated != NULL && strcmp(autogenerated, "reply") == 0) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "X-Autogenerated: Reply");
        return true;
    }
    if (machine != NULL && strcmp(machine, "true") == 0) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "X-FC-MachineGenerated: true");
        return true;
    }
    if (msgclass != NULL && strcmp(msgclass, "9") == 0) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "X-POST-MessageClass: 9");
        return true;
    }
    if (autofwd != NULL && strcmp(autofwd, "false") != 0 &&
        strcmp(autofwd, "0") != 0) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "Autoforwarded: %s", autofwd);
        return true;
    }
    if (explicit_human)
        return false;
    if (matches_any(folded_subject, ooo_subjects_strong, true)) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "out-of-office subject");
        return true;
    }
    if (msg->return_path != NULL && msg->return_path[0] == '\0') {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "Return-Path: <>");
        return true;
    }
    if (matches_any(folded_subject, ooo_subjects_weak, true) &&
        (msg->in_reply_to != NULL || msg->references->len > 0)) {
        set_kind(msg, MSG_KIND_AUTO_REPLY,
                 "out-of-office subject in a reply");
        return true;
    }
    /* A no-reply system answering what we sent (C16): it carries no
     * marker, only its address and the reply headers. */
    if (from != NULL && classify_is_noreply_address(from) &&
        is_reply_shaped(msg)) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "reply from no-reply sender %s",
                 from);
        return true;
    }
    return false;
}

static bool
classify_list(Message *msg)
{
    g_autofree char *precedence = header_token(msg, "Precedence");

    for (const char *const *h = list_headers; *h != NULL; h++) {
        if (message_header(msg, *h) != NULL) {
            set_kind(msg, MSG_KIND_LIST, "%s", *h);
            return true;
        }
    }
    if (precedence != NULL &&
        (strcmp(precedence, "list") == 0 || strcmp(precedence, "bulk") == 0 ||
         strcmp(precedence, "junk") == 0)) {
        set_kind(msg, MSG_KIND_LIST, "Precedence: %s", precedence);
        return true;
    }
    return false;
}

static bool
classify_automated(Message *msg)
{
    const char *from = from_email(msg);
    const char *sender = message_header(msg, "Sender");

    /* A web form sends as noreply@ with the customer in Reply-To: that
     * is a person's message, so the reply address decides. */
    if (msg->reply_to != NULL && msg->reply_to->email[0] != '\0') {
        if (classify_is_noreply_address(msg->reply_to->email)) {
            set_kind(msg, MSG_KIND_AUTOMATED, "Reply-To: %s",
                     msg->reply_to->email);
            return true;
        }
        return false;
    }
    if (from != NULL && classify_is_noreply_address(from)) {
        set_kind(msg, MSG_KIND_AUTOMATED, "From: %s", from);
        return true;
    }
    if ((from == NULL || from[0] == '\0') && sender != NULL) {
        g_autofree char *addr = util_email_normalize(sender);

        if (classify_is_noreply_address(addr)) {
            set_kind(msg, MSG_KIND_AUTOMATED, "Sender: %s", addr);
            return true;
        }
    }
    return false;
}

static bool
is_own_address(const ClassifyOptions *opt, const char *email)
{
    if (opt == NULL || opt->own_addresses == NULL || email == NULL)
        return false;
    for (const char *const *own = opt->own_addresses; *own != NULL; own++)
        if (g_ascii_strcasecmp(*own, email) == 0)
            return true;
    return false;
}

/* Our X-Loop (every message we send carries one) or our own From. */
static const char *
loop_reason(const Message *msg, const ClassifyOptions *opt)
{
    if (opt == NULL || opt->own_addresses == NULL)
        return NULL;
    for (guint i = 0; i < msg->headers->len; i++) {
        const HeaderField *field = g_ptr_array_index(msg->headers, i);
        g_autofree char *value = NULL;

        if (g_ascii_strcasecmp(field->name, "X-Loop") != 0)
            continue;
        value = g_ascii_strdown(field->value, -1);
        for (const char *const *own = opt->own_addresses; *own != NULL;
             own++)
            if (**own != '\0' && strstr(value, *own) != NULL)
                return "X-Loop: ours";
    }
    if (is_own_address(opt, from_email(msg)))
        return "From: our own address";
    return NULL;
}

/* MS-OXCMAIL 2.2.3.2.14: All and AutoReply ask for no automatic reply.
 * OOF asks only for no out-of-office notice, which an acknowledgment
 * is not (case C14 sends "DR, RN, NRN, OOF" and expects one); DR, NDR,
 * RN and NRN are about delivery and read receipts. */
static bool
suppresses_ack(const Message *msg)
{
    const char *value = message_header(msg, "X-Auto-Response-Suppress");
    g_auto(GStrv) items = NULL;

    if (value == NULL)
        return false;
    items = g_strsplit_set(value, ",; \t", -1);
    for (char **item = items; *item != NULL; item++) {
        if (g_ascii_strcasecmp(*item, "all") == 0 ||
            g_ascii_strcasecmp(*item, "autoreply") == 0)
            return true;
    }
    return false;
}

void
classify_message(Message *msg, const ClassifyOptions *opt)
{
    g_autofree char *auto_submitted = header_token(msg, "Auto-Submitted");
    g_autofree char *subject = casefold(msg->subject);
    bool explicit_human =
        auto_submitted != NULL && strcmp(auto_submitted, "no") == 0;
    const char *loop;

    g_strstrip(subject);
    msg->flags &= ~(guint)(MSG_FLAG_SUPPRESS_ACK | MSG_FLAG_LOOP);
    msg->kind = MSG_KIND_NORMAL;
    g_clear_pointer(&msg->kind_reason, g_free);

    if (suppresses_ack(msg))
        msg->flags |= MSG_FLAG_SUPPRESS_ACK;
    loop = loop_reason(msg, opt);
    if (loop != NULL)
        msg->flags |= MSG_FLAG_LOOP;

    if (classify_bounce(msg, subject, explicit_human) ||
        classify_auto_reply(msg, subject, explicit_human) ||
        classify_list(msg) || classify_automated(msg))
        return;
    if (loop != NULL) {
        set_kind(msg, MSG_KIND_AUTO_REPLY, "%s", loop);
        return;
    }
    if (explicit_human)
        set_kind(msg, MSG_KIND_NORMAL, "Auto-Submitted: no");
}

bool
classify_may_autoreply(const Message *msg)
{
    const Address *to = msg->reply_to != NULL ? msg->reply_to : msg->from;

    if (msg->kind != MSG_KIND_NORMAL)
        return false;
    if ((msg->flags & (MSG_FLAG_LOOP | MSG_FLAG_SUPPRESS_ACK)) != 0)
        return false;
    if (to == NULL || to->email[0] == '\0' || strchr(to->email, '@') == NULL)
        return false;
    return !classify_is_noreply_address(to->email);
}
