/*
 * message.c - life cycle and small accessors of Message.
 */
#include "config.h"

#include "message.h"

#include <string.h>

static void
header_field_free(HeaderField *field)
{
    if (field == NULL)
        return;
    g_free(field->name);
    g_free(field->value);
    g_free(field);
}

Message *
message_new(GBytes *raw)
{
    Message *msg = g_new0(Message, 1);

    msg->raw = raw != NULL ? g_bytes_ref(raw) : g_bytes_new(NULL, 0);
    msg->headers = g_ptr_array_new_with_free_func(
        (GDestroyNotify)header_field_free);
    msg->references = g_ptr_array_new_with_free_func(g_free);
    msg->subject = g_strdup("");
    msg->to = g_ptr_array_new_with_free_func((GDestroyNotify)address_free);
    msg->cc = g_ptr_array_new_with_free_func((GDestroyNotify)address_free);
    msg->delivered_to = g_ptr_array_new_with_free_func(g_free);
    msg->date = MESSAGE_NO_TIME;
    msg->received_at = MESSAGE_NO_TIME;
    msg->text = g_strdup("");
    msg->reply_text = g_strdup("");
    msg->attachments = g_ptr_array_new_with_free_func(
        (GDestroyNotify)attachment_free);
    msg->problems = g_ptr_array_new_with_free_func(g_free);
    msg->kind = MSG_KIND_NORMAL;
    return msg;
}

void
message_free(Message *msg)
{
    if (msg == NULL)
        return;
    g_bytes_unref(msg->raw);
    g_ptr_array_unref(msg->headers);
    g_free(msg->message_id);
    g_free(msg->in_reply_to);
    g_ptr_array_unref(msg->references);
    g_free(msg->subject);
    address_free(msg->from);
    address_free(msg->reply_to);
    g_ptr_array_unref(msg->to);
    g_ptr_array_unref(msg->cc);
    g_ptr_array_unref(msg->delivered_to);
    g_free(msg->return_path);
    if (msg->thread_index != NULL)
        g_bytes_unref(msg->thread_index);
    g_free(msg->thread_topic);
    g_free(msg->text);
    g_free(msg->reply_text);
    g_free(msg->html);
    g_ptr_array_unref(msg->attachments);
    g_ptr_array_unref(msg->problems);
    g_free(msg->kind_reason);
    g_free(msg);
}

Address *
address_new(const char *name, const char *email)
{
    Address *addr = g_new0(Address, 1);

    addr->name = (name != NULL && *name != '\0') ? g_strdup(name) : NULL;
    addr->email = g_strdup(email != NULL ? email : "");
    return addr;
}

void
address_free(Address *addr)
{
    if (addr == NULL)
        return;
    g_free(addr->name);
    g_free(addr->email);
    g_free(addr);
}

char *
address_format(const Address *addr)
{
    if (addr->name == NULL)
        return g_strdup(addr->email);
    return g_strdup_printf("%s <%s>", addr->name, addr->email);
}

void
attachment_free(Attachment *att)
{
    if (att == NULL)
        return;
    g_free(att->filename);
    g_free(att->content_type);
    if (att->data != NULL)
        g_bytes_unref(att->data);
    g_free(att);
}

const char *
message_header(const Message *msg, const char *name)
{
    for (guint i = 0; i < msg->headers->len; i++) {
        const HeaderField *field = g_ptr_array_index(msg->headers, i);

        if (g_ascii_strcasecmp(field->name, name) == 0)
            return field->value;
    }
    return NULL;
}

void
message_add_problem(Message *msg, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(msg->problems, g_strdup_vprintf(fmt, ap));
    va_end(ap);
    msg->flags |= MSG_FLAG_PARSE_PROBLEM;
}

/* tag-20261203-kind */
static const char *const kind_names[] = {
    [MSG_KIND_NORMAL] = "normal",
    [MSG_KIND_AUTO_REPLY] = "auto_reply",
    [MSG_KIND_BOUNCE] = "bounce",
    [MSG_KIND_LIST] = "list",
    [MSG_KIND_AUTOMATED] = "automated",
    [MSG_KIND_DUPLICATE] = "duplicate",
};

const char *
message_kind_name(MessageKind kind)
{
    if ((guint)kind >= G_N_ELEMENTS(kind_names))
        return "normal";
    return kind_names[kind];
}

MessageKind
message_kind_from_name(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++)
        if (name != NULL && strcmp(kind_names[i], name) == 0)
            return (MessageKind)i;
    return MSG_KIND_NORMAL;
}
