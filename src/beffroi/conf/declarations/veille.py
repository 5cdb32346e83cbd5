"""Settings of the veille area."""

from beffroi.conf import declare

declare(
    "VEILLE_CONFIG_PROVIDER",
    "",
    "Function 'module:function' that returns a commune's watch configuration (facts, watch terms, official "
    "accounts) from its slug, e.g. from the database; empty: only the command-line flags are used.",
    area="veille",
)
declare(
    "VEILLE_POSTS_PER_DAY",
    40.0,
    "Prior number of mentions per day of a commune, used by the rumour detector until it has learned the "
    "commune's own rhythm from the stream.",
    area="veille",
)

# -- web side of the watch (beffroi.veille): alerts, deliveries, digests ---------------------------------
declare(
    "VEILLE_REPLAY_USE_DATABASE",
    False,
    "When VEILLE_CONFIG_PROVIDER is empty and this is on, `beffroi veille replay --commune SLUG` also loads "
    "the commune's watch terms, facts and official accounts from the database if one exists. Off by "
    "default: the output of `replay` depends only on its arguments (the file, --facts, --name), never on "
    "a local database.",
    area="veille",
)
declare(
    "VEILLE_SWEEP_SECONDS",
    30,
    "Interval of the watch's periodic job: mentions not yet observed, alert deliveries to retry, digests due.",
    area="veille",
)
declare(
    "VEILLE_BATCH_SIZE",
    500,
    "Mentions fed to a commune's rumour detector per job (the rest goes to the next job).",
    area="veille",
)
declare(
    "VEILLE_ALERT_MAX_AGE_HOURS",
    48,
    "An alert triggered by a post older than this (history imported at the first synchronisation) is kept "
    "on the screens but not sent to the crisis circle.",
    area="veille",
)
declare(
    "VEILLE_DELIVERY_MAX_ATTEMPTS",
    8,
    "Attempts to deliver an alert by e-mail or webhook before it is marked failed.",
    area="veille",
)
declare(
    "VEILLE_DELIVERY_BACKOFF_SECONDS",
    10,
    "First wait before retrying an alert delivery; doubled at each attempt (with some spread).",
    area="veille",
)
declare(
    "VEILLE_WEBHOOK_TIMEOUT",
    10.0,
    "Time-out (seconds) of an alert webhook call.",
    area="veille",
)
declare(
    "VEILLE_WEBHOOK_ALLOW_PRIVATE",
    False,
    "Allow alert webhooks to private, loopback or link-local addresses (an SMS gateway on the local "
    "network). Off by default so a commune cannot make the server call internal services.",
    area="veille",
)
declare(
    "VEILLE_DIGEST_HOUR",
    8,
    "Local hour (commune's time zone) at which daily and weekly (Monday) digests are sent.",
    area="veille",
)
declare(
    "VEILLE_TOPICS_DAYS",
    7,
    "Window (days) of mentions grouped into topics on the watch screens.",
    area="veille",
)
