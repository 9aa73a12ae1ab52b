/*===- CApiTest.c - The C API, exercised from C against the sample artifacts -----------===*
 *
 * Usage: CApiTest <dir> where <dir> holds sample.pvc, sample-v2.pvc and corrupt.pvc (written by
 * WriteSampleArtifacts). Exits 1 if any check fails.
 *
 *===------------------------------------------------------------------------------------===*/
#include "privet/privet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                     \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

#define CHECK_STR(actual, expected)                                                                \
  do {                                                                                             \
    const char *a_ = (actual);                                                                     \
    if (!a_ || strcmp(a_, (expected)) != 0) {                                                      \
      fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, (expected),      \
              a_ ? a_ : "(null)");                                                                 \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

/* Expected (a decision object without its last `}`) closed by the policy member every decision of
 * p carries: ,"policy":{"name":..,"version":..,"hash":"<16 hex digits>"}}. */
static char json_buf[4096];
static const char *with_policy(const privet_policy *p, const char *expected) {
  snprintf(json_buf, sizeof json_buf,
           "%s,\"policy\":{\"name\":\"%s\",\"version\":\"%s\",\"hash\":\"%016llx\"}}", expected,
           privet_policy_name(p), privet_policy_version(p),
           (unsigned long long)privet_policy_content_hash(p));
  return json_buf;
}

static char path_buf[4096];
static const char *path_in(const char *dir, const char *name) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
  return path_buf;
}

static void test_load_errors(const char *dir) {
  char *err = NULL;
  privet_policy *p = privet_policy_load("/nonexistent/x.pvc", &err);
  CHECK(p == NULL);
  CHECK_STR(err, "cannot open `/nonexistent/x.pvc`: No such file or directory");
  privet_string_free(err);

  err = NULL;
  p = privet_policy_load(path_in(dir, "corrupt.pvc"), &err);
  CHECK(p == NULL);
  CHECK(err != NULL && strstr(err, "artifact is corrupted: the checksum does not match") != NULL);
  privet_string_free(err);

  err = NULL;
  p = privet_policy_from_bytes("not an artifact", 15, &err);
  CHECK(p == NULL);
  CHECK_STR(err, "not a privet artifact (bad magic number)");
  privet_string_free(err);

  /* A NULL error pointer is allowed. */
  CHECK(privet_policy_load(NULL, NULL) == NULL);
}

static void test_names(const privet_policy *p) {
  uint32_t r;
  char *s;
  CHECK_STR(privet_policy_name(p), "sample");
  CHECK_STR(privet_policy_title(p), "Sample Privacy Policy");
  CHECK_STR(privet_policy_version(p), "2026-01-01");
  CHECK(privet_value_count(p, PRIVET_DIM_DATA) == 7);
  CHECK(privet_value_id(p, PRIVET_DIM_DATA, "ip_address") == 5);
  CHECK(privet_value_id(p, PRIVET_DIM_DATA, "nope") == PRIVET_INVALID_ID);
  CHECK(privet_value_id(p, (privet_dim)8, "ip_address") == PRIVET_INVALID_ID);
  CHECK_STR(privet_value_name(p, PRIVET_DIM_PURPOSE, 1), "site_operation");
  CHECK(privet_value_name(p, PRIVET_DIM_PURPOSE, 2) == NULL);
  CHECK(privet_attribute_count(p) == 4);
  CHECK(privet_attribute_id(p, "age") == 2);
  CHECK_STR(privet_attribute_name(p, 0), "marketing_opt_out");
  CHECK(privet_attribute_enum_value_count(p, 1) == 3);
  CHECK(privet_attribute_enum_value_id(p, 1, "withdrawn") == 1);
  CHECK(privet_attribute_enum_value_id(p, 1, "maybe") == PRIVET_INVALID_ID);
  CHECK(privet_attribute_enum_value_id(p, 1, NULL) == PRIVET_INVALID_ID);
  CHECK_STR(privet_attribute_enum_value_name(p, 1, 2), "not_asked");
  CHECK(privet_attribute_enum_value_name(p, 1, 3) == NULL);
  /* Not an enum (a bool, an int), or no such attribute. */
  CHECK(privet_attribute_enum_value_count(p, 0) == 0);
  CHECK(privet_attribute_enum_value_id(p, 2, "given") == PRIVET_INVALID_ID);
  CHECK(privet_attribute_enum_value_name(p, 4, 0) == NULL);
  CHECK(privet_attribute_enum_value_id(NULL, 1, "given") == PRIVET_INVALID_ID);
  CHECK(privet_rule_count(p) == 6);
  r = 3;
  CHECK_STR(privet_rule_id(p, r), "logs");
  CHECK_STR(privet_rule_file(p, r), "sample.privet");
  CHECK(privet_rule_line(p, r) == 13 && privet_rule_col(p, r) == 1);
  CHECK(privet_rule_source_text(p, r) != NULL &&
        strncmp(privet_rule_source_text(p, r), "allow use ip_address", 20) == 0);
  CHECK(privet_rule_id(p, 6) == NULL);
  CHECK_STR(privet_obligation_name(p, 1), "retain_for");
  CHECK_STR(privet_obligation_title(p, 0), "Unsubscribe link");
  s = privet_obligation_describe(p, 1);
  CHECK_STR(s, "retain_for(30 days)");
  privet_string_free(s);
  CHECK(privet_obligation_describe(p, 2) == NULL);
}

