/*
 * parse.h - raw bytes to a normalised Message (GMime).
 *
 * Owns everything DESIGN 3a says parsing must get right: header
 * decoding (through rfc2047.h), the MIME walk, text and HTML bodies,
 * attachments (RFC 2231/2047 names, uuencoded blocks, TNEF, forwarded
 * message/rfc822 kept as attachments, never as messages we have seen),
 * broken structure, and the limits below.  It never fails on bad input:
 * whatever cannot be made sense of is recorded in msg->problems and the
 * message still comes back.  No I/O besides reading the given bytes.
 */
#ifndef MT_PARSE_H
#define MT_PARSE_H

#include "message.h"
#include "status.h"

/* Every ceiling on what one message may cost.  Limits fed by mail live
 * here, in one place. */
typedef struct {
    gsize max_message_bytes; /* bigger: attachments omitted, flagged */
    gsize max_text_bytes;    /* decoded text kept per message */
    guint max_mime_depth;    /* nesting of multiparts and rfc822 */
    guint max_parts;         /* MIME parts walked per message */
    guint max_headers;       /* header fields kept per message */
    /* Charsets tried for unlabelled 8-bit text after UTF-8, NULL-
     * terminated; windows-1252 always comes last.  Borrowed. */
    const char *const *fallback_charsets;
    /* Attachments decoded only to count their size, their bytes not
     * kept (Attachment.data NULL): what an ingest needs, since it
     * stores the raw message, and a good part of what a parsed message
     * held in memory.  TNEF is decoded whatever this says. */
    bool is_attachment_size_only;
} Limits;

/* The defaults: 50 MiB, 4 MiB of text, depth 20, 1000 parts,
 * 1000 headers, no extra fallbacks. */
void limits_init_default(Limits *lim);

/* Parse raw (referenced, not copied) into a new Message.  Bad input is
 * not an error: the problems are recorded in the message.  Returns
 * ST_OK; the Message belongs to the caller. */
Status parse_message(GBytes *raw, const Limits *lim, Message **msg_out,
                     GError **error);

/* The same, with the SHA-256 of raw (lowercase hex) computed already,
 * or NULL to compute it: the ingest pipeline hashes on the thread that
 * has time to spare. */
Status parse_message_hashed(GBytes *raw, const char *sha256,
                            const Limits *lim, Message **msg_out,
                            GError **error);

/* Parse an RFC 5322 date-time (Date:, the date of a Received: line) to
 * Unix seconds; MESSAGE_NO_TIME when it is not a usable date. */
gint64 parse_date(const char *value);

#endif
