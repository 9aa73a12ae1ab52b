/*===- privet.h - The Privet runtime's C API --------------------------------------*- C -*-===*
 *
 * A C interface over the C++ runtime (privet/Runtime.h), for services written in C or in any
 * language with a C FFI. Objects are opaque and freed by their own _free function (each accepts
 * NULL). No C++ exception crosses this boundary: failures are return values and messages.
 *
 * Strings returned as `const char *` belong to the policy and live as long as it does; strings
 * returned as `char *` belong to the caller and are freed with privet_string_free.
 *
 * A request keeps its policy alive, and so does a decision that was decided against it, so
 * privet_policy_free may be called while they are still in use.
 *
 * Thread safety: a privet_policy may be used from any number of threads at once; a request or a
 * decision belongs to one thread at a time; a privet_handle may be reloaded while other threads
 * acquire from it.
 *
 *===----------------------------------------------------------------------------------------===*/
#ifndef PRIVET_PRIVET_H
#define PRIVET_PRIVET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct privet_policy privet_policy;
typedef struct privet_request privet_request;
typedef struct privet_decision privet_decision;
typedef struct privet_handle privet_handle;

/* The request dimensions, in the artifact's order. */
typedef enum privet_dim {
  PRIVET_DIM_ACTION = 0,
  PRIVET_DIM_DATA = 1,
  PRIVET_DIM_SUBJECT = 2,
  PRIVET_DIM_PURPOSE = 3,
  PRIVET_DIM_BASIS = 4,
  PRIVET_DIM_RECIPIENT = 5,
  PRIVET_DIM_REGION = 6,
  PRIVET_DIM_CONTEXT = 7,
  PRIVET_DIM_ACTOR = 8,
  /* Not a dimension: makes every value up to INT32_MAX representable, so that a bad value passed
   * from C is reported as an error rather than being undefined in the C++ implementation. */
  PRIVET_DIM_MAX_ENUM = 0x7fffffff
} privet_dim;

typedef enum privet_outcome { PRIVET_DENY = 0, PRIVET_ALLOW = 1, PRIVET_ERROR = 2 } privet_outcome;

/* Returned by the id lookups for an unknown name or an argument out of range. */
#define PRIVET_INVALID_ID UINT32_MAX

/* Frees a string returned as `char *` by this API. */
void privet_string_free(char *s);

/* --- Policies ----------------------------------------------------------------------------- */

/* Loads and validates an artifact. On failure returns NULL and, if error is not NULL, stores a
 * message in *error (free it with privet_string_free). */
privet_policy *privet_policy_load(const char *path, char **error);
privet_policy *privet_policy_from_bytes(const void *data, size_t size, char **error);
void privet_policy_free(privet_policy *policy);

const char *privet_policy_name(const privet_policy *policy);
const char *privet_policy_title(const privet_policy *policy);
const char *privet_policy_version(const privet_policy *policy);
/* The artifact's content hash (XXH64 of its bytes after the header's checksum field), printed in
 * hex as "policy.hash" in every decision JSON. 0 for a NULL policy. */
uint64_t privet_policy_content_hash(const privet_policy *policy);

/* Values of a dimension: ids 0 .. count-1. Names are NULL for an id out of range. */
uint32_t privet_value_count(const privet_policy *policy, privet_dim dim);
uint32_t privet_value_id(const privet_policy *policy, privet_dim dim, const char *name);
const char *privet_value_name(const privet_policy *policy, privet_dim dim, uint32_t id);

uint32_t privet_attribute_count(const privet_policy *policy);
uint32_t privet_attribute_id(const privet_policy *policy, const char *name);
const char *privet_attribute_name(const privet_policy *policy, uint32_t attr);
/* The values of an enum attribute, for privet_request_set_enum_id: ids 0 .. count-1. The count is
 * 0, the id PRIVET_INVALID_ID and the name NULL for an attribute that is not an enum, an unknown
 * value name or an id out of range. */
uint32_t privet_attribute_enum_value_count(const privet_policy *policy, uint32_t attr);
uint32_t privet_attribute_enum_value_id(const privet_policy *policy, uint32_t attr,
                                        const char *name);
const char *privet_attribute_enum_value_name(const privet_policy *policy, uint32_t attr,
                                             uint32_t id);

uint32_t privet_rule_count(const privet_policy *policy);
const char *privet_rule_id(const privet_policy *policy, uint32_t rule);
const char *privet_rule_file(const privet_policy *policy, uint32_t rule);
uint32_t privet_rule_line(const privet_policy *policy, uint32_t rule);
uint32_t privet_rule_col(const privet_policy *policy, uint32_t rule);
const char *privet_rule_source_text(const privet_policy *policy, uint32_t rule);

