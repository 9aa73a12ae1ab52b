/* A user's C program: loads an artifact and decides one request through the C API. */
#include <privet/privet.h>

#include <stdio.h>

int main(int argc, char **argv) {
  char *err = NULL;
  privet_policy *p;
  privet_request *req;
  privet_decision *dec;
  int allowed;
  if (argc != 2)
    return 2;
  p = privet_policy_load(argv[1], &err);
  if (!p) {
    fprintf(stderr, "%s\n", err);
    privet_string_free(err);
    return 1;
  }
  req = privet_request_new(p);
  dec = privet_decision_new();
  privet_request_set(req, PRIVET_DIM_ACTION, "use");
  privet_request_set(req, PRIVET_DIM_DATA, "email_address");
  privet_request_set(req, PRIVET_DIM_PURPOSE, "marketing");
  allowed = privet_decide(p, req, dec) == PRIVET_ALLOW;
  printf("%s\n", allowed ? "allow" : "deny");
  privet_decision_free(dec);
  privet_request_free(req);
  privet_policy_free(p);
  return allowed ? 0 : 1;
}
