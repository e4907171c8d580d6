/* Where OTP messages go (API.md, "OTP delivery"): an outbox file of JSON lines, or a JSON
 * POST to an SMS gateway where any answer but 2xx, or a timeout, means not sent. */
#include "auth/otp.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util/fsx.h"
#include "util/log.h"

static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;

static int
send_file(const char *path, const char *line)
{
	size_t len = strlen(line);
	char *rec;
	int fd, rc = -1;
	ssize_t w;

	if ((rec = malloc(len + 2)) == NULL)
		return -1;
	memcpy(rec, line, len);
	rec[len] = '\n';
	rec[len + 1] = '\0';
	pthread_mutex_lock(&file_lock);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		do
			w = write(fd, rec, len + 1);
		while (w < 0 && errno == EINTR);
		if (w == (ssize_t)(len + 1) && fsync(fd) == 0)
			rc = 0;
		close(fd);
	}
	pthread_mutex_unlock(&file_lock);
	if (rc != 0)
		log_error("sms sink: cannot append to the outbox file: %s", strerror(errno));
	memset(rec, 0, len + 1);
	free(rec);
	return rc;
}

static size_t
discard(char *ptr, size_t size, size_t n, void *arg)
{
	return size * n;
}

static int
send_http(int64_t timeout, const char *url, const char *line)
{
	struct curl_slist *headers = NULL;
	long status = 0;
	CURLcode cc;
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return -1;
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, line);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK || status < 200 || status > 299) {
		log_warn("sms sink: gateway did not accept the message (%s, status %ld)",
		    cc != CURLE_OK ? curl_easy_strerror(cc) : "answered", status);
		return -1;
	}
	return 0;
}

int
sms_sink_send(const char *sink, const char *data_dir, const char *default_file,
    int64_t timeout, const char *json_line)
{
	char path[1024];

	if (strncmp(sink, "http://", 7) == 0 || strncmp(sink, "https://", 8) == 0)
		return send_http(timeout, sink, json_line);
	if (strncmp(sink, "file:", 5) == 0)
		return send_file(sink + 5, json_line);
	if (fsx_join(path, sizeof(path), data_dir, default_file) != 0)
		return -1;
	return send_file(path, json_line);
}

int
otp_sink_send(const struct config *cfg, const char *json_line)
{
	return sms_sink_send(cfg->otp_sink, cfg->data_dir, "outbox/sms.jsonl",
	    cfg->otp_http_timeout, json_line);
}
