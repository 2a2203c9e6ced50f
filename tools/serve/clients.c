/* clients.c - the Foxglove WebSocket protocol with one client: serverInfo
 * and the channels advertised when it connects, channels advertised and
 * unadvertised as segments come and go, its subscribe and unsubscribe
 * requests, and message data frames (opcode 1, subscription id, timestamp,
 * the value as JSON).
 *
 * A client is never trusted: a request that is not JSON, names an unknown
 * channel or subscription, reuses a subscription id or asks what this
 * server does not do is answered with a status message and otherwise
 * ignored; one too long (MAX_REQUEST), or a client that lets more than
 * MAX_QUEUED messages pile up unread, is disconnected. Nothing a client
 * sends reaches a segment. Frames go out up to 32 a writable turn while the
 * socket takes them, taking the subscriptions in turn; a client too slow for a channel's ring skips
 * ahead to the oldest version still kept (its subscription counts what it
 * lost). */
#include "serve.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ sending */

/* Queues a text message (a whole JSON object); false if the client let too
 * many pile up, or memory ran out: then it is closed. */
static bool enqueue(struct client *c, const struct text *t)
{
    if (c->closing)
        return false;
    struct queued *q = t->failed || c->nqueued >= MAX_QUEUED
                           ? NULL
                           : malloc(sizeof *q + LWS_PRE + t->len);
    if (q == NULL) { /* it does not read: closed at once */
        c->closing = true;
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return false;
    }
    q->next = NULL;
    q->len = t->len;
    memcpy(q->data + LWS_PRE, t->p, t->len);
    if (c->q_tail != NULL)
        c->q_tail->next = q;
    else
        c->q = q;
    c->q_tail = q;
    c->nqueued++;
    lws_callback_on_writable(c->wsi);
    return true;
}

