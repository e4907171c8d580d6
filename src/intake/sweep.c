/* The sweeper thread (sweep.h). */
#include "intake/sweep.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "intake/blob.h"
#include "intake/documents.h"
#include "letters/store.h"
#include "util/log.h"
#include "util/timeutil.h"

static pthread_t	sweeper;
static pthread_mutex_t	lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	wake;
static int		running, stopping;
static const char	*sweep_dir;
static long		sweep_interval, sweep_min_age;

int
sweep_once(struct db *db, const char *data_dir, long min_age, struct sweep_stats *st)
{
	struct blob_sweep_stats bs;
	long skew;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	/* File times are real times: while the server runs, ages count on the real clock
	 * even when the portal's clock is moved (SURAKSHA_FAKE_NOW in tests), or an upload
	 * in flight would look old. blob_sweep counts on the portal's clock (the start-up
	 * sweep of a test restarted "two hours later" relies on it): offset min_age. */
	skew = (long)(time_now() - (int64_t)time(NULL));
	if (blob_sweep(data_dir, document_blob_referenced, db, min_age + (skew > 0 ? skew : 0),
	    &bs) != BLOB_OK)
		rc = -1;
	st->tmp_removed = bs.tmp_removed;
	st->blobs_removed = bs.blobs_removed;
	if (letter_store_sweep(db, data_dir, min_age, &st->letters_removed) != 0)
		rc = -1;
	return rc;
}

static void *
sweep_main(void *arg)
{
	struct sweep_stats st;
	struct timespec until;
	struct db *db;
	sigset_t set;

	(void)arg;
	/* Signals are the main thread's (it sigwaits for them). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		if ((db = db_thread()) == NULL || sweep_once(db, sweep_dir, sweep_min_age, &st) != 0)
			log_warn("sweep of leftovers did not complete");
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += sweep_interval;
		while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&lock);
	db_thread_close();
	return NULL;
}

int
sweep_start(const char *data_dir, long interval, long min_age)
{
	pthread_condattr_t ca;

	if (running)
		return 0;
	sweep_dir = data_dir;
	sweep_interval = interval > 0 ? interval : 300;
	sweep_min_age = min_age;
	stopping = 0;
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&wake, &ca) != 0)
		return -1;
	pthread_condattr_destroy(&ca);
	if (pthread_create(&sweeper, NULL, sweep_main, NULL) != 0) {
		pthread_cond_destroy(&wake);
		return -1;
	}
	running = 1;
	return 0;
}

void
sweep_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(sweeper, NULL);
	pthread_cond_destroy(&wake);
	running = 0;
}
