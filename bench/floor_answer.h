/*
 * floor_answer.h - the fixed answer of the benchmark's floors (floor.c,
 * floor_linked.c, floor_fcgi.c): the headers the real CGIs send and a
 * short JSON body, so that every floor writes the same bytes.
 */
#ifndef FLOOR_ANSWER_H
#define FLOOR_ANSWER_H

static const char floor_answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    "{\"status\":\"ok\"}\n";

#endif
