"""Settings of the web application, the database and e-mail."""

from beffroi.conf import declare, parse_list

declare("DATABASE_URL", "", "Database URL (postgresql://…); empty means the embedded SQLite file in DATA_DIR.")
declare("DATA_DIR", "var", "Folder for the SQLite database, uploaded files, models and evidence packs.")
declare("SECRET_KEY", "", "Django secret key. Required when DEBUG is off.", secret=True)
declare(
    "ENCRYPTION_KEYS",
    "",
    "Comma-separated Fernet keys used to encrypt platform tokens at rest; the first one encrypts, all decrypt "
    "(key rotation). Required in production.",
    secret=True,
)
declare("DEBUG", False, "Django debug mode (never in production).")
declare("ALLOWED_HOSTS", ["127.0.0.1", "localhost"], "Host names the application answers to.", parse=parse_list)
declare("BASE_URL", "http://127.0.0.1:8000", "Public URL of this instance, used in e-mails and alerts.")
declare("LANGUAGE_CODE", "fr", "Default interface language (fr or en).")
declare("TIME_ZONE", "Europe/Paris", "Default time zone of the instance.")
declare("EMAIL_HOST", "", "SMTP server; empty writes e-mails to the console.")
declare("EMAIL_PORT", 25, "SMTP port.")
declare("EMAIL_HOST_USER", "", "SMTP user.")
declare("EMAIL_HOST_PASSWORD", "", "SMTP password.", secret=True)
declare("EMAIL_USE_TLS", False, "Use STARTTLS with the SMTP server.")
declare("EMAIL_FROM", "beffroi@localhost", "Sender address of e-mails sent by Beffroi.")
declare("REQUIRE_SECRETS", False, "Refuse to start without SECRET_KEY and ENCRYPTION_KEYS (set it in production).")
declare("TEST_DATABASE_NAME", "", "Name of the database the test suite creates (PostgreSQL); empty: Django's default.")
declare("LOG_LEVEL", "INFO", "Log level (DEBUG, INFO, WARNING, ERROR).")