static void status(struct client *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void status(struct client *c, int level, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct text t = {0};
    text_add(&t, "{\"op\": \"status\", \"level\": %d, \"message\": ", level);
    text_quoted(&t, (const unsigned char *)msg, strlen(msg));
    text_add(&t, "}");
    enqueue(c, &t);
    text_free(&t);
}

static void advertise(struct client *c, struct channel *const *ch, size_t n)
{
    struct text t = {0};
    text_add(&t, "{\"op\": \"advertise\", \"channels\": [");
    for (size_t i = 0; i < n; i++) {
        text_add(&t, "%s{\"id\": %" PRIu32 ", \"topic\": ", i ? ", " : "",
                 ch[i]->id);
        text_quoted(&t, (const unsigned char *)ch[i]->name,
                    strlen(ch[i]->name));
        text_add(&t, ", \"encoding\": \"json\", \"schemaName\": ");
        text_quoted(&t, (const unsigned char *)ch[i]->name,
                    strlen(ch[i]->name));
        text_add(&t, ", \"schemaEncoding\": \"jsonschema\", \"schema\": ");
        text_quoted(&t, (const unsigned char *)ch[i]->schema.p,
                    ch[i]->schema.len);
        text_add(&t, "}");
    }
    text_add(&t, "]}");
    enqueue(c, &t);
    text_free(&t);
}

void clients_advertise(struct server *srv, struct channel *const *ch, size_t n)
{
    for (struct client *c = srv->clients; c != NULL; c = c->next)
        advertise(c, ch, n);
}

static void drop_sub(struct client *c, size_t i)
{
    channel_release(c->subs[i].ch);
    c->subs[i] = c->subs[--c->nsubs];
}

void clients_unadvertise(struct server *srv, const struct channel *ch)
{
    for (struct client *c = srv->clients; c != NULL; c = c->next) {
        for (size_t i = 0; i < c->nsubs;)
            if (c->subs[i].ch == ch)
                drop_sub(c, i);
            else
                i++;
        struct text t = {0};
        text_add(&t, "{\"op\": \"unadvertise\", \"channelIds\": [%" PRIu32
                     "]}", ch->id);
        enqueue(c, &t);
        text_free(&t);
    }
}

void client_open(struct client *c, struct lws *wsi, struct server *srv)
{
    memset(c, 0, sizeof *c);
    c->wsi = wsi;
    c->srv = srv;
    c->next = srv->clients;
    srv->clients = c;
    struct text t = {0};
    text_add(&t, "{\"op\": \"serverInfo\", \"name\": \"seqshm %s\", "
                 "\"capabilities\": [], \"metadata\": {\"max_rate\": "
                 "\"%g\"}, \"sessionId\": \"%" PRIu64 "\"}",
             SEQSHM_VERSION, srv->max_rate, srv->session);
    enqueue(c, &t);
    text_free(&t);
    advertise(c, srv->ch, srv->nch); /* always one, even with none */
}

void client_close(struct client *c)
{
    for (struct client **p = &c->srv->clients; *p != NULL; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    while (c->nsubs > 0)
        drop_sub(c, c->nsubs - 1);
    free(c->subs);
    while (c->q != NULL) {
        struct queued *q = c->q;
        c->q = q->next;
        free(q);
    }
    text_free(&c->rx);
    free(c->frame);
}

/* The next frame of a subscription that has one into c->frame; its length,
 * 0 if none has. */
static size_t next_frame(struct client *c)
{
    for (size_t k = 0; k < c->nsubs; k++) {
        struct sub *s = &c->subs[(c->turn + k) % c->nsubs];
        struct channel *ch = s->ch;
        pthread_mutex_lock(&ch->lock);
        if (s->next >= ch->head) {
            pthread_mutex_unlock(&ch->lock);
            continue;
        }
        if (ch->head - s->next > RING) { /* too slow: the oldest kept */
            s->lost += ch->head - RING - s->next;
            s->next = ch->head - RING;
        }
        const struct msg *m = &ch->ring[s->next % RING];
        size_t len = 13 + m->len;
        if (LWS_PRE + len > c->frame_cap) {
            unsigned char *f = realloc(c->frame, LWS_PRE + len);
            if (f == NULL) {
                pthread_mutex_unlock(&ch->lock);
                return 0;
            }
            c->frame = f;
            c->frame_cap = LWS_PRE + len;
        }
        unsigned char *p = c->frame + LWS_PRE;
        p[0] = 1; /* message data */
        for (int i = 0; i < 4; i++)
            p[1 + i] = (unsigned char)(s->id >> (8 * i));
        for (int i = 0; i < 8; i++)
            p[5 + i] = (unsigned char)(m->time_ns >> (8 * i));
        memcpy(p + 13, m->json, m->len);
        s->next++;
        pthread_mutex_unlock(&ch->lock);
        c->turn = (c->turn + k + 1) % c->nsubs;
        return len;
    }
    return 0;
}

static bool pending(struct client *c)
{
    if (c->q != NULL)
        return true;
    for (size_t i = 0; i < c->nsubs; i++) {
        struct channel *ch = c->subs[i].ch;
        pthread_mutex_lock(&ch->lock);
        bool more = c->subs[i].next < ch->head;
        pthread_mutex_unlock(&ch->lock);
        if (more)
            return true;
    }
    return false;
}

int client_writable(struct client *c)
{
    if (c->q != NULL) {
        struct queued *q = c->q;
        int n = lws_write(c->wsi, q->data + LWS_PRE, q->len, LWS_WRITE_TEXT);
        c->q = q->next;
        if (c->q == NULL)
            c->q_tail = NULL;
        c->nqueued--;
        free(q);
        if (n < 0 || (c->closing && c->q == NULL)) /* its last word said */
            return -1;
    } else if (c->closing) {
        return -1;
    } else { /* frames while the socket takes them, a few a turn */
        for (int k = 0; k < 32; k++) {
            size_t len = next_frame(c);
            if (len == 0)
                break;
            if (lws_write(c->wsi, c->frame + LWS_PRE, len,
                          LWS_WRITE_BINARY) < 0)
                return -1;
            if (lws_send_pipe_choked(c->wsi))
                break;
        }
    }
    if (pending(c))
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* ----------------------------------------------------------- receiving */

enum { P_OP = 1, P_SUB_ID, P_SUB_CHANNEL, P_UNSUB_ID };
static const char *const paths[] = {
    "op", "subscriptions[].id", "subscriptions[].channelId",
    "subscriptionIds[]",
};

struct request {
    char op[32];
    struct { int64_t id, channel; } subs[64];
    int64_t unsubs[64];
    size_t nsubs, nunsubs;
    const char *bad; /* why the request is refused, or NULL */
};

/* A number in [0, 2^32) from the parser's buffer, or -1. */
static int64_t id_value(const struct lejp_ctx *ctx, char reason)
{
    if (reason != LEJPCB_VAL_NUM_INT || ctx->buf[0] == '-' ||
        strlen(ctx->buf) > 10)
        return -1;
    long long v = atoll(ctx->buf);
    return v <= 0xffffffffLL ? v : -1;
}

static signed char on_json(struct lejp_ctx *ctx, char reason)
{
    struct request *r = ctx->user;
    if (!(reason & LEJP_FLAG_CB_IS_VALUE))
        return 0;
    int match = ctx->path_match; /* lejp leaves it 0 for the elements of
                                    an array of scalars: by the path then */
    for (size_t k = 0; match == 0 && k < LWS_ARRAY_SIZE(paths); k++)
        if (strcmp(ctx->path, paths[k]) == 0)
            match = (int)k + 1;
    size_t i = ctx->ipos > 0 ? ctx->i[ctx->ipos - 1] : 0;
    switch (match) {
    case P_OP:
        if (reason != LEJPCB_VAL_STR_END || strlen(ctx->buf) >= sizeof r->op)
            r->bad = "\"op\" is not a known operation";
        else
            snprintf(r->op, sizeof r->op, "%s", ctx->buf);
        break;
    case P_SUB_ID:
    case P_SUB_CHANNEL:
        if (i >= 64) {
            r->bad = "more than 64 subscriptions in one request";
            return 0;
        }
        if (i >= r->nsubs) {
            for (size_t k = r->nsubs; k <= i; k++)
                r->subs[k].id = r->subs[k].channel = -2; /* missing */
            r->nsubs = i + 1;
        }
        if (id_value(ctx, reason) < 0)
            r->bad = "ids are integers from 0 to 4294967295";
        else if (match == P_SUB_ID)
            r->subs[i].id = id_value(ctx, reason);
        else
            r->subs[i].channel = id_value(ctx, reason);
        break;
    case P_UNSUB_ID:
        if (i >= 64)
            r->bad = "more than 64 ids in one request";
        else if (id_value(ctx, reason) < 0)
            r->bad = "ids are integers from 0 to 4294967295";
        else
            r->unsubs[r->nunsubs++] = id_value(ctx, reason);
        break;
    default:
        break;
    }
    return 0;
}

static struct sub *sub_by_id(struct client *c, int64_t id)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (c->subs[i].id == id)
            return &c->subs[i];
    return NULL;
}

static void subscribe(struct client *c, int64_t id, int64_t channel)
{
    struct channel *ch = channel >= 0 ? channel_by_id(c->srv, (uint32_t)channel)
                                      : NULL;
    if (id < 0 || channel < 0) {
        status(c, 2, "subscribe: each subscription needs an id and a "
                     "channelId");
        return;
    }
    if (ch == NULL) {
        status(c, 2, "subscribe: no channel %" PRId64, channel);
        return;
    }
    if (sub_by_id(c, id) != NULL) {
        status(c, 2, "subscribe: subscription id %" PRId64 " is in use",
               id);
        return;
    }
    for (size_t i = 0; i < c->nsubs; i++)
        if (c->subs[i].ch == ch) {
            status(c, 2, "subscribe: channel %" PRId64 " is subscribed "
                         "already", channel);
            return;
        }
    if (c->nsubs >= MAX_SUBS) {
        status(c, 2, "subscribe: at most %d subscriptions", MAX_SUBS);
        return;
    }
    if (c->nsubs == c->capsubs) {
        size_t cap = c->capsubs ? 2 * c->capsubs : 8;
        struct sub *s = realloc(c->subs, cap * sizeof *s);
        if (s == NULL)
            return;
        c->subs = s;
        c->capsubs = cap;
    }
    if (channel_hold(ch) != 0) {
        status(c, 2, "subscribe: channel %" PRId64 ": no thread to follow "
                     "it", channel);
        return;
    }
    pthread_mutex_lock(&ch->lock); /* from the newest version kept */
    uint64_t next = ch->head > 0 ? ch->head - 1 : 0;
    pthread_mutex_unlock(&ch->lock);
    c->subs[c->nsubs++] = (struct sub){.id = (uint32_t)id, .ch = ch,
                                       .next = next};
    lws_callback_on_writable(c->wsi);
}

static void handle(struct client *c, const unsigned char *json, size_t len)
{
    struct request r;
    memset(&r, 0, sizeof r);
    struct lejp_ctx ctx;
    lejp_construct(&ctx, on_json, &r, paths, LWS_ARRAY_SIZE(paths));
    int rc = lejp_parse(&ctx, json, (int)len);
    lejp_destruct(&ctx);
    if (rc < 0 && rc != LEJP_CONTINUE) {
        status(c, 2, "not a JSON object: %s", lejp_error_to_string(rc));
        return;
    }
    if (rc == LEJP_CONTINUE) {
        status(c, 2, "not a whole JSON object");
        return;
    }
    if (r.bad != NULL) {
        status(c, 2, "%s: %s", r.op[0] ? r.op : "request", r.bad);
        return;
    }
    if (strcmp(r.op, "subscribe") == 0) {
        for (size_t i = 0; i < r.nsubs; i++)
            subscribe(c, r.subs[i].id, r.subs[i].channel);
    } else if (strcmp(r.op, "unsubscribe") == 0) {
        for (size_t i = 0; i < r.nunsubs; i++) {
            struct sub *s = sub_by_id(c, r.unsubs[i]);
            if (s == NULL)
                status(c, 1, "unsubscribe: no subscription %" PRId64,
                       r.unsubs[i]);
            else
                drop_sub(c, (size_t)(s - c->subs));
        }
    } else if (r.op[0] == '\0') {
        status(c, 2, "a request names its operation in \"op\"");
    } else {
        status(c, 1, "%s: not supported by this server (it serves "
                     "segments read-only)", r.op);
    }
}

void client_receive(struct client *c, const void *in, size_t len, bool text,
                    bool first, bool final)
{
    if (!text) {
        if (first)
            status(c, 2, "binary messages (client publishing) are not "
                         "supported: segments are served read-only");
        return;
    }
    if (first)
        c->rx.len = 0;
    if (c->closing)
        return;
    if (c->rx.len + len > MAX_REQUEST) {
        status(c, 2, "a request longer than %d bytes; closing", MAX_REQUEST);
        c->closing = true; /* once that status is sent */
        return;
    }
    text_add(&c->rx, "%.*s", (int)len, (const char *)in);
    if (final && !c->rx.failed)
        handle(c, (const unsigned char *)c->rx.p, c->rx.len);
}
