/*===- BatchCApiTest.c - The C batch API, exercised from C against the sample artifact ----===*
 *
 * Usage: BatchCApiTest <dir> where <dir> holds sample.pvc (written by WriteSampleArtifacts).
 * Every batch row is also decided with privet_decide; exits 1 if any check fails.
 *
 *===------------------------------------------------------------------------------------===*/
#include "privet/privet.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                     \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

enum { ROWS = 6 };

int main(int argc, char **argv) {
  char path[4096];
  char *err = NULL;
  privet_policy *p;
  privet_batch *b;
  /* use name for marketing (twice, the opt-out unset and false), opted out, payment for
   * marketing, an action id out of range, ip address + email address (combined as profile). */
  const uint32_t action[ROWS] = {0, 0, 0, 0, 7, 0};
  const uint32_t purpose[ROWS] = {0, 0, 0, 0, 0, 0};
  const uint64_t offsets[ROWS + 1] = {0, 1, 2, 3, 4, 5, 7};
  const uint32_t data[7] = {2, 2, 2, 4, 2, 5, 3};
  const int64_t opt_out[ROWS] = {0, 0, 1, 0, 0, 0};
  const uint8_t opt_out_set[ROWS] = {0, 1, 1, 1, 1, 1};
  privet_batch_attribute attrs[1];
  privet_batch_columns cols;
  uint8_t outcome[ROWS];
  uint32_t decision[ROWS], rule[ROWS];
  privet_batch_counts counts;
  size_t r, i;

  if (argc != 2) {
    fprintf(stderr, "usage: BatchCApiTest <artifact dir>\n");
    return 2;
  }
  snprintf(path, sizeof path, "%s/sample.pvc", argv[1]);
  p = privet_policy_load(path, &err);
  if (!p) {
    fprintf(stderr, "cannot load the sample: %s\n", err ? err : "?");
    privet_string_free(err);
    return 1;
  }
  b = privet_batch_new(p);
  CHECK(b != NULL);
  memset(&cols, 0, sizeof cols);
  cols.rows = ROWS;
  cols.values[PRIVET_DIM_ACTION] = action;
  cols.values[PRIVET_DIM_PURPOSE] = purpose;
  cols.data_offsets = offsets;
  cols.data_ids = data;
  attrs[0].attr = privet_attribute_id(p, "marketing_opt_out");
  attrs[0].values = opt_out;
  attrs[0].present = opt_out_set;
  cols.attributes = attrs;
  cols.attribute_count = 1;
  CHECK(privet_batch_decide(b, &cols, outcome, decision, rule, &err) == 0);

  CHECK(outcome[0] == PRIVET_ALLOW && outcome[1] == PRIVET_ALLOW);
  CHECK(decision[0] == decision[1]); /* one table entry per distinct decision */
  CHECK(strcmp(privet_rule_id(p, rule[0]), "marketing_email") == 0);
  CHECK(privet_batch_decision_obligation_count(b, decision[0]) == 1);
  CHECK(strcmp(privet_obligation_name(p, privet_batch_decision_obligation(b, decision[0], 0)),
               "unsubscribe_link") == 0);
  CHECK(outcome[2] == PRIVET_DENY && outcome[3] == PRIVET_DENY);
  CHECK(outcome[4] == PRIVET_ERROR && rule[4] == PRIVET_INVALID_ID);
  CHECK(privet_batch_decision_error(b, decision[4]) != NULL &&
        strcmp(privet_batch_decision_error(b, decision[4]),
               "action id 7 is out of range (the policy has 2)") == 0);
  CHECK(privet_batch_decision_error(b, decision[0]) == NULL);
  CHECK(privet_batch_decision_outcome(b, 999) == PRIVET_ERROR);
  CHECK(privet_batch_decision_rule(b, decision[0], 99) == PRIVET_INVALID_ID);

  /* Every row counted once, by how it was answered: row 4's mistake by the general path. */
  CHECK(privet_batch_get_counts(b, &counts) == 0);
  CHECK(counts.rows == ROWS);
  CHECK(counts.run_rows + counts.memo_rows + counts.walked_rows + counts.general_rows == ROWS);
  CHECK(counts.general_rows >= 1);
  CHECK(counts.interleaved_rows <= counts.walked_rows);
  CHECK(privet_batch_get_counts(b, NULL) == -1 && privet_batch_get_counts(NULL, &counts) == -1);

  /* Every row against a single decision. */
  for (r = 0; r < ROWS; ++r) {
    privet_request *q = privet_request_new(p);
    privet_decision *d = privet_decision_new();
    privet_request_set_id(q, PRIVET_DIM_ACTION, action[r]);
    privet_request_set_id(q, PRIVET_DIM_PURPOSE, purpose[r]);
    for (i = offsets[r]; i < offsets[r + 1]; ++i)
      privet_request_add_data_id(q, data[i]);
    if (opt_out_set[r])
      privet_request_set_bool_id(q, attrs[0].attr, (int)opt_out[r]);
    CHECK(privet_decide(p, q, d) == (privet_outcome)outcome[r]);
    CHECK(privet_decision_rule_count(d) == privet_batch_decision_rule_count(b, decision[r]));
    for (i = 0; i < privet_decision_rule_count(d); ++i)
      CHECK(privet_decision_rule(d, i) == privet_batch_decision_rule(b, decision[r], i));
    privet_decision_free(d);
    privet_request_free(q);
  }

  /* Unusable columns: an error and nothing decided. */
  attrs[0].attr = 99;
  outcome[0] = 42;
  CHECK(privet_batch_decide(b, &cols, outcome, NULL, NULL, &err) == -1);
  CHECK(err != NULL && strstr(err, "attribute id 99 is out of range") != NULL);
  CHECK(outcome[0] == 42);
  CHECK(privet_batch_get_counts(b, &counts) == 0 && counts.rows == ROWS);
  privet_string_free(err);
  CHECK(privet_batch_decide(NULL, &cols, outcome, NULL, NULL, NULL) == -1);

  privet_batch_free(b);
  privet_policy_free(p);
  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
