/* The sweeper of leftovers while the server runs: every sweep_interval seconds it removes
 * upload and ZIP-entry temp files (an upload cut short, a checker killed), blobs no
 * document row names (a crash between blob_put and the commit, deleted documents), and
 * letter files whose issue never committed (kill -9 during an approval), each only when
 * untouched for sweep_min_age seconds (on the real clock). Without it they waited for the
 * next start. */
#ifndef INTAKE_SWEEP_H
#define INTAKE_SWEEP_H

struct db;

struct sweep_stats {
	unsigned	tmp_removed;
	unsigned	blobs_removed;
	unsigned	letters_removed;
};

/* One pass over data_dir with db (the caller's connection). 0 ok, -1 part of it failed. */
int	sweep_once(struct db *db, const char *data_dir, long min_age, struct sweep_stats *st);

/* Starts the sweeper thread (a first pass at once). It blocks the server's signals and
 * opens its own database connection (db_thread). 0 ok, -1 not started. data_dir must
 * outlive sweep_stop. */
int	sweep_start(const char *data_dir, long interval, long min_age);
/* Stops and joins it (at shutdown); a no-op when it was not started. */
void	sweep_stop(void);

#endif
