/*
 * packet_stats: the Linux packet socket's own receive/drop counters, for the capture helper.
 *
 * `cap` 0.2.1 does not bind pcap_stats, and the counts libpcap would return live only inside the AF_PACKET socket it
 * opened: sock_diag (`ss -0`) does not report the ring's drops. This addon reads them straight from that socket,
 * found by the caller (kernel-stats.ts) through /proc/self/fd and /proc/net/packet.
 *
 * Kernel semantics (net/packet/af_packet.c, packet_getsockopt, case PACKET_STATISTICS, Linux 5.3 and later):
 *   - the counters are cleared on every read (memset(&po->stats) and atomic_xchg(&po->tp_drops, 0)), so each call
 *     returns what happened since the previous call and the caller accumulates;
 *   - tp_packets is incremented when a packet that passed the socket filter is put in the ring (tpacket_rcv) or
 *     queue (packet_rcv); tp_drops when it passed the filter but found no free slot; the getsockopt adds tp_drops
 *     to tp_packets before returning, so the returned tp_packets already includes the drops;
 *   - packets rejected by the socket's BPF filter are counted nowhere;
 *   - with TPACKET_V3 the answer is a tpacket_stats_v3 (a third counter, tp_freeze_q_cnt: how often the block
 *     queue froze), otherwise a tpacket_stats; the kernel copies min(optlen, its size) bytes and writes the size.
 *
 * Exports (Node-API only, so one binary serves Node and Electron alike):
 *   statistics(fd) -> { packets, drops, freezeQueue?, version }   reads and clears the counters
 *   stopQueueing(fd) -> undefined   attaches a reject-all socket filter: the kernel stops putting packets in the
 *                                   ring (and stops counting them), so the ring can be drained before the final read
 *   pending(fd) -> boolean          whether the ring holds a packet not yet handed to user space (poll(2) POLLIN)
 *   ignoreOutgoing(fd) -> undefined PACKET_IGNORE_OUTGOING (Linux 4.20): the kernel no longer hands this socket the
 *                                   copies of packets the host sends (dev_queue_xmit_nit skips it)
 * Each throws an Error with the errno text (and `code`, e.g. ENOTSOCK, ENOPROTOOPT) when fd is not a packet socket.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <linux/if_packet.h>

#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif

/* Throws `Error(<what>: <strerror>)` with `code` set to the errno name. */
static void throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  const char *code = err == EBADF         ? "EBADF"
                     : err == ENOTSOCK    ? "ENOTSOCK"
                     : err == ENOPROTOOPT ? "ENOPROTOOPT"
                     : err == EINVAL      ? "EINVAL"
                     : err == EPERM       ? "EPERM"
                                          : "EIO";
  napi_throw_error(env, code, message);
}

/* The single integer argument, as a descriptor; false (with an exception pending) when it is not one. */
static int fd_argument(napi_env env, napi_callback_info info, int *fd) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  napi_valuetype type = napi_undefined;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_number) {
    napi_throw_type_error(env, NULL, "expected a file descriptor (a number)");
    return 0;
  }
  int32_t value = -1;
  if (napi_get_value_int32(env, argv[0], &value) != napi_ok || value < 0) {
    napi_throw_range_error(env, NULL, "expected a non-negative file descriptor");
    return 0;
  }
  *fd = value;
  return 1;
}

/* Checks the descriptor is an AF_PACKET socket, so a stale number never reads or filters some other socket. */
static int is_packet_socket(napi_env env, int fd) {
  int domain = 0;
  socklen_t length = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) {
    throw_errno(env, "not a socket", errno);
    return 0;
  }
  if (domain != AF_PACKET) {
    napi_throw_error(env, "ENOTPACKET", "not a packet (AF_PACKET) socket");
    return 0;
  }
  return 1;
}

static void set_uint(napi_env env, napi_value object, const char *name, uint32_t value) {
  napi_value number;
  napi_create_uint32(env, value, &number);
  napi_set_named_property(env, object, name, number);
}

static napi_value statistics(napi_env env, napi_callback_info info) {
  int fd;
  if (!fd_argument(env, info, &fd) || !is_packet_socket(env, fd)) return NULL;
  int version = -1;
  socklen_t version_length = sizeof version;
  /* TPACKET_V1 for a socket without a ring, as the kernel initialises it; only informative. */
  if (getsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, &version_length) != 0) version = -1;
  struct tpacket_stats_v3 counters;
  memset(&counters, 0, sizeof counters);
  socklen_t length = sizeof counters;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &counters, &length) != 0) {
    throw_errno(env, "getsockopt(PACKET_STATISTICS)", errno);
    return NULL;
  }
  if (length < sizeof(struct tpacket_stats)) {
    napi_throw_error(env, "ESHORT", "getsockopt(PACKET_STATISTICS) returned fewer bytes than struct tpacket_stats");
    return NULL;
  }
  napi_value result;
  napi_create_object(env, &result);
  set_uint(env, result, "packets", counters.tp_packets);
  set_uint(env, result, "drops", counters.tp_drops);
  /* Only a TPACKET_V3 socket answers with the third counter. */
  if (length >= sizeof(struct tpacket_stats_v3)) set_uint(env, result, "freezeQueue", counters.tp_freeze_q_cnt);
  napi_value version_value;
  napi_create_int32(env, version, &version_value);
  napi_set_named_property(env, result, "version", version_value);
  return result;
}

static napi_value stop_queueing(napi_env env, napi_callback_info info) {
  int fd;
  if (!fd_argument(env, info, &fd) || !is_packet_socket(env, fd)) return NULL;
  /* Classic BPF "ret #0": accept zero bytes of every packet, i.e. reject all (packet(7), SO_ATTACH_FILTER). The
   * kernel runs the filter before it counts or queues a packet, so from here on nothing new enters the ring. */
  struct sock_filter reject_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  struct sock_fprog program = {.len = 1, .filter = reject_all};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", errno);
    return NULL;
  }
  return NULL;
}

static napi_value pending(napi_env env, napi_callback_info info) {
  int fd;
  if (!fd_argument(env, info, &fd) || !is_packet_socket(env, fd)) return NULL;
  /* For a ring, packet_poll reports POLLIN while the frame the kernel filled last is still owned by user space. */
  struct pollfd entry = {.fd = fd, .events = POLLIN, .revents = 0};
  int ready = poll(&entry, 1, 0);
  if (ready < 0) {
    throw_errno(env, "poll", errno);
    return NULL;
  }
  napi_value result;
  napi_get_boolean(env, ready > 0 && (entry.revents & POLLIN) != 0, &result);
  return result;
}

static napi_value ignore_outgoing(napi_env env, napi_callback_info info) {
  int fd;
  if (!fd_argument(env, info, &fd) || !is_packet_socket(env, fd)) return NULL;
#ifdef PACKET_IGNORE_OUTGOING
  int on = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on) != 0) {
    throw_errno(env, "setsockopt(PACKET_IGNORE_OUTGOING)", errno);
    return NULL;
  }
#else
  throw_errno(env, "setsockopt(PACKET_IGNORE_OUTGOING)", ENOPROTOOPT);
#endif
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"statistics", NULL, statistics, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopQueueing", NULL, stop_queueing, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pending", NULL, pending, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ignoreOutgoing", NULL, ignore_outgoing, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
