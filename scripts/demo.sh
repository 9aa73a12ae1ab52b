#!/usr/bin/env bash
# The README's run command, after the build: check, compile and query the Outpost24 example, then
# audit its sample processing log.
set -euo pipefail
privet=$(realpath "${1:?usage: demo.sh path/to/privet}")
cd "$(dirname "$0")/.."
policy=examples/outpost24/outpost24.privet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

bold="" plain=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() {
  local shown=("privet" "${@:2}")
  printf '\n%s$ %s%s\n' "$bold" "${shown[*]//$out\//}" "$plain"
  "$@"
}

# The check reports three findings: real gaps of the published notice (examples/outpost24/README.md).
step "$privet" check "$policy" || true
step "$privet" test "$policy"
step "$privet" build "$policy" -o "$out/outpost24.pvc" --stats

q() { step "$privet" query "$out/outpost24.pvc" "$@"; }
# Names from imported modules are written with the module's name (`taxonomy.use`, `gdpr.consent`).
# §3 Log data: IP addresses collected automatically on the Sites, to operate them.
q --action taxonomy.collect --data ip_address --subject site_visitors --purpose site_operation \
  --basis gdpr.legitimate_interests --context site_automatic --explain
# §4: newsletters go to people who agreed to receive them, with an unsubscribe link ...
q --action taxonomy.use --data email_address --subject marketing_contacts \
  --purpose newsletters_and_offers --basis gdpr.explicit_consent --context marketing_online \
  --attr gdpr.consent_status=given
# §9: ... and stop once they opt out of marketing,
q --action taxonomy.use --data email_address --subject marketing_contacts \
  --purpose newsletters_and_offers --basis gdpr.explicit_consent --context marketing_online \
  --attr gdpr.consent_status=given --attr gdpr.marketing_opt_out=true
# §9: while transactional mail (patches and security fixes) is not subject to the opt-out.
q --action taxonomy.use --data email_address --subject customers --purpose patches_and_fixes \
  --basis gdpr.contract --context portal_registration --attr gdpr.marketing_opt_out=true
# §5: nothing collected through customer relationships goes to external third parties.
q --action taxonomy.share --data support_data --subject customers --purpose customer_support \
  --basis gdpr.contract --recipient live_chat_and_helpdesk --context support_tickets \
  --attr support_consent_given=true

# What the systems actually did: audit the sample processing log (examples/outpost24/audit) against
# the policy. It holds planted violations and gaps, so the audit exits 1 (docs/audit.md).
status=0
step "$privet" audit "$out/outpost24.pvc" --map examples/outpost24/audit/outpost24.map.json \
  examples/outpost24/audit/sample.jsonl --samples 1 --now 2026-02-01T00:00:00Z || status=$?
if [ "$status" -ne 1 ]; then
  echo "demo: expected the audit to find the planted violations (exit 1), got exit $status" >&2
  exit 1
fi
# The review report (docs/report.md): record of processing, data map, notice and findings, in
# one self-contained HTML page kept in the build directory.
report_dir="$(dirname "$privet")/../../../report"
mkdir -p "$report_dir"
report_dir=$(realpath "$report_dir")
# It prints the paths it wrote, the report first.
step "$privet" report "$policy" -o "$report_dir/outpost24.html"