/* Obligations, by obligation instance (as a decision lists them). */
const char *privet_obligation_name(const privet_policy *policy, uint32_t instance);
const char *privet_obligation_title(const privet_policy *policy, uint32_t instance);
/* "retain_for(30 days)"; free with privet_string_free. NULL for an instance out of range. */
char *privet_obligation_describe(const privet_policy *policy, uint32_t instance);

/* --- Requests ----------------------------------------------------------------------------- */

/* An empty request for the policy: every dimension omitted, no attributes. */
privet_request *privet_request_new(const privet_policy *policy);
void privet_request_free(privet_request *request);
void privet_request_clear(privet_request *request);
/* The first mistake made building the request, or NULL. Valid until the request changes. */
const char *privet_request_error(const privet_request *request);

/* Setters return 0, or -1 when the request holds a mistake: this call's (recorded in the request)
 * or an earlier one's. Deciding such a request yields PRIVET_ERROR with the first mistake. For
 * PRIVET_DIM_DATA, set replaces the data set; add_data adds a category. */
int privet_request_set(privet_request *request, privet_dim dim, const char *name);
int privet_request_set_id(privet_request *request, privet_dim dim, uint32_t id);
int privet_request_add_data(privet_request *request, const char *name);
int privet_request_add_data_id(privet_request *request, uint32_t id);
int privet_request_omit(privet_request *request, privet_dim dim);

int privet_request_set_bool(privet_request *request, const char *attr, int value);
int privet_request_set_int(privet_request *request, const char *attr, int64_t value);
int privet_request_set_duration(privet_request *request, const char *attr, int64_t seconds);
int privet_request_set_enum(privet_request *request, const char *attr, const char *value);
int privet_request_set_bool_id(privet_request *request, uint32_t attr, int value);
int privet_request_set_int_id(privet_request *request, uint32_t attr, int64_t value);
int privet_request_set_duration_id(privet_request *request, uint32_t attr, int64_t seconds);
int privet_request_set_enum_id(privet_request *request, uint32_t attr, uint32_t value);
int privet_request_unset_id(privet_request *request, uint32_t attr);

/* --- Decisions ---------------------------------------------------------------------------- */

/* A reusable decision; privet_decide overwrites it. */
privet_decision *privet_decision_new(void);
void privet_decision_free(privet_decision *decision);

/* Decides the request (which must have been made for this policy). Never PRIVET_ALLOW on error. */
privet_outcome privet_decide(const privet_policy *policy, const privet_request *request,
                             privet_decision *decision);

privet_outcome privet_decision_outcome(const privet_decision *decision);
/* 1 for an allow, 0 for a deny and for every error. */
int privet_decision_permitted(const privet_decision *decision);
/* The error message, or NULL unless the outcome is PRIVET_ERROR. */
const char *privet_decision_error(const privet_decision *decision);
/* Deciding rules (rule indexes) and obligation instances; index out of range gives
 * PRIVET_INVALID_ID. */
size_t privet_decision_rule_count(const privet_decision *decision);
uint32_t privet_decision_rule(const privet_decision *decision, size_t i);
size_t privet_decision_obligation_count(const privet_decision *decision);
uint32_t privet_decision_obligation(const privet_decision *decision, size_t i);
/* The decision as JSON (docs/runtime-api.md); free with privet_string_free. */
char *privet_decision_json(const privet_decision *decision);

/* Decides a request written as JSON in the request schema of docs/runtime-api.md (one object of
 * length bytes, which need not be NUL-terminated; its `id`, if any, is echoed) and returns the
 * decision object as JSON, without a newline: exactly what `privet query --jsonl` prints for that
 * line. A malformed request, or a NULL policy or json, gives an error object. If outcome is not
 * NULL, *outcome receives the answer's outcome (PRIVET_ERROR for an error object). Free the result
 * with privet_string_free; NULL only when out of memory. Safe on one policy from any number of
 * threads at once. */
char *privet_decide_json(const privet_policy *policy, const char *json, size_t length,
                         privet_outcome *outcome);

/* Readable explanation of the request's decision, citing rules and sources; free with
 * privet_string_free. */
char *privet_explain(const privet_policy *policy, const privet_request *request);

