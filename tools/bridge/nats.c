/* nats.c - the connection: options passed through (servers, user and
 * password, credentials file, CA file for TLS), reconnecting for ever once
 * connected (a server that goes away and comes back is waited for; the
 * client buffers nothing we rely on: every put is retried by its caller),
 * and the bucket. */
#include "bridge.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void on_disconnected(natsConnection *nc, void *verbose)
{
    (void)nc;
    if (*(const bool *)verbose)
        fprintf(stderr, "seqshm-bridge: disconnected; reconnecting\n");
}

static void on_reconnected(natsConnection *nc, void *verbose)
{
    (void)nc;
    if (*(const bool *)verbose)
        fprintf(stderr, "seqshm-bridge: reconnected\n");
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
    if (s != NATS_OK) {
        fprintf(stderr, "seqshm-bridge: cannot connect to %s: %s (%s)\n",
                o->server, natsStatus_GetText(s), nats_GetLastError(NULL));
        natsConnection_Destroy(*nc);
        *nc = NULL;
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