static void test_decisions(const privet_policy *p) {
  privet_request *req = privet_request_new(p);
  privet_decision *dec = privet_decision_new();
  char *json;

  CHECK(privet_request_set(req, PRIVET_DIM_ACTION, "use") == 0);
  CHECK(privet_request_set(req, PRIVET_DIM_DATA, "email_address") == 0);
  CHECK(privet_request_set(req, PRIVET_DIM_PURPOSE, "marketing") == 0);
  CHECK(privet_request_error(req) == NULL);
  CHECK(privet_decide(p, req, dec) == PRIVET_ALLOW);
  CHECK(privet_decision_permitted(dec) == 1);
  CHECK(privet_decision_error(dec) == NULL);
  CHECK(privet_decision_rule_count(dec) == 1 && privet_decision_rule(dec, 0) == 0);
  CHECK(privet_decision_obligation_count(dec) == 1 && privet_decision_obligation(dec, 0) == 0);
  CHECK(privet_decision_rule(dec, 1) == PRIVET_INVALID_ID);

  /* The opt-out exception. */
  CHECK(privet_request_set_bool(req, "marketing_opt_out", 1) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_DENY);
  CHECK(privet_decision_permitted(dec) == 0);
  CHECK(privet_decision_rule_count(dec) == 1 && privet_decision_rule(dec, 0) == 1);
  CHECK(privet_decision_obligation_count(dec) == 0);
  CHECK(privet_request_unset_id(req, 0) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_ALLOW);

  /* Several categories: combination rule adds profile, denied for marketing. */
  CHECK(privet_request_add_data(req, "ip_address") == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_DENY);
  CHECK(privet_decision_rule_count(dec) == 1 && privet_decision_rule(dec, 0) == 5);

  /* Attributes by id and thresholds, with JSON output. */
  privet_request_clear(req);
  CHECK(privet_request_set_id(req, PRIVET_DIM_ACTION, 0) == 0);
  CHECK(privet_request_add_data_id(req, 5) == 0);
  CHECK(privet_request_set_id(req, PRIVET_DIM_PURPOSE, 1) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);
  CHECK_STR(privet_decision_error(dec),
            "missing attribute `age`: it has no default and the decision depends on it");
  CHECK(privet_decision_permitted(dec) == 0);
  CHECK(privet_request_set_int_id(req, 2, 18) == 0);
  CHECK(privet_request_set_duration(req, "data_age", 86400) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_ALLOW);
  json = privet_decision_json(dec);
  CHECK_STR(json,
            with_policy(p, "{\"decision\":\"allow\",\"rules\":[{\"id\":\"logs\",\"file\":"
                           "\"sample.privet\",\"line\":13,\"col\":1}],\"obligations\":[{"
                           "\"name\":\"retain_for\",\"arg\":\"30 days\",\"seconds\":2592000}]"));
  privet_string_free(json);
  CHECK(privet_request_set_duration_id(req, 3, 31 * 86400) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_DENY);

  /* Enums. */
  privet_request_clear(req);
  privet_request_set(req, PRIVET_DIM_ACTION, "use");
  privet_request_set(req, PRIVET_DIM_DATA, "payment");
  privet_request_set(req, PRIVET_DIM_PURPOSE, "site_operation");
  CHECK(privet_request_set_enum(req, "consent_status", "given") == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_ALLOW);
  CHECK(privet_request_set_enum_id(req, 1, privet_attribute_enum_value_id(p, 1, "withdrawn")) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_DENY);

  /* Omitting a dimension. */
  CHECK(privet_request_omit(req, PRIVET_DIM_PURPOSE) == 0);
  CHECK(privet_decide(p, req, dec) == PRIVET_DENY);
  CHECK(privet_request_omit(req, (privet_dim)9) == -1);
  /* A failed setter poisons the request: the next decide is an error, not the last answer. */
  CHECK_STR(privet_request_error(req), "dimension 9 does not exist");
  CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);

  privet_decision_free(dec);
  privet_request_free(req);
}

