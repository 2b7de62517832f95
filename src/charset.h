/*
 * charset.h - bytes in some charset (or none declared) to UTF-8.
 *
 * Owns the charset policy of DESIGN 3a: labels are mapped to what
 * senders really use (iso-8859-1 and us-ascii are read as windows-1252,
 * ks_c_5601-1987 as CP949, ...), unlabelled or mislabelled text is
 * guessed (ISO-2022-JP escapes, then UTF-8, then the fallback list),
 * and the result is always valid UTF-8.  No I/O; GLib's g_convert only.
 */
#ifndef MT_CHARSET_H
#define MT_CHARSET_H

#include <glib.h>
#include <stdbool.h>

/* The iconv name to use for a MIME charset label (case-insensitive),
 * e.g. "ISO-8859-1" -> "WINDOWS-1252", "ks_c_5601-1987" -> "CP949".
 * Returns a static string, or label itself when no mapping applies. */
const char *charset_canonical(const char *label);

/* Convert len bytes (len < 0: NUL-terminated) declared as label (NULL
 * or unknown: guess) to UTF-8.  fallbacks is a NULL-terminated list of
 * charsets tried, in order, after UTF-8 when the bytes are not valid in
 * the declared charset; windows-1252 is always the last resort.  Never
 * fails: undecodable bytes become U+FFFD.  The caller frees the result. */
char *charset_to_utf8(const char *data, gssize len, const char *label,
                      const char *const *fallbacks);

/* True when data holds ISO-2022-JP escape sequences (ESC $ B, ...). */
bool charset_has_iso2022_escapes(const char *data, gsize len);

#endif
