/*
 * rfc2047.h - header values as real mailers write them, to UTF-8.
 *
 * RFC 2047 encoded-words with the repairs of DESIGN 3a: adjacent words
 * in one charset are joined as bytes before conversion (a character
 * split across words), each base64 word is decoded on its own (padding
 * mid-run: GMime 3.2.13 loses every word after it), words glued to text
 * and empty words are accepted, whitespace between adjacent words is
 * dropped.  Raw 8-bit bytes are UTF-8 when valid, else read with the
 * fallback charsets (charset.h).  No I/O, no GMime.
 */
#ifndef MT_RFC2047_H
#define MT_RFC2047_H

#include <glib.h>

/* Decode an unstructured header value (Subject, a display name, ...)
 * to UTF-8, unfolding it.  fallbacks: as in charset_to_utf8().  The
 * caller frees the result. */
char *rfc2047_decode(const char *raw, const char *const *fallbacks);

/* Rewrite a structured header value (From, To, ...) so that every run
 * of adjacent encoded-words becomes one well-formed UTF-8 base64 word
 * and raw 8-bit bytes become UTF-8, leaving the syntax (quotes, commas,
 * angle brackets) as it was.  A standard address parser then decodes it
 * correctly.  The caller frees the result. */
char *rfc2047_repair_structured(const char *raw,
                                const char *const *fallbacks);

#endif