/* Why the request is denied, as the JSON object of the "why_not" member (docs/runtime-api.md,
 * "Why not"): the values of each group value or omitted dimension that are allowed and denied,
 * and for the denied ones the deny rules or the default and the nearest allowing rule with what
 * it does not meet. "null" for an allowed request. NULL on an error in the request (with *error
 * set, if error is not NULL; free it with privet_string_free). Free the result with
 * privet_string_free. Work done only when called: privet_decide never does it. */
char *privet_why_not_json(const privet_policy *policy, const privet_request *request, char **error);

/* The values of dim for which the request, with dim set to that value, is allowed. Writes up to
 * capacity ids to out and returns how many there are in all (call again with a larger buffer if
 * that is more than capacity), or -1 on error (with *error set if error is not NULL). */
int64_t privet_permitted_values(const privet_policy *policy, const privet_request *request,
                                privet_dim dim, uint32_t *out, size_t capacity, char **error);

/* --- Batches ------------------------------------------------------------------------------ */

/* Decides columns of requests by ids (see privet::rt::BatchDecider in privet/Runtime.h): row r of
 * every column is request r. Distinct decisions are kept once in the batch's table, and each row
 * gets its decision's id in it. A batch belongs to one thread at a time and keeps its policy
 * alive. */
typedef struct privet_batch privet_batch;

/* An attribute column: values[r] is row r's value (bool 0/1, int, duration in seconds, enum value
 * id); present, if not NULL, says per row whether it is given. */
typedef struct privet_batch_attribute {
  uint32_t attr;
  const int64_t *values;
  const uint8_t *present;
} privet_batch_attribute;

typedef struct privet_batch_columns {
  size_t rows;
  /* Per dimension (privet_dim order), a value id per row (PRIVET_INVALID_ID: omitted), or NULL:
   * omitted in every row. */
  const uint32_t *values[9];
  /* Several data categories per row: row r's are data_ids[data_offsets[r] .. data_offsets[r+1])
   * (rows + 1 offsets). Overrides values[PRIVET_DIM_DATA] when not NULL. */
  const uint64_t *data_offsets;
  const uint32_t *data_ids;
  const privet_batch_attribute *attributes;
  size_t attribute_count;
} privet_batch_columns;

privet_batch *privet_batch_new(const privet_policy *policy);
void privet_batch_free(privet_batch *batch);
/* Decides every row, writing into each output array that is not NULL: outcome (privet_outcome per
 * row), decision (the row's id in the batch's table), rule (the first deciding rule or
 * PRIVET_INVALID_ID). Returns 0, or -1 when the columns are unusable (with *error set if error is
 * not NULL); a mistake in one row is that row's PRIVET_ERROR. */
int privet_batch_decide(privet_batch *batch, const privet_batch_columns *columns, uint8_t *outcome,
                        uint32_t *decision, uint32_t *rule, char **error);
/* The batch's distinct decisions so far, by id. */
size_t privet_batch_decision_count(const privet_batch *batch);
privet_outcome privet_batch_decision_outcome(const privet_batch *batch, uint32_t id);
/* NULL unless the decision is PRIVET_ERROR. */
const char *privet_batch_decision_error(const privet_batch *batch, uint32_t id);
size_t privet_batch_decision_rule_count(const privet_batch *batch, uint32_t id);
uint32_t privet_batch_decision_rule(const privet_batch *batch, uint32_t id, size_t i);
size_t privet_batch_decision_obligation_count(const privet_batch *batch, uint32_t id);
uint32_t privet_batch_decision_obligation(const privet_batch *batch, uint32_t id, size_t i);

/* How the rows decided so far were answered (BatchDecider::counts): each row is counted once among
 * run_rows (equal to the row before), memo_rows, walked_rows (one diagram walk; interleaved_rows
 * of them walked together with others) and general_rows (decided as privet_decide would);
 * memo_off_blocks counts the blocks of 256 rows decided without the memo. */
typedef struct privet_batch_counts {
  uint64_t rows, run_rows, memo_rows, walked_rows, interleaved_rows, general_rows, memo_off_blocks;
} privet_batch_counts;
/* Fills *counts and returns 0, or returns -1 when batch or counts is NULL. */
int privet_batch_get_counts(const privet_batch *batch, privet_batch_counts *counts);

/* --- Hot reload --------------------------------------------------------------------------- */

privet_handle *privet_handle_open(const char *path, char **error);
/* Loads path and swaps it in; on failure returns -1 (with *error set) and keeps the old policy. */
int privet_handle_reload(privet_handle *handle, const char *path, char **error);
/* The current policy, as a new reference: free it with privet_policy_free. */
privet_policy *privet_handle_acquire(const privet_handle *handle);
void privet_handle_free(privet_handle *handle);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PRIVET_PRIVET_H */
