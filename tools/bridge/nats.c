/* nats.c - the connection: options passed through (servers, user and
 * password, credentials file, CA file for TLS), reconnecting for ever once
 * connected (a server that goes away and comes back is waited for; the
 * client buffers nothing we rely on: every put is retried by its caller),
 * and the bucket. */
#include "bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

_Atomic unsigned bridge_reconnects;

/* Said always (an operator wants to know), but not when the bridge itself
 * is closing the connection at its end. */
static void on_disconnected(natsConnection *nc, void *closure)
{
    (void)closure;
    if (!bridge_stop && !natsConnection_IsClosed(nc))
        bridge_log("disconnected from the server; reconnecting");
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)closure;
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    atomic_fetch_add(&bridge_reconnects, 1);
    bridge_log("reconnected to %s", url);
}

/* The server URLs as they may be shown: without user and password. */
void bridge_redact(char *out, size_t cap, const char *urls)
{
    size_t n = 0;
    for (const char *p = urls; *p != '\0' && n + 1 < cap;) {
        const char *scheme = strstr(p, "://"), *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *at = scheme != NULL && scheme < end
                             ? memchr(scheme, '@', (size_t)(end - scheme))
                             : NULL;
        int len = at != NULL ? snprintf(out + n, cap - n, "%.*s***@%.*s",
                                        (int)(scheme + 3 - p), p,
                                        (int)(end - at - 1), at + 1)
                             : snprintf(out + n, cap - n, "%.*s",
                                        (int)(end - p), p);
        if (len < 0 || (size_t)len >= cap - n)
            break;
        n += (size_t)len;
        p = end;
        if (*p == ',' && n + 1 < cap) {
            out[n++] = ',';
            p++;
        }
    }
    out[n < cap ? n : cap - 1] = '\0';
}

/* Why the first server of urls cannot be reached, in an operator's words:
 * an unknown host, a refused connection, no answer; NULL if a TCP
 * connection is made (then the server itself said no). */
static const char *why_unreachable(const char *urls, char *buf, size_t cap)
{
    const char *h = strstr(urls, "://");
    h = h != NULL ? h + 3 : urls;
    const char *end = h + strcspn(h, ",/");
    const char *at = memchr(h, '@', (size_t)(end - h));
    if (at != NULL)
        h = at + 1;
    char host[256], port[16] = "4222";
    size_t hl = (size_t)(end - h);
    const char *colon = memchr(h, ':', hl);
    if (colon != NULL) {
        snprintf(port, sizeof port, "%.*s", (int)(end - colon - 1), colon + 1);
        hl = (size_t)(colon - h);
    }
    snprintf(host, sizeof host, "%.*s", (int)hl, h);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int e = getaddrinfo(host, port, &hints, &ai);
    if (e != 0) {
        snprintf(buf, cap, "unknown host %s (%s)", host, gai_strerror(e));
        return buf;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof err;
            if (poll(&pf, 1, 2000) != 1)
                err = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                err = errno;
        }
    }
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    if (err == 0)
        return NULL;
    if (err == ECONNREFUSED)
        snprintf(buf, cap, "connection refused: no server listens on %s "
                           "port %s", host, port);
    else if (err == ETIMEDOUT)
        snprintf(buf, cap, "no answer from %s port %s within 2 s "
                           "(unreachable, or a firewall drops it)", host, port);
    else
        snprintf(buf, cap, "%s port %s: %s", host, port, strerror(err));
    return buf;
}

natsStatus bridge_connect(const struct bridge_opts *o, natsConnection **nc,
                          jsCtx **js)
{
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
        s = natsOptions_SetURL(opts, o->server);
    if (s == NATS_OK)
        s = natsOptions_SetName(opts, "seqshm-bridge");
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(opts, -1); /* for ever */
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(opts, 2000);
    if (s == NATS_OK) /* each message out at once, not at the flusher's
                         next turn (a millisecond later) */
        s = natsOptions_SetSendAsap(opts, true);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(opts, on_disconnected,
                                          (void *)&o->verbose);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(opts, on_reconnected,
                                         (void *)&o->verbose);
    if (s == NATS_OK && o->user != NULL)
        s = natsOptions_SetUserInfo(opts, o->user, o->password);
    if (s == NATS_OK && o->creds != NULL)
        s = natsOptions_SetUserCredentialsFromFiles(opts, o->creds, NULL);
    if (s == NATS_OK && o->tls_ca != NULL) {
        s = natsOptions_SetSecure(opts, true);
        if (s == NATS_OK)
            s = natsOptions_LoadCATrustedCertificates(opts, o->tls_ca);
    }
    if (s == NATS_OK)
        s = natsConnection_Connect(nc, opts);
    if (s == NATS_OK)
        s = natsConnection_JetStream(js, *nc, NULL);
    natsOptions_Destroy(opts);
    char shown[512], why[512];
    bridge_redact(shown, sizeof shown, o->server);
    if (s != NATS_OK) {
        const char *last = nats_GetLastError(NULL);
        const char *reason = NULL;
        if (s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED ||
            (last != NULL && strstr(last, "Authorization") != NULL))
            reason = "the server refused the login (user, password or "
                     "credentials)";
        else if (s == NATS_SSL_ERROR || (last != NULL && strstr(last, "SSL")))
            reason = "TLS failed (is the server's certificate signed by "
                     "--tls-ca?)";
        else
            reason = why_unreachable(o->server, why, sizeof why);
        if (reason == NULL)
            bridge_log("cannot connect to %s: %s (a TCP connection is made: "
                       "is it a NATS server?)", shown, natsStatus_GetText(s));
        else
            bridge_log("cannot connect to %s: %s", shown, reason);
        natsConnection_Destroy(*nc);
        *nc = NULL;
    } else {
        char url[256] = "";
        natsConnection_GetConnectedUrl(*nc, url, sizeof url);
        bridge_redact(why, sizeof why, url);
        bridge_log("connected to %s", why);
    }
    return s;
}

natsStatus bridge_bucket(jsCtx *js, const char *bucket, bool create,
                         kvStore **kv)
{
    natsStatus s = js_KeyValue(kv, js, bucket);
    if (s == NATS_NOT_FOUND && create) {
        kvConfig cfg;
        kvConfig_Init(&cfg);
        cfg.Bucket = bucket;
        /* the latest value per key is the point, but a watcher that is
         * a little behind should still get every update: a value is kept
         * until 64 newer ones of its key came */
        cfg.History = 64;
        cfg.Description = "seqshm segments (seqshm-bridge)";
        s = js_CreateKeyValue(kv, js, &cfg);
    }
    return s;
}

const char *bucket_why(natsStatus s, char *buf, size_t cap)
{
    if (s == NATS_NO_RESPONDERS)
        return "the server has no JetStream (run it as nats-server -js, or "
               "bridge with --core on both sides)";
    if (s == NATS_NOT_FOUND)
        return "not there yet (the first publisher makes it)";
    snprintf(buf, cap, "%s (does the server run JetStream: nats-server -js?)",
             natsStatus_GetText(s));
    return buf;
}

bool key_ok(const char *key, const char **why)
{
    size_t n = strlen(key);
    if (n == 0 || key[0] == '.' || key[n - 1] == '.' || strstr(key, "..")) {
        *why = "a key cannot begin or end with '.' nor hold '..'";
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        bool fine = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == '=' || c == '/';
        if (!fine) {
            *why = "a key holds only A-Z a-z 0-9 - _ . = /";
            return false;
        }
    }
    return true;
}
