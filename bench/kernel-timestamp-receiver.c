/*
 * A cheap loopback receiver for the media benchmark, to check the Node one:
 * the kernel stamps every datagram as it is queued on the socket
 * (SO_TIMESTAMPNS; on loopback that is inside the sender's send call), so
 * the intervals it measures do not depend on when this process gets to run.
 * It also measures the intervals as seen when recvmmsg() returns, which is
 * what a user-space receiver (the Node one) can see at best.
 *
 * Waiting on the socket costs the sender too: on loopback each datagram
 * that finds this process asleep makes the sender's send call wake it. With
 * a drain interval (argument, in ms) the receiver does not wait on the socket
 * but wakes on its own every interval and reads what has queued: the sender
 * then pays for the send alone, as it does towards a real network peer, and
 * the kernel timestamps are as exact.
 *
 * stdout: "port N" once bound, then one JSON line per "stop" read on stdin.
 * stdin: "start" (reset and measure), "stop" (report), "exit".
 *
 *   cc -O2 -o kernel-timestamp-receiver kernel-timestamp-receiver.c
 *   kernel-timestamp-receiver [drain-interval-ms]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SLOTS 8192 /* streams: power of two, more than the benchmark uses */
#define BIN_NS 10000 /* 0.01 ms */
#define BINS 10000

struct stream {
  uint32_t ssrc;
  int used;
  int64_t last_kernel;
  int64_t last_user;
  uint16_t last_seq;
};

struct hist {
  uint32_t bins[BINS];
  uint64_t n;
  int64_t max;
};

static struct stream streams[SLOTS];
static struct hist kernel_hist, user_hist;
static uint64_t packets, lost, stream_count;
static int measuring;

static struct stream *find(uint32_t ssrc) {
  uint32_t i = (ssrc * 2654435761u) & (SLOTS - 1);
  for (int probes = 0; probes < SLOTS; probes++, i = (i + 1) & (SLOTS - 1)) {
    if (!streams[i].used) {
      streams[i].used = 1;
      streams[i].ssrc = ssrc;
      streams[i].last_kernel = -1;
      stream_count++;
      return &streams[i];
    }
    if (streams[i].ssrc == ssrc) return &streams[i];
  }
  return NULL;
}

static void add(struct hist *h, int64_t interval_ns) {
  int64_t dev = interval_ns - 20000000;
  if (dev < 0) dev = -dev;
  int64_t bin = dev / BIN_NS;
  h->bins[bin < BINS ? bin : BINS - 1]++;
  h->n++;
  if (dev > h->max) h->max = dev;
}

static double percentile(const struct hist *h, double p) {
  uint64_t target = (uint64_t)(h->n * p + 0.999999), acc = 0;
  for (int i = 0; i < BINS; i++) {
    acc += h->bins[i];
    if (acc >= target) return (i + 0.5) * BIN_NS / 1e6;
  }
  return BINS * (double)BIN_NS / 1e6;
}

static void print_hist(const char *name, const struct hist *h) {
  printf("\"%s\":{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}", name, percentile(h, 0.5),
         percentile(h, 0.99), percentile(h, 0.999), h->max / 1e6);
}

static int64_t ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static void on_packet(const unsigned char *p, size_t len, int64_t kernel, int64_t user) {
  /* RTCP multiplexed on the port (RFC 5761) is not part of the measure. */
  if (len < 12 || (p[1] >= 192 && p[1] <= 223)) return;
  uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
  uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
  struct stream *s = find(ssrc);
  if (!s) return;
  if (measuring && s->last_kernel >= 0) {
    add(&kernel_hist, kernel - s->last_kernel);
    add(&user_hist, user - s->last_user);
    packets++;
    uint16_t gap = (uint16_t)(seq - s->last_seq);
    if (gap > 1 && gap < 1000) lost += gap - 1;
  }
  s->last_kernel = kernel;
  s->last_user = user;
  s->last_seq = seq;
}

static void reset(void) {
  memset(streams, 0, sizeof streams);
  memset(&kernel_hist, 0, sizeof kernel_hist);
  memset(&user_hist, 0, sizeof user_hist);
  packets = lost = stream_count = 0;
}

int main(int argc, char **argv) {
  int drain_ms = argc > 1 ? atoi(argv[1]) : 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1, rcvbuf = 16 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  socklen_t alen = sizeof addr;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || getsockname(fd, (struct sockaddr *)&addr, &alen) < 0) {
    perror("bind");
    return 1;
  }
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  static unsigned char bufs[BATCH][1600];
  static char ctrl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
  struct mmsghdr msgs[BATCH];
  struct iovec iovs[BATCH];
  struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
  char line[64];
  size_t line_len = 0;

  for (;;) {
    if (drain_ms > 0) {
      fds[0].revents = POLLIN;
      if (poll(fds + 1, 1, drain_ms) < 0) continue;
    } else if (poll(fds, 2, -1) < 0) {
      continue;
    }
    if (fds[0].revents & POLLIN) {
      for (;;) {
        for (int i = 0; i < BATCH; i++) {
          iovs[i] = (struct iovec){.iov_base = bufs[i], .iov_len = sizeof bufs[i]};
          msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iovs[i], .msg_iovlen = 1, .msg_control = ctrl[i],
                                            .msg_controllen = sizeof ctrl[i]};
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) break;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        for (int i = 0; i < n; i++) {
          int64_t kernel = ns(&now);
          for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS)
              kernel = ns((const struct timespec *)CMSG_DATA(c));
          on_packet(bufs[i], msgs[i].msg_len, kernel, ns(&now));
        }
        if (n < BATCH) break;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, line + line_len, sizeof line - 1 - line_len);
      if (r <= 0) return 0;
      line_len += (size_t)r;
      char *nl;
      while ((nl = memchr(line, '\n', line_len))) {
        *nl = 0;
        if (!strcmp(line, "start")) {
          reset();
          measuring = 1;
        } else if (!strcmp(line, "stop")) {
          measuring = 0;
          printf("{\"streams\":%llu,\"packets\":%llu,\"lost\":%llu,\"intervals\":%llu,", (unsigned long long)stream_count,
                 (unsigned long long)packets, (unsigned long long)lost, (unsigned long long)kernel_hist.n);
          print_hist("deviationMs", &kernel_hist);
          printf(",");
          print_hist("userDeviationMs", &user_hist);
          printf("}\n");
          fflush(stdout);
        } else if (!strcmp(line, "exit")) {
          return 0;
        }
        size_t used = (size_t)(nl - line) + 1;
        memmove(line, nl + 1, line_len - used);
        line_len -= used;
      }
      if (line_len == sizeof line - 1) line_len = 0;
    }
  }
}
