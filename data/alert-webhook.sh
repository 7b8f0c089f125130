#!/bin/sh
# alert-webhook.sh: an example --on-alert hook for clobtop.  Posts the alert (one JSON
# object, read from standard input) to the webhook URL in CLOBTOP_WEBHOOK_URL, e.g. a
# Slack/Mattermost/ntfy/PagerDuty-bridge endpoint:
#
#   CLOBTOP_WEBHOOK_URL=https://hooks.example.com/T0/B0/xyz \
#     clobtop --on-alert /usr/share/clobtop/alert-webhook.sh ...
#
# clobtop also sets CLOBTOP_ALERT_KIND, _SEVERITY, _ASSET_ID, _LABEL, _MESSAGE, _TIME and
# _TIME_MS.  A non-zero exit status (curl failed, or the server answered >= 400) is
# reported in clobtop's alert log; clobtop kills the hook if it runs past its timeout.
set -eu
: "${CLOBTOP_WEBHOOK_URL:?set CLOBTOP_WEBHOOK_URL to the webhook to post alerts to}"
exec curl --silent --show-error --fail --max-time 8 \
	--header 'Content-Type: application/json' \
	--data-binary @- \
	"$CLOBTOP_WEBHOOK_URL"
