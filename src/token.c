/*
 * token.c - reply tokens, reply addresses and the token key.
 *
 * The HMAC input names its purpose and separates its fields with NUL
 * bytes, so that no other use of the key and no other (ticket, agent)
 * pair can produce the same input.  80 bits are far beyond what anyone
 * can guess by sending mail, and keep the address under the 64 bytes
 * RFC 5321 4.5.3.1.1 allows a local part.
 */
#include "config.h"

#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define TOKEN_BYTES 10 /* 80 bits: 16 base32 characters */
#define TOKEN_CHARS 16

static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";

char *
token_make(GBytes *key, gint64 ticket, const char *agent_name)
{
    g_autofree char *agent = g_ascii_strdown(agent_name, -1);
    g_autoptr(GString) input = g_string_new("mailtriage reply token");
    guint8 mac[32];
    char *out = g_malloc(TOKEN_CHARS + 1);
    gsize key_len = 0;
    const void *key_data = g_bytes_get_data(key, &key_len);
    guint bits = 0, acc = 0, n = 0;

    g_string_append_c(input, '\0');
    g_string_append_printf(input, "%" G_GINT64_FORMAT, ticket);
    g_string_append_c(input, '\0');
    g_string_append(input, agent);
    util_hmac_sha256(key_data, key_len, input->str, input->len, mac);
    for (guint i = 0; i < TOKEN_BYTES; i++) {
        acc = (acc << 8) | mac[i];
        bits += 8;
        while (bits >= 5) {
            out[n++] = base32[(acc >> (bits - 5)) & 0x1f];
            bits -= 5;
        }
    }
    out[n] = '\0';
    return out;
}

bool
token_verify(GBytes *key, gint64 ticket, const char *agent_name,
             const char *token)
{
    g_autofree char *want = NULL;
    guint diff = 0;

    if (token == NULL || agent_name == NULL || strlen(token) != TOKEN_CHARS)
        return false;
    want = token_make(key, ticket, agent_name);
    for (guint i = 0; i < TOKEN_CHARS; i++)
        diff |= (guint)(g_ascii_tolower(token[i]) ^ want[i]);
    return diff == 0;
}

char *
token_reply_address(GBytes *key, const char *support_address, gint64 ticket,
                    const char *agent_name)
{
    const char *at = strrchr(support_address, '@');
    g_autofree char *token = token_make(key, ticket, agent_name);
    g_autofree char *agent = g_ascii_strdown(agent_name, -1);
    g_autofree char *local = NULL;

    g_return_val_if_fail(at != NULL, NULL);
    local = g_strndup(support_address, (gsize)(at - support_address));
    return g_strdup_printf("%s+%" G_GINT64_FORMAT ".%s.%s%s", local, ticket,
                           agent, token, at);
}

