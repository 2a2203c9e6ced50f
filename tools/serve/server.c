/* server.c - `seqshm serve`: one libwebsockets context on --bind:--port
 * (127.0.0.1:8765 by default: other hosts only when asked), speaking
 * foxglove.websocket.v1 to WebSocket clients (clients.c) and answering
 * plain HTTP GET / with the page (page.html). The service thread also
 * rescans the segments twice a second (channels.c). */
#include "serve.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCAN_US 500000 /* a look for new and gone segments */

struct page_state {
    size_t sent; /* bytes of the page written */
};

static struct server *server_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

static void on_scan(lws_sorted_usec_list_t *sul)
{
    struct server *srv = lws_container_of(sul, struct server, scan_timer);
    channels_scan(srv);
    lws_sul_schedule(srv->ctx, 0, &srv->scan_timer, on_scan, SCAN_US);
}

/* HTTP: GET / is the page; anything else is 404. Written in pieces, one
 * per writable turn. */
static int on_http(struct lws *wsi, enum lws_callback_reasons reason,
                   void *user, void *in, size_t len)
{
    struct page_state *ps = user;
    unsigned char head[LWS_PRE + 512], *start = head + LWS_PRE, *p = start,
                  *end = head + sizeof head - 1;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        const char *uri = in;
        bool page = len == 1 && uri[0] == '/';
        if (!page) {
            lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
            return lws_http_transaction_completed(wsi) ? -1 : 0;
        }
        ps->sent = 0;
        if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
                                        "text/html; charset=utf-8",
                                        serve_page_len, &p, end) ||
            lws_add_http_header_by_token(
                wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                (const unsigned char *)"no-store", 8, &p, end) ||
            lws_finalize_write_http_header(wsi, start, &p, end))
            return 1;
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        unsigned char buf[LWS_PRE + 4096];
        size_t n = serve_page_len - ps->sent;
        if (n > 4096)
            n = 4096;
        memcpy(buf + LWS_PRE, serve_page + ps->sent, n);
        ps->sent += n;
        bool last = ps->sent == serve_page_len;
        if (lws_write(wsi, buf + LWS_PRE, n,
                      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
            return 1;
        if (!last) {
            lws_callback_on_writable(wsi);
            return 0;
        }
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: /* a follower pushed: the
                                               clients with more to send */
        atomic_store(&server_of(wsi)->woken, false);
        lws_callback_on_writable_all_protocol(
            lws_get_context(wsi),
            lws_vhost_name_to_protocol(lws_get_vhost(wsi), SERVE_PROTOCOL));
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static int on_foxglove(struct lws *wsi, enum lws_callback_reasons reason,
                       void *user, void *in, size_t len)
{
    struct client *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        client_open(c, wsi, server_of(wsi));
        return 0;
    case LWS_CALLBACK_RECEIVE:
        client_receive(c, in, len, !lws_frame_is_binary(wsi),
                       lws_is_first_fragment(wsi),
                       lws_is_final_fragment(wsi));
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return client_writable(c);
    case LWS_CALLBACK_CLOSED:
        client_close(c);
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"http", on_http, sizeof(struct page_state), 0, 0, NULL, 0},
    {SERVE_PROTOCOL, on_foxglove, sizeof(struct client), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static uint64_t now_realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int cmd_serve(const char *const *patterns, int npatterns, int port,
              const char *bind, double max_rate)
{
    struct server srv = {.patterns = patterns, .npatterns = npatterns,
                         .max_rate = max_rate, .session = now_realtime()};
    atomic_init(&srv.woken, false);
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = bind;
    info.protocols = protocols;
    info.user = &srv;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6 * (strchr(bind, ':') == NULL);
    srv.ctx = lws_create_context(&info);
    if (srv.ctx == NULL) {
        fprintf(stderr, "seqshm: serve: cannot listen on %s port %d (in use, "
                        "or not an address of this host)\n", bind, port);
        return 1;
    }
    catch_stop_signals();
    channels_scan(&srv);
    lws_sul_schedule(srv.ctx, 0, &srv.scan_timer, on_scan, SCAN_US);
    fprintf(stderr, "seqshm: serving %zu segment%s on ws://%s:%d (%s); the "
                    "page: http://%s:%d/\n", srv.nch, srv.nch == 1 ? "" : "s",
            bind, port, SERVE_PROTOCOL, bind, port);
    while (!stop_requested)
        if (lws_service(srv.ctx, 0) < 0)
            break;
    lws_sul_cancel(&srv.scan_timer);
    lws_context_destroy(srv.ctx); /* closes the clients: client_close */
    channels_free(&srv);
    fprintf(stderr, "seqshm: serve: stopped\n");
    return 0;
}
