/* tool.h - what the seqshm tool's command files share (seqshm.c). */
#ifndef SEQSHM_TOOL_H
#define SEQSHM_TOOL_H

#include "seqshm.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

enum fmt { HEX, RAW, U8, I32, U64, F32, F64 };

extern volatile sig_atomic_t stop_requested; /* set by SIGINT and SIGTERM */
void catch_stop_signals(void);
/* "seqshm: CMD NAME: <status> (SEQSHM_X)" on stderr; returns 1 */
int fail(const char *cmd, const char *name, int st);
const char *bare(const char *name); /* without a leading '/' */
bool parse_format(const char *s, enum fmt *f);
/* The payload as one line: hex pairs, or elements of format f. */
void print_line(enum fmt f, const unsigned char *buf, size_t n);

/* follow.c */
int cmd_tail(const char *name, enum fmt f, long count);
int cmd_record(const char *name, const char *file, long count);
int cmd_replay(const char *file, const char *name, double speed);

#endif