static void test_mistakes(const privet_policy *p) {
  privet_request *req = privet_request_new(p);
  privet_decision *dec = privet_decision_new();
  char *json;

  CHECK(privet_request_set(req, PRIVET_DIM_PURPOSE, "marketin") == -1);
  CHECK_STR(privet_request_error(req), "unknown purpose `marketin`; did you mean `marketing`?");
  /* Later correct calls do not hide the first mistake: the request stays an error. */
  CHECK(privet_request_set(req, PRIVET_DIM_PURPOSE, "marketing") == -1);
  CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);
  CHECK(privet_decision_permitted(dec) == 0);
  CHECK(privet_decision_rule_count(dec) == 0);
  CHECK_STR(privet_decision_error(dec), "unknown purpose `marketin`; did you mean `marketing`?");
  json = privet_decision_json(dec);
  CHECK_STR(json, with_policy(p, "{\"decision\":\"error\",\"error\":\"unknown purpose `marketin`; "
                                 "did you mean `marketing`?\""));
  privet_string_free(json);

  privet_request_clear(req);
  CHECK(privet_request_set_int(req, "marketing_opt_out", 3) == -1);
  CHECK_STR(privet_request_error(req), "attribute `marketing_opt_out` is bool, not int");
  privet_request_clear(req);
  CHECK(privet_request_set_enum(req, "consent_status", "maybe") == -1);
  privet_request_clear(req);
  CHECK(privet_request_set_bool(req, NULL, 1) == -1);
  CHECK_STR(privet_request_error(req), "unknown attribute ``");
  privet_request_clear(req);
  CHECK(privet_request_set(req, (privet_dim)12, "use") == -1);
  CHECK_STR(privet_request_error(req), "dimension 12 does not exist");
  privet_request_clear(req);
  CHECK(privet_request_set_id(req, PRIVET_DIM_DATA, 7) == -1);
  CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);

  /* Every failed setter poisons the request, and an out-of-range dimension is an error (read as
     a number, never as an enum value the C++ side cannot hold). */
  {
    int bad[] = {-1, 9, 42, 0x7fffffff}; /* 8 is PRIVET_DIM_ACTOR */
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
      privet_request_clear(req);
      privet_request_set(req, PRIVET_DIM_ACTION, "use");
      privet_request_set(req, PRIVET_DIM_DATA, "ip_address");
      privet_request_set(req, PRIVET_DIM_PURPOSE, "site_operation");
      privet_request_set_int(req, "age", 20);
      CHECK(privet_request_omit(req, (privet_dim)bad[i]) == -1);
      CHECK(privet_request_error(req) != NULL);
      CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);
      privet_request_clear(req);
      CHECK(privet_request_set(req, (privet_dim)bad[i], "use") == -1);
      CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);
      privet_request_clear(req);
      CHECK(privet_request_set_id(req, (privet_dim)bad[i], 0) == -1);
      CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);
      CHECK(privet_value_count(p, (privet_dim)bad[i]) == 0);
      CHECK(privet_value_name(p, (privet_dim)bad[i], 0) == NULL);
    }
  }
  /* A negative duration is refused (it would satisfy every `data_age < N days`). */
  privet_request_clear(req);
  privet_request_set(req, PRIVET_DIM_ACTION, "use");
  privet_request_set(req, PRIVET_DIM_DATA, "ip_address");
  privet_request_set(req, PRIVET_DIM_PURPOSE, "site_operation");
  privet_request_set_int(req, "age", 20);
  CHECK(privet_request_set_duration(req, "data_age", -86400) == -1);
  CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);
  privet_request_clear(req);
  CHECK(privet_request_set_duration_id(req, 3, -1) == -1);
  CHECK(privet_decide(p, req, dec) == PRIVET_ERROR);

  /* NULL arguments are errors, not crashes. */
  CHECK(privet_decide(NULL, req, dec) == PRIVET_ERROR);
  CHECK_STR(privet_decision_error(dec), "no policy given");
  CHECK(privet_decide(p, NULL, dec) == PRIVET_ERROR);
  CHECK(privet_decision_permitted(dec) == 0);
  CHECK(privet_decide(p, req, NULL) == PRIVET_ERROR);
  CHECK(privet_request_new(NULL) == NULL);
  CHECK(privet_request_set(NULL, PRIVET_DIM_ACTION, "use") == -1);
  CHECK(privet_decision_permitted(NULL) == 0);
  privet_policy_free(NULL);
  privet_request_free(NULL);
  privet_decision_free(NULL);
  privet_handle_free(NULL);
  privet_string_free(NULL);

  privet_decision_free(dec);
  privet_request_free(req);
}

