/* Document rows: what an employee uploaded (the bytes are blobs named by SHA-256, blob.h).
 * A row commits only after its blob is durable, so a row always has its bytes. */
#ifndef INTAKE_DOCUMENTS_H
#define INTAKE_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

struct db;
struct actor;

#define DOC_NAME_MAX	128	/* display names are cut to this many bytes */

struct document {
	int64_t	 id;
	char	 employee_id[33];
	char	 kind[32];
	char	 name[DOC_NAME_MAX + 1];
	char	 bundle[DOC_NAME_MAX + 1];	/* the ZIP it came in, "" if none */
	char	 mime[32];
	int64_t	 size;
	char	 sha256[65];
	int64_t	 uploaded_at;
	char	 uploaded_by[96];
};

/* Is kind one of API.md's document kinds? */
int	document_kind_valid(const char *kind);
/* A client file name made fit for display: the last path component, control characters
 * dropped, valid UTF-8, at most DOC_NAME_MAX bytes; "document" when nothing is left. */
void	document_clean_name(const char *in, char out[DOC_NAME_MAX + 1]);

/* Documents and bytes the employee has stored. 0 ok. */
int	document_usage(struct db *db, const char *employee_id, int64_t *count, int64_t *bytes);
/* Inserts docs[0..n) with their audit records; call inside a transaction. Sets each id. */
int	document_insert(struct db *db, const struct actor *who, struct document *docs, size_t n);
int	document_get(struct db *db, int64_t id, struct document *d);
/* Deletes the row (the blob goes at a later start-up sweep if no other row names it),
 * with its audit record; call inside a transaction. */
int	document_delete(struct db *db, const struct actor *who, const struct document *d);
/* The documents of an employee, oldest first; calls fn for each. */
int	document_list(struct db *db, const char *employee_id,
	    void (*fn)(const struct document *, void *), void *arg);
/* For the start-up sweep: 1 a row names the blob, 0 none, -1 cannot tell. */
int	document_blob_referenced(const char *sha, void *db);

#endif
