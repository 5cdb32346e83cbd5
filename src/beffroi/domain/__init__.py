"""The pure domain of Beffroi: it never imports Django and is testable without a database.

- ``text``: normalisation of social-media French (accents, leetspeak, homoglyphs, spacing) with a
  map back to the original characters.
- ``moderation``: the moderation engine (rules + learned model) and the commune's charter.
- ``rumour``: near-duplicate clustering, velocity against a baseline, rumour / bad buzz / spike.
- ``deadlines``: working-hour deadlines with French public holidays.
- ``metrics``: precision, recall, F1.
"""