/* JSON requests in, JSON decisions out: the same bytes as privet_decision_json gives. */
static void test_decide_json(const privet_policy *p) {
  static const char request[] = "{\"id\":7,\"action\":\"use\",\"data\":\"ip_address\","
                                "\"purpose\":\"site_operation\",\"attributes\":{\"age\":18,"
                                "\"data_age\":\"1 day\"}} trailing bytes not passed";
  privet_outcome outcome = PRIVET_DENY;
  char *json = privet_decide_json(p, request,
                                  strlen(request) - strlen(" trailing bytes not passed"), &outcome);
  CHECK(outcome == PRIVET_ALLOW);
  CHECK_STR(json, with_policy(p, "{\"id\":7,\"decision\":\"allow\",\"rules\":[{\"id\":\"logs\","
                                 "\"file\":\"sample.privet\",\"line\":13,\"col\":1}],"
                                 "\"obligations\":[{\"name\":\"retain_for\",\"arg\":\"30 days\","
                                 "\"seconds\":2592000}]"));
  privet_string_free(json);

  json = privet_decide_json(
      p, "{\"action\":\"use\",\"data\":\"payment\",\"purpose\":\"marketing\"}",
      strlen("{\"action\":\"use\",\"data\":\"payment\",\"purpose\":\"marketing\"}"), &outcome);
  CHECK(outcome == PRIVET_DENY);
  CHECK(json != NULL && strstr(json, "\"decision\":\"deny\"") != NULL);
  privet_string_free(json);

  /* The outcome is optional; mistakes are error objects, never allows. */
  json = privet_decide_json(p, "{\"purpose\":\"marketin\"}", strlen("{\"purpose\":\"marketin\"}"),
                            NULL);
  CHECK_STR(json, with_policy(p, "{\"decision\":\"error\",\"error\":\"unknown purpose `marketin`; "
                                 "did you mean `marketing`?\""));
  privet_string_free(json);
  json = privet_decide_json(p, "{\"purpose\":", strlen("{\"purpose\":"), &outcome);
  CHECK(outcome == PRIVET_ERROR);
  CHECK_STR(json,
            with_policy(p, "{\"decision\":\"error\",\"error\":\"invalid request at column 12: "
                           "`purpose` must be a value name\""));
  privet_string_free(json);
  outcome = PRIVET_ALLOW;
  json = privet_decide_json(NULL, "{}", 2, &outcome);
  CHECK(outcome == PRIVET_ERROR);
  CHECK_STR(json, "{\"decision\":\"error\",\"error\":\"no policy given\"}");
  privet_string_free(json);
  outcome = PRIVET_ALLOW;
  json = privet_decide_json(p, NULL, 0, &outcome);
  CHECK(outcome == PRIVET_ERROR);
  CHECK_STR(json, "{\"decision\":\"error\",\"error\":\"no request given\"}");
  privet_string_free(json);
}

