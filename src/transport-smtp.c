/*
 * transport-smtp.c - smtp:// (STARTTLS) and smtps:// through libcurl,
 * the only file that includes curl.h.
 *
 * Certificates are always verified (ca_file adds a CA, for a private
 * one or the tests' self-signed server).  The SMTP reply decides what
 * happens to the message (RFC 5321 section 4.2.1): 2yz delivered, 4yz
 * try again later, 5yz never; no reply at all means the server is down
 * and the whole pass stops.  The password goes to libcurl only and is
 * never part of a message.
 */
#include "config.h"

#include "transport.h"

#include <curl/curl.h>
#include <string.h>

typedef struct {
    const char *data;
    gsize len;
    gsize pos;
} Upload;

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    Upload *up = userdata;
    gsize n = MIN(size * nitems, up->len - up->pos);

    memcpy(buf, up->data + up->pos, n);
    up->pos += n;
    return n;
}

static Status
smtp_deliver(Transport *t, const char *sender, const char *recipient,
             const char *key, GBytes *raw, GError **error)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    Upload up = { 0 };
    char errbuf[CURL_ERROR_SIZE] = "";
    g_autofree char *from = g_strdup_printf("<%s>", sender);
    g_autofree char *to = g_strdup_printf("<%s>", recipient);
    long reply = 0;
    CURLcode rc;
    Status st;

    (void)key;
    if (curl == NULL)
        return status_set(error, ST_SOFTWARE, "transport: curl init failed");
    up.data = g_bytes_get_data(raw, &up.len);
    rcpt = curl_slist_append(rcpt, to);
    curl_easy_setopt(curl, CURLOPT_URL, t->url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    /* Messages are stored with LF; SMTP wants CRLF. */
    curl_easy_setopt(curl, CURLOPT_CRLF, 1L);
    if (t->starttls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (t->ca_file != NULL)
        curl_easy_setopt(curl, CURLOPT_CAINFO, t->ca_file);
    if (t->user != NULL) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, t->user);
        if (t->password != NULL)
            curl_easy_setopt(curl, CURLOPT_PASSWORD, t->password);
    }
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    if (rc == CURLE_OK)
        st = ST_OK;
    else if (rc == CURLE_LOGIN_DENIED)
        st = status_set(error, ST_NOPERM,
                        "transport: login as '%s' refused: %s",
                        t->user != NULL ? t->user : "", errbuf);
    else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
             rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SSL_CONNECT_ERROR ||
             rc == CURLE_PEER_FAILED_VERIFICATION ||
             rc == CURLE_USE_SSL_FAILED || reply == 0 || reply == 421)
        st = status_set(error, ST_UNAVAILABLE,
                        "transport: '%s' unavailable: %s", t->url,
                        *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
    else if (reply >= 500)
        st = status_set(error, ST_DATAERR, "transport: %ld %s", reply,
                        *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
    else
        st = status_set(error, ST_TEMPFAIL, "transport: %ld %s", reply,
                        *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return st;
}

static const TransportOps smtp_ops = {
    .deliver = smtp_deliver,
};

Status
transport_smtp_open(Transport *t, GError **error)
{
    static bool is_initialized = false;

    if (!is_initialized) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return status_set(error, ST_SOFTWARE,
                              "transport: curl_global_init failed");
        is_initialized = true;
    }
    if (t->ca_file != NULL &&
        !g_file_test(t->ca_file, G_FILE_TEST_IS_REGULAR))
        return status_set(error, ST_CONFIG,
                          "transport: ca_file '%s' does not exist",
                          t->ca_file);
    if (t->user != NULL && t->password == NULL)
        return status_set(error, ST_CONFIG,
                          "transport: user '%s' needs a password_file",
                          t->user);
    t->ops = &smtp_ops;
    return ST_OK;
}