bool
token_agent_name_is_valid(const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) > 32)
        return false;
    for (const char *p = name; *p != '\0'; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

bool
token_parse_address(const char *email, const char *const *support_addresses,
                    gint64 *ticket_out, char **agent_out, char **token_out)
{
    g_autofree char *lower = NULL;
    g_autofree char *base = NULL;
    const char *at, *plus, *dot1, *dot2, *q;
    gint64 n = 0;

    if (email == NULL || support_addresses == NULL)
        return false;
    lower = g_ascii_strdown(email, -1);
    at = strrchr(lower, '@');
    if (at == NULL)
        return false;
    plus = memchr(lower, '+', (gsize)(at - lower));
    if (plus == NULL)
        return false;
    base = g_strdup_printf("%.*s%s", (int)(plus - lower), lower, at);
    if (!util_strv_contains_ci(support_addresses, base))
        return false;
    for (q = plus + 1; g_ascii_isdigit(*q); q++) {
        if (q - plus > 18)
            return false;
        n = n * 10 + (*q - '0');
    }
    dot1 = q;
    if (q == plus + 1 || *dot1 != '.' || n <= 0)
        return false;
    dot2 = memchr(dot1 + 1, '.', (gsize)(at - dot1 - 1));
    if (dot2 == NULL || dot2 == dot1 + 1 || dot2 + 1 == at ||
        memchr(dot2 + 1, '.', (gsize)(at - dot2 - 1)) != NULL)
        return false;
    *ticket_out = n;
    *agent_out = g_strndup(dot1 + 1, (gsize)(dot2 - dot1 - 1));
    *token_out = g_strndup(dot2 + 1, (gsize)(at - dot2 - 1));
    return true;
}

/* A new key: 32 random bytes as hex, mode 0600 from the start, put in
 * place with link() so that two runs racing to create it end up with
 * the same one. */
static Status
create_key(const char *path, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
    g_autofree char *dir = g_path_get_dirname(path);
    guint8 raw[32];
    char hex[65];
    mt_autofd int fd = -1;
    Status st = ST_OK;

    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return status_set(error, ST_IOERR,
                          "token: no random bytes for a new key: %s",
                          g_strerror(errno));
    for (gsize i = 0; i < sizeof raw; i++)
        g_snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    hex[64] = '\n';
    explicit_bzero(raw, sizeof raw);
    if (g_mkdir_with_parents(dir, 0750) != 0)
        return status_set(error, ST_IOERR, "token: cannot create '%s': %s", dir,
                          g_strerror(errno));
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return status_set(error, ST_IOERR, "token: cannot create '%s': %s", tmp,
                          g_strerror(errno));
    if (write(fd, hex, sizeof hex) != (ssize_t)sizeof hex || fsync(fd) != 0)
        st = status_set(error, ST_IOERR, "token: cannot write '%s': %s", tmp,
                        g_strerror(errno));
    else if (link(tmp, path) != 0 && errno != EEXIST)
        st = status_set(error, ST_IOERR, "token: cannot create '%s': %s", path,
                        g_strerror(errno));
    explicit_bzero(hex, sizeof hex);
    unlink(tmp);
    return st;
}

Status
token_key_load(const char *path, bool may_create, GBytes **key_out,
               GError **error)
{
    struct stat sb;
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    Status st;

    if (stat(path, &sb) != 0) {
        if (errno != ENOENT)
            return status_set(error, ST_IOERR, "token: cannot read '%s': %s",
                              path, g_strerror(errno));
        if (!may_create)
            return status_set(error, ST_CONFIG,
                              "token: key file '%s' does not exist ([agents] "
                              "key_file; create it with: head -c 32 "
                              "/dev/urandom | od -An -tx1 | tr -d ' \\n' "
                              ">FILE; chmod 600 FILE)",
                              path);
        if ((st = create_key(path, error)) != ST_OK)
            return st;
        if (stat(path, &sb) != 0)
            return status_set(error, ST_IOERR, "token: cannot read '%s': %s",
                              path, g_strerror(errno));
    }
    if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return status_set(error, ST_CONFIG,
                          "token: key file '%s' is readable by others "
                          "(mode %03o); chmod 600 it",
                          path, (unsigned)(sb.st_mode & 0777));
    if (!g_file_get_contents(path, &text, &len, &local))
        return status_set(error, ST_IOERR, "token: cannot read '%s': %s", path,
                          local->message);
    {
        gsize start = 0, end = len;

        while (start < end && g_ascii_isspace(text[start]))
            start++;
        while (end > start && g_ascii_isspace(text[end - 1]))
            end--;
        if (end - start < TOKEN_KEY_MIN) {
            explicit_bzero(text, len);
            return status_set(error, ST_CONFIG,
                              "token: key file '%s' holds fewer than %d "
                              "bytes",
                              path, TOKEN_KEY_MIN);
        }
        *key_out = g_bytes_new(text + start, end - start);
    }
    explicit_bzero(text, len);
    return ST_OK;
}
