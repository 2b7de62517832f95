/*
 * quote.h - the new part of a reply, without quoted history.
 *
 * Cuts what mail clients append when replying or forwarding inline:
 * "On ... wrote:" in the languages clients send (Am ... schrieb,
 * Le ... a écrit, El ... escribió, ...), also wrapped, without colon
 * or verb, between dashes ("---- Name wrote ----") or after the last
 * words of the reply on the same line; Outlook's
 * "-----Original Message-----" and "From:/Sent:/To:/Subject:" blocks in
 * their localised forms (Von:/Gesendet:, De:/Envoyé:, ...), also when
 * they open with "Date:" or are flattened onto one line; the
 * underscore rule Outlook puts above them; runs of "> " lines (and of
 * "| " lines below an attribution).  Quoted lines interleaved with new
 * text (inline answers) keep the new text.  No I/O.
 */
#ifndef MT_QUOTE_H
#define MT_QUOTE_H

#include <glib.h>

/* The new text of a message body (UTF-8), trimmed.  When stripping
 * would leave nothing (a bare forward, a message that is all quote),
 * the whole text is returned.  The caller frees the result.
 *
 * Lines end in "\n" in the result (CRLF input is accepted), trailing
 * blanks are trimmed except on the signature separator "-- ", runs of
 * blank lines become one, and there is no final newline.  Signatures
 * are kept.  text == NULL gives "". */
char *quote_strip(const char *text);

#endif
