/* kvput.c - puts values into the bridge's bucket as any NATS client could,
 * for the tests that play a hostile or odd publisher: each line of standard
 * input is "KEY HEXBYTES", put as that key's value (the bucket is made if
 * absent, as the bridge makes it).
 *   kvput URL BUCKET < lines
 * Exit 0 when every put was acknowledged. */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: kvput URL BUCKET < 'KEY HEX' lines\n");
        return 2;
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    kvStore *kv = NULL;
    if (natsConnection_ConnectTo(&nc, argv[1]) != NATS_OK ||
        natsConnection_JetStream(&js, nc, NULL) != NATS_OK) {
        fprintf(stderr, "kvput: cannot connect to %s\n", argv[1]);
        return 1;
    }
    if (js_KeyValue(&kv, js, argv[2]) != NATS_OK) {
        kvConfig cfg;
        kvConfig_Init(&cfg);
        cfg.Bucket = argv[2];
        cfg.History = 64;
        if (js_CreateKeyValue(&kv, js, &cfg) != NATS_OK) {
            fprintf(stderr, "kvput: no bucket %s\n", argv[2]);
            return 1;
        }
    }
    static char line[1 << 22];
    static unsigned char value[1 << 21];
    int rc = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        char *sp = strchr(line, ' ');
        if (sp == NULL)
            continue;
        *sp = '\0';
        size_t n = 0;
        for (char *p = sp + 1; hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 2)
            value[n++] = (unsigned char)(hexval(p[0]) << 4 | hexval(p[1]));
        uint64_t rev = 0;
        if (kvStore_Put(&rev, kv, line, value, (int)n) != NATS_OK) {
            fprintf(stderr, "kvput: put %s refused\n", line);
            rc = 1;
        }
    }
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    nats_Close();
    return rc;
}
