"""Settings of the moderation workflow: the outbox that applies decisions on the platforms, review
deadlines, reminders and on-call alerts."""

from beffroi.conf import declare

declare(
    "OUTBOX_MAX_ATTEMPTS",
    8,
    "How many times an action (hide, reply …) is tried on the platform before it is shown as "
    "\"échouée — réessayer\".",
    area="workflow",
)
declare(
    "OUTBOX_BACKOFF_SECONDS",
    30,
    "First wait in seconds before trying a failed action again; it doubles at every attempt (with a little "
    "random spread) up to OUTBOX_BACKOFF_MAX_SECONDS. A platform's Retry-After is always honoured.",
    area="workflow",
)
declare(
    "OUTBOX_BACKOFF_MAX_SECONDS",
    3600,
    "Longest wait in seconds between two attempts of the same action.",
    area="workflow",
)
declare(
    "OUTBOX_LEASE_SECONDS",
    120,
    "How long a worker holds an action it is sending. If the worker dies meanwhile, the sweeper takes the "
    "action back after this delay and first checks on the platform whether it was already applied.",
    area="workflow",
)
declare(
    "OUTBOX_SWEEP_SECONDS",
    60,
    "How often the workflow's sweeper runs: actions to send again (crash recovery, retries, reconnected "
    "accounts), review deadlines (reminder before, escalation after) and the end of temporary blocks.",
    area="workflow",
)
declare(
    "UNDO_SECONDS",
    10,
    "How long the \"Annuler\" button stays in the notice shown after an action (the history keeps an undo "
    "button for reversible decisions afterwards).",
    area="workflow",
)
