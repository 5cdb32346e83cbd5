"""Watch ("veille"), rumour alerts and the crisis room (web side of beffroi.domain.rumour)."""
