"""Settings of the moderation area (the engine in beffroi.domain.moderation)."""

from beffroi.conf import declare

declare(
    "MODERATION_CHARTER",
    "",
    "Path of the commune's moderation charter (TOML); empty uses the charter shipped with Beffroi "
    "(src/beffroi/data/charter/default.toml).",
    area="moderation",
)
declare(
    "MODERATION_MODEL",
    "",
    "Path of the learned model artefact (written by `beffroi train` or by the update job); empty uses the model "
    "shipped in src/beffroi/data/models/.",
    area="moderation",
)
declare(
    "MODERATION_USE_MODEL",
    True,
    "Combine the learned model with the rules; off, the engine decides with the rules alone.",
    area="moderation",
)
declare(
    "MODERATION_REPEAT_MEMORY",
    5000,
    "How many recent texts `beffroi classify` remembers to detect repeated posts (spam).",
    area="moderation",
)