static void test_explain_and_permitted(const privet_policy *p) {
  privet_request *req = privet_request_new(p);
  uint32_t ids[8];
  int64_t n;
  char *err = NULL;
  char *text;

  privet_request_set(req, PRIVET_DIM_ACTION, "use");
  privet_request_set(req, PRIVET_DIM_PURPOSE, "marketing");
  n = privet_permitted_values(p, req, PRIVET_DIM_DATA, ids, 8, &err);
  CHECK(n == 3);
  CHECK(ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
  /* A small buffer gets the first ids and the full count. */
  n = privet_permitted_values(p, req, PRIVET_DIM_DATA, ids, 1, &err);
  CHECK(n == 3 && ids[0] == 1);
  n = privet_permitted_values(p, req, PRIVET_DIM_DATA, NULL, 0, &err);
  CHECK(n == 3);

  privet_request_set(req, PRIVET_DIM_DATA, "email_address");
  text = privet_explain(p, req);
  CHECK(text != NULL && strstr(text, "allowed by `marketing_email` at sample.privet:10:1") != NULL);
  CHECK(text != NULL && strstr(text, "notice: \"\xc2\xa7"
                                     "9 We may send you marketing") != NULL);
  privet_string_free(text);

  /* Why not: an allowed request has nothing to explain; use ip_address with the purpose omitted
   * is allowed for site_operation only (the sample artifact has no rule table, so no nearest
   * rule is named). */
  text = privet_why_not_json(p, req, &err);
  CHECK_STR(text, "null");
  privet_string_free(text);
  privet_request_set(req, PRIVET_DIM_DATA, "ip_address");
  privet_request_omit(req, PRIVET_DIM_PURPOSE);
  privet_request_set_int(req, "age", 30);
  text = privet_why_not_json(p, req, &err);
  CHECK(text != NULL &&
        strstr(text, "{\"splits\":[{\"dimension\":\"purpose\",\"request_values\":[],"
                     "\"allowed\":[\"site_operation\"],\"denied\":[{\"values\":[\"marketing\"],"
                     "\"reason\":{\"denied_by\":[],\"nearest\":null}}]}],\"whole\":null}") != NULL);
  privet_string_free(text);
  CHECK(privet_why_not_json(NULL, req, &err) == NULL);
  CHECK_STR(err, "no policy or request given");
  privet_string_free(err);
  err = NULL;
  privet_request_set(req, PRIVET_DIM_PURPOSE, "marketing");

  privet_request_set(req, PRIVET_DIM_DATA, "dna");
  n = privet_permitted_values(p, req, PRIVET_DIM_PURPOSE, ids, 8, &err);
  CHECK(n == -1);
  CHECK_STR(err, "unknown data category `dna`");
  privet_string_free(err);
  privet_request_free(req);
}

static void test_lifetimes(const char *dir) {
  /* Requests and decisions keep their policy alive after privet_policy_free. */
  privet_policy *p = privet_policy_load(path_in(dir, "sample.pvc"), NULL);
  privet_request *req = privet_request_new(p);
  privet_decision *dec = privet_decision_new();
  CHECK(p != NULL);
  privet_request_set(req, PRIVET_DIM_ACTION, "use");
  privet_request_set(req, PRIVET_DIM_DATA, "email_address");
  privet_request_set(req, PRIVET_DIM_PURPOSE, "marketing");
  CHECK(privet_decide(p, req, dec) == PRIVET_ALLOW);
  privet_policy_free(p);
  CHECK(privet_decision_rule_count(dec) == 1 && privet_decision_rule(dec, 0) == 0);
  privet_decision_free(dec);
  privet_request_free(req);
}

static void test_handle(const char *dir) {
  char *err = NULL;
  char v1[4096], v2[4096];
  privet_handle *h;
  privet_policy *p;
  snprintf(v1, sizeof v1, "%s/sample.pvc", dir);
  snprintf(v2, sizeof v2, "%s/sample-v2.pvc", dir);

  CHECK(privet_handle_open(path_in(dir, "corrupt.pvc"), &err) == NULL);
  CHECK(err != NULL);
  privet_string_free(err);
  err = NULL;

  h = privet_handle_open(v1, &err);
  CHECK(h != NULL);
  if (!h)
    return;
  p = privet_handle_acquire(h);
  CHECK_STR(privet_policy_name(p), "sample");
  CHECK(privet_handle_reload(h, v2, &err) == 0);
  /* The old snapshot is still usable; a new acquire sees the new policy. */
  CHECK_STR(privet_policy_name(p), "sample");
  privet_policy_free(p);
  p = privet_handle_acquire(h);
  CHECK_STR(privet_policy_name(p), "sample-v2");
  privet_policy_free(p);
  /* A failed reload keeps the current policy. */
  CHECK(privet_handle_reload(h, path_in(dir, "corrupt.pvc"), &err) == -1);
  CHECK(err != NULL && strstr(err, "checksum") != NULL);
  privet_string_free(err);
  p = privet_handle_acquire(h);
  CHECK_STR(privet_policy_name(p), "sample-v2");
  privet_policy_free(p);
  privet_handle_free(h);
}

int main(int argc, char **argv) {
  privet_policy *p;
  char *err = NULL;
  if (argc != 2) {
    fprintf(stderr, "usage: %s <artifact-directory>\n", argv[0]);
    return 2;
  }
  test_load_errors(argv[1]);
  p = privet_policy_load(path_in(argv[1], "sample.pvc"), &err);
  if (!p) {
    fprintf(stderr, "cannot load the sample artifact: %s\n", err ? err : "(no message)");
    privet_string_free(err);
    return 1;
  }
  test_names(p);
  test_decisions(p);
  test_mistakes(p);
  test_decide_json(p);
  test_explain_and_permitted(p);
  privet_policy_free(p);
  test_lifetimes(argv[1]);
  test_handle(argv[1]);
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all C API checks passed\n");
  return 0;
}
