"""Settings of the connectors area (platform connectors, synchronisation, webhooks, file import)."""

from beffroi.conf import declare

# -- Shared HTTP behaviour of every connector (beffroi.connectors.http) ---------------------------
declare(
    "HTTP_TIMEOUT",
    15.0,
    "Time-out in seconds of one HTTP request to a platform (connect, read and write).",
    area="connectors",
)
declare(
    "HTTP_RETRIES",
    3,
    "How many times one platform request is retried after a time-out, a 5xx or a short 429 before the "
    "error is handed to the caller (which retries later).",
    area="connectors",
)
declare(
    "HTTP_MAX_INLINE_WAIT",
    30.0,
    "Longest wait in seconds (Retry-After, backoff) spent inside one request; a longer Retry-After stops the "
    "synchronisation of the account until that time instead of holding a worker.",
    area="connectors",
)

declare(
    "CONNECTORS_ALLOW_PRIVATE_HOSTS",
    False,
    "Let connectors contact addresses inside the server's network (loopback, private, link-local …). Off, an "
    "address a commune types (RSS feed, Mastodon instance, Bluesky server) or a redirect that leads there is "
    "refused (beffroi.connectors.urlguard). Only for tests and local test platforms (the test platform, an AT "
    "Protocol dev-env at localhost): never in production.",
    area="connectors",
)

# -- Synchronisation (beffroi.connectors.sync) ----------------------------------------------------
declare(
    "SYNC_INTERVAL_MINUTES",
    5,
    "How often every connected account is polled for new items (webhooks bring them sooner where the "
    "platform offers them).",
    area="connectors",
)
declare(
    "SYNC_MAX_PAGES",
    50,
    "Most pages fetched by one synchronisation job; a longer backfill continues in a follow-up job.",
    area="connectors",
)
declare(
    "SYNC_BACKFILL_DAYS",
    90,
    "How far back the first synchronisation of a new account reads (days).",
    area="connectors",
)
declare(
    "SYNC_ACTIVE_DAYS",
    30,
    "Posts younger than this (days) are checked for new comments at every poll.",
    area="connectors",
)

# -- Webhooks (beffroi.connectors.views) ----------------------------------------------------------
declare(
    "WEBHOOK_MAX_AGE_HOURS",
    48,
    "Webhook deliveries older than this are refused as stale; receipts (used to refuse replays) are kept this "
    "long. Meta retries failed deliveries for up to 36 hours, so keep it above 36.",
    area="connectors",
)

# -- Meta (Facebook Pages and Instagram professional accounts) -----------------------------------
declare(
    "META_GRAPH_VERSION",
    "v21.0",
    "Version of the Meta Graph API used by the Facebook and Instagram connectors.",
    area="connectors",
)
declare(
    "META_APP_SECRET",
    "",
    "Secret of the instance's Meta app: checks the X-Hub-Signature-256 of Facebook/Instagram webhooks and signs "
    "API calls (appsecret_proof). A commune that connects with its own app gives its secret in the account "
    "screen instead.",
    secret=True,
    area="connectors",
)
declare(
    "META_VERIFY_TOKEN",
    "",
    "Verify token of the instance's Meta app webhooks (hub.verify_token). Each account also gets its own token, "
    "shown in the account screen.",
    secret=True,
    area="connectors",
)

# -- File import (beffroi.connectors.importer) ----------------------------------------------------
declare(
    "IMPORT_MAX_MB",
    50,
    "Largest file (in megabytes) accepted by the import form and the `beffroi import` command.",
    area="connectors",
)

# -- YouTube, X, TikTok, RSS/Atom feeds and the commune's website (CONNECTORS_2) ----------------
declare(
    "YOUTUBE_DAILY_QUOTA",
    10000,
    "Quota units per day (Pacific time) of the Google Cloud project behind a YouTube account (10,000 by "
    "default; raise it only if Google granted more). Beffroi refuses a call that would exceed it.",
    area="connectors",
)
declare(
    "YOUTUBE_QUOTA_RESERVE",
    1000,
    "YouTube quota units kept for moderation actions (hide, reply … cost 50 units each): polling for new "
    "comments stops for the day when fewer remain.",
    area="connectors",
)
declare(
    "TIKTOK_API_BASE",
    "https://business-api.tiktok.com/open_api/v1.3/",
    "Base URL of TikTok API for Business (version v1.3).",
    area="connectors",
)
declare(
    "TIKTOK_WEBHOOK_TOLERANCE_SECONDS",
    300,
    "Largest clock difference accepted between the timestamp signed in a TikTok webhook (TikTok-Signature "
    "t=…) and now; older deliveries are refused as replays.",
    area="connectors",
)
declare(
    "RSS_MAX_BYTES",
    5 * 1024 * 1024,
    "Largest RSS/Atom feed accepted (bytes): the answer is read in pieces and the download stops there; a bigger "
    "feed is reported as a broken feed.",
    area="connectors",
)
declare(
    "WEBSITE_MAX_COMMENT_CHARS",
    2000,
    "Longest comment accepted from the commune's website widget (characters).",
    area="connectors",
)
declare(
    "WEBSITE_RATE_LIMIT",
    5,
    "How many comments one visitor (IP address) may send to a commune's website per window "
    "(WEBSITE_RATE_WINDOW_MINUTES); more are refused with a French message.",
    area="connectors",
)
declare(
    "WEBSITE_RATE_WINDOW_MINUTES",
    10,
    "Length of the per-visitor rate-limit window of the website comment endpoint (minutes).",
    area="connectors",
)
declare(
    "WEBSITE_PROXY_HOPS",
    0,
    "Number of reverse proxies in front of Beffroi that append to X-Forwarded-For (0: use the connection's "
    "address). Used to find the visitor's address for the website comments rate limit.",
    area="connectors",
)
