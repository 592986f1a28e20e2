/*
 * wire_floor.c — the floor of one DynamoDB request over loopback HTTP/1.1.
 *
 * A minimal client: one keep-alive TCP connection, a prebuilt GetItem request (no signing, no
 * JSON parsing, no allocation), blocking write/read, one request at a time. What it measures is
 * what any client must pay for HTTP on this machine (two sockets, two process wake-ups) plus
 * the server's own cost, so that the Swift remote engine's share can be told apart from the
 * transport's (Docs/Performance.md, "The remote engine"). Run by scripts/benchmark-wire-floor.sh.
 *
 * Usage: wire_floor PORT REQUESTS
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int port;
static int sock;
static char buffer[1 << 16];

static int compare(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* Sends one operation and reads its whole answer; returns the HTTP status. */
static int call(const char *target, const char *body) {
    char request[4096];
    int length = snprintf(request, sizeof request,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-amz-json-1.0\r\n"
        "X-Amz-Target: DynamoDB_20120810.%s\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=floor/20261202/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=00\r\nX-Amz-Date: 20261202T000000Z\r\n"
        "Content-Length: %zu\r\n\r\n%s", port, target, strlen(body), body);
    if (write(sock, request, length) != length) { perror("write"); exit(2); }
    int got = 0;
    for (;;) {
        int n = (int)read(sock, buffer + got, sizeof buffer - 1 - got);
        if (n <= 0) { perror("read"); exit(3); }
        got += n;
        buffer[got] = 0;
        char *end = strstr(buffer, "\r\n\r\n");
        if (!end) continue;
        char *declared = strcasestr(buffer, "content-length:");
        if (!declared) { fprintf(stderr, "no Content-Length\n"); exit(4); }
        if (got >= (end - buffer) + 4 + atoi(declared + 15)) break;
    }
    return atoi(buffer + 9);
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: wire_floor PORT REQUESTS\n"); return 1; }
    port = atoi(argv[1]);
    int count = atoi(argv[2]);
    sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001) };
    if (connect(sock, (struct sockaddr *)&address, sizeof address)) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    call("CreateTable", "{\"TableName\":\"Floor\",\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"}]}");
    if (call("PutItem", "{\"TableName\":\"Floor\",\"Item\":{\"PK\":{\"S\":\"USER#1\"},\"SK\":{\"S\":\"FILE#1\"},"
        "\"name\":{\"S\":\"report-2026.pdf\"},\"size\":{\"N\":\"12345\"},\"owner\":{\"S\":\"user-1\"}}}") != 200) {
        fprintf(stderr, "PutItem: %.300s\n", buffer);
        return 4;
    }
    const char *get = "{\"TableName\":\"Floor\",\"Key\":{\"PK\":{\"S\":\"USER#1\"},\"SK\":{\"S\":\"FILE#1\"}},\"ConsistentRead\":true}";
    long *times = malloc(sizeof(long) * count);
    for (int i = -500; i < count; i++) {   /* 500 warm-up requests */
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        if (call("GetItem", get) != 200) { fprintf(stderr, "GetItem: %.300s\n", buffer); return 4; }
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (i >= 0) times[i] = (end.tv_sec - start.tv_sec) * 1000000000L + (end.tv_nsec - start.tv_nsec);
    }
    qsort(times, count, sizeof(long), compare);
    printf("GetItem over loopback HTTP, minimal C client: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs (%d requests)\n",
           times[count / 2] / 1000.0, times[count * 9 / 10] / 1000.0, times[count * 99 / 100] / 1000.0, count);
    return 0;
}
