#!/usr/bin/env bash
# The README's run command, after the build: check, compile and query the Outpost24 example.
set -euo pipefail
privet=${1:?usage: demo.sh path/to/privet}
root=$(cd "$(dirname "$0")/.." && pwd)
policy=$root/examples/outpost24/outpost24.privet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*" | sed "s|$root/||g; s|$out/||g"; "$@"; }

step "$privet" check "$policy"
step "$privet" test "$policy"
step "$privet" build "$policy" -o "$out/outpost24.pvc" --stats

q() { step "$privet" query "$out/outpost24.pvc" "$@"; }
# §3: log data collected automatically on the Sites, used to operate them.
q --action use --data ip_address --purpose improve_site_operation
# §3 / §7: service providers are contractually bound.
q --action share --data email_address --recipient service_providers --purpose website_hosting
# §5: nothing from customer relationships goes to external third parties.
q --action share --data account_information --context customer_relationships --recipient ad_technology_providers
# §9: marketing e-mail stops after opt-out; transactional e-mail does not.
q --action use --data email_address --purpose marketing_communications --attr marketing_opt_out=true --explain
q --action use --data email_address --purpose transactional_communications --attr marketing_opt_out=true
