"""Character tables for normalisation: homoglyphs, invisible characters, apostrophes and quotes."""

from __future__ import annotations

# Zero-width characters, bidi controls, variation selectors, keycap and other invisible marks.
REMOVED: frozenset[str] = frozenset(
    [
        "\u00ad",  # soft hyphen
        "\u034f",  # combining grapheme joiner
        "\u061c",  # arabic letter mark
        "\u115f",
        "\u1160",
        "\u17b4",
        "\u17b5",
        "\u180e",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2060",
        "\u2061",
        "\u2062",
        "\u2063",
        "\u2064",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u206a",
        "\u206b",
        "\u206c",
        "\u206d",
        "\u206e",
        "\u206f",
        "\u20e3",  # combining enclosing keycap
        "\u3164",
        "\ufeff",
        "\uffa0",
        *[chr(c) for c in range(0xFE00, 0xFE10)],  # variation selectors
        *[chr(c) for c in range(0x1F3FB, 0x1F400)],  # skin-tone modifiers
        *[chr(c) for c in range(0xE0000, 0xE0080)],  # tags
    ]
)

APOSTROPHES: frozenset[str] = frozenset("'’‘`´ʼʻ′‛")
QUOTES: frozenset[str] = frozenset('"«»“”„‟‹›〝〞＂')

# Lookalikes that Unicode normalisation does not map (Cyrillic, Greek, others) and a few ligatures.
_PAIRS = {
    # Cyrillic lowercase
    "а": "a", "б": "b", "в": "b", "г": "r", "д": "d", "е": "e", "ё": "e", "ж": "x", "з": "3", "и": "u",
    "й": "u", "к": "k", "л": "n", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t",
    "у": "y", "ф": "f", "х": "x", "ц": "u", "ч": "4", "ш": "w", "щ": "w", "ъ": "b", "ы": "bi", "ь": "b",
    "э": "e", "ю": "io", "я": "r", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "һ": "h", "ӏ": "l", "ɡ": "g", "ү": "y", "ҝ": "k", "ӧ": "o", "ӱ": "y",
    # Cyrillic uppercase
    "А": "a", "В": "b", "Е": "e", "Ё": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
    "Т": "t", "У": "y", "Х": "x", "І": "i", "Ј": "j", "Ѕ": "s", "Ү": "y", "З": "3", "Ь": "b", "Л": "n",
    "П": "n", "И": "u", "Д": "d", "Г": "r", "Ш": "w", "Ф": "f", "Я": "r", "Ч": "4",
    # Greek
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "ζ": "z", "η": "n", "θ": "o", "ι": "i", "κ": "k",
    "λ": "l", "μ": "u", "ν": "v", "ξ": "e", "ο": "o", "π": "n", "ρ": "p", "σ": "o", "ς": "s", "τ": "t",
    "υ": "u", "φ": "f", "χ": "x", "ψ": "w", "ω": "w", "ά": "a", "έ": "e", "ή": "n", "ί": "i", "ό": "o",
    "ύ": "u", "ώ": "w",
    "Α": "a", "Β": "b", "Γ": "r", "Δ": "a", "Ε": "e", "Ζ": "z", "Η": "h", "Θ": "o", "Ι": "i", "Κ": "k",
    "Λ": "a", "Μ": "m", "Ν": "n", "Ξ": "e", "Ο": "o", "Π": "n", "Ρ": "p", "Σ": "e", "Τ": "t", "Υ": "y",
    "Φ": "f", "Χ": "x", "Ψ": "w", "Ω": "o",
    # Latin extras and IPA lookalikes
    "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
    "ł": "l", "Ł": "l", "ı": "i", "ȷ": "j", "ɑ": "a", "ɐ": "a", "ɒ": "a", "ɓ": "b", "ƈ": "c", "ɗ": "d",
    "ɛ": "e", "ə": "e", "ɠ": "g", "ɦ": "h", "ɨ": "i", "ɩ": "i", "ɪ": "i", "ʝ": "j", "ĸ": "k", "ʟ": "l",
    "ɱ": "m", "ɴ": "n", "ŋ": "n", "ɵ": "o", "ʀ": "r", "ʂ": "s", "ʈ": "t", "ʉ": "u", "ʊ": "u", "ʋ": "v",
    "ʌ": "v", "ʍ": "w", "ʏ": "y", "ʐ": "z", "ȥ": "z", "þ": "p", "ð": "d", "ħ": "h", "ŧ": "t",
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ᴊ": "j", "ᴋ": "k",
    "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ǫ": "q", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    "∂": "d", "ℓ": "l", "€": "€", "¢": "c", "¥": "y", "†": "t", "∪": "u", "∩": "n", "×": "x",
    "Ꭺ": "a", "Ᏼ": "b", "Ꮯ": "c", "Ꭼ": "e", "Ꮋ": "h", "Ꮖ": "i", "Ꮶ": "k", "Ꮮ": "l", "Ꮇ": "m",
    "Ꮲ": "p", "Ꭱ": "r", "Ꮪ": "s", "Ꭲ": "t", "Ꮩ": "v", "Ꮃ": "w", "Ꮓ": "z",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-", "−": "-",
    "…": "...",
}  # fmt: skip

HOMOGLYPHS: dict[str, str] = dict(_PAIRS)
