/* Every open connection, with the deadline of what it is doing (issue 11).
 *
 * libmicrohttpd 0.9.75 only has an idle timeout, which a client resets with every byte:
 * one header line every few seconds holds a connection for ever, and a thousand such
 * connections take them all. Here each connection is in a phase with an absolute
 * deadline: its headers (from accept, or from the end of its previous reply) within
 * header_timeout, its body within body_timeout. A reaper thread shuts down the socket of
 * a connection past its deadline; libmicrohttpd then sees the end of the stream and closes
 * it in its own thread. shutdown(2) never closes the descriptor, and a connection leaves
 * the list (under the lock) in the CLOSED notification, before libmicrohttpd closes the
 * descriptor, so the reaper never touches a descriptor that was reused.
 *
 * The accept policy keeps a share of connections for addresses that are not flooding:
 * past busy_connections_percent of max_connections, an address that already holds
 * busy_per_ip_connections is refused at accept. */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/log.h"

struct conn {
	struct conn	*next, *prev;
	int		 fd;
	int		 reaped;
	char		 ip[64];
	_Atomic int	 phase;
	_Atomic int64_t	 since_us;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct conn *head;
static size_t nconns;
static int64_t header_us, body_us;
static size_t busy_at, busy_per_ip;
static char proxy[64];	/* trusted_proxy: never refused for its share */
static pthread_t reaper;
static int running;
static atomic_ullong reaped_total, refused_total;

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
http_addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	snprintf(out, outlen, "unknown");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		    (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)outlen);
}

enum MHD_Result
conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	char ip[64];
	struct conn *c;
	size_t mine = 0;
	enum MHD_Result ok = MHD_YES;

	pthread_mutex_lock(&mu);
	http_addr_text(addr, ip, sizeof(ip));
	if (nconns >= busy_at && strcmp(ip, proxy) != 0) {
		for (c = head; c != NULL && mine < busy_per_ip; c = c->next)
			if (strcmp(c->ip, ip) == 0)
				mine++;
		if (mine >= busy_per_ip)
			ok = MHD_NO;
	}
	pthread_mutex_unlock(&mu);
	if (ok == MHD_NO)
		atomic_fetch_add(&refused_total, 1);
	return ok;
}

void
conns_notify(void *cls, struct MHD_Connection *mc, void **ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct conn *c = *ctx;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return;
		ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		c->fd = ci != NULL ? ci->connect_fd : -1;
		ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		http_addr_text(ci != NULL ? ci->client_addr : NULL, c->ip, sizeof(c->ip));
		atomic_store(&c->phase, CONN_HEADERS);
		atomic_store(&c->since_us, mono_us());
		pthread_mutex_lock(&mu);
		c->next = head;
		if (head != NULL)
			head->prev = c;
		head = c;
		nconns++;
		pthread_mutex_unlock(&mu);
		*ctx = c;
		return;
	}
	if (c == NULL)
		return;
	pthread_mutex_lock(&mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	nconns--;
	pthread_mutex_unlock(&mu);
	free(c);
	*ctx = NULL;
}

void
conns_phase(struct MHD_Connection *mc, enum conn_phase p)
{
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (c = ci->socket_context) == NULL)
		return;
	atomic_store(&c->since_us, mono_us());
	atomic_store(&c->phase, (int)p);
}

static void *
reap(void *arg)
{
	struct timespec ts;
	struct conn *c;
	int64_t now, limit;
	unsigned n;

	pthread_mutex_lock(&mu);
	while (running) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&wake, &mu, &ts);
		now = mono_us();
		n = 0;
		for (c = head; c != NULL; c = c->next) {
			int p = atomic_load(&c->phase);

			limit = p == CONN_HEADERS ? header_us : p == CONN_BODY ? body_us : 0;
			if (limit == 0 || c->reaped || c->fd < 0 ||
			    now - atomic_load(&c->since_us) <= limit)
				continue;
			shutdown(c->fd, SHUT_RDWR);
			c->reaped = 1;
			n++;
		}
		if (n > 0) {
			atomic_fetch_add(&reaped_total, n);
			log_info("closed %u connections past their %s deadline", n,
			    "header or body");
		}
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
conns_start(const struct config *cfg)
{
	header_us = cfg->header_timeout * 1000000;
	body_us = cfg->body_timeout * 1000000;
	busy_at = (size_t)(cfg->max_connections * cfg->busy_connections_percent / 100);
	busy_per_ip = (size_t)cfg->busy_per_ip_connections;
	snprintf(proxy, sizeof(proxy), "%s", cfg->trusted_proxy);
	running = 1;
	if (pthread_create(&reaper, NULL, reap, NULL) != 0) {
		running = 0;
		return -1;
	}
	return 0;
}

void
conns_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	running = 0;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&mu);
	pthread_join(reaper, NULL);
	if (atomic_load(&reaped_total) || atomic_load(&refused_total))
		log_info("connections: %llu closed past a deadline, %llu refused while busy",
		    atomic_load(&reaped_total), atomic_load(&refused_total));
}
