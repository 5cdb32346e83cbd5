"""The post-crisis report (PDF, reportlab): what circulated, how fast, who amplified it, what the team
did (checklist, reports, replies) and when. A clean French document for the mayor and the council."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from beffroi.domain.rumour.types import load_zone

MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
_FONTS = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str, frozenset[int]]:
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    for regular, bold in [*_FONTS, (str(vera / "Vera.ttf"), str(vera / "VeraBd.ttf"))]:
        if Path(regular).exists() and Path(bold).exists():
            name = "Veille" + Path(regular).stem
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, regular))
                pdfmetrics.registerFont(TTFont(name + "-Bold", bold))
            face = pdfmetrics.getFont(name).face
            return name, name + "-Bold", frozenset(getattr(face, "charToGlyph", {}).keys())
    return "Helvetica", "Helvetica-Bold", frozenset(range(32, 256))


def text(value: Any) -> str:
    """Escaped for reportlab; characters the font cannot draw (emoji) are left out."""
    _, _, covered = fonts()
    out = []
    for ch in str(value or ""):
        if ch == "\n":
            out.append("<br/>")
        elif ord(ch) < 32:
            out.append(" ")
        elif covered and ord(ch) not in covered:
            continue
        else:
            out.append(escape(ch))
    return "".join(out)


def date_fr(value: dt.datetime | None, zone: dt.tzinfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(zone)
    return f"{local.day} {MONTHS_FR[local.month - 1]} {local.year} à {local.hour:02d} h {local.minute:02d}"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, _ = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor("#3d4450")),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=17, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4,
                             textColor=colors.HexColor("#1d3557")),
        "quote": ParagraphStyle("quote", parent=base, fontSize=10, leading=14, leftIndent=6, borderPadding=5,
                                backColor=colors.HexColor("#f3f4f6"), borderColor=colors.HexColor("#c9ced6"),
                                borderWidth=0.5, spaceBefore=3, spaceAfter=6),
    }


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    regular, bold, _ = fonts()
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 8.5),
                ("FONT", (0, 0), (-1, 0), bold, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf4")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c9ced6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def build_report(data: dict[str, Any]) -> bytes:
    """The PDF of a crisis report (``data`` from ``beffroi.veille.views_crisis.report_data``)."""
    st = _styles()
    zone = load_zone(data["commune"].timezone or "Europe/Paris")
    crisis = data["crisis"]
    story: list[Any] = []

    def para(value: str, style: str = "base") -> None:
        story.append(Paragraph(value, st[style]))

    para(f"Rapport de crise — {text(data['commune'].name)}", "title")
    status = "close" if crisis.status == "closed" else "en cours"
    para(
        f"Cellule {status} · ouverte le {date_fr(crisis.opened_at, zone)}"
        + (f" · close le {date_fr(crisis.closed_at, zone)}" if crisis.closed_at else "")
        + f" · rapport établi le {date_fr(data['generated_at'], zone)}",
        "small",
    )
    para("Ce qui a circulé", "h2")
    para(text(crisis.title), "quote")
    if crisis.contradicted_fact:
        para(f"<b>Fait officiel rétabli :</b> {text(crisis.contradicted_fact)}")
    para("En chiffres", "h2")
    s = data["stats"]
    para(
        f"{s['posts']} message(s) de {s['authors']} compte(s) distinct(s) sur {s['platforms']} · premier message le "
        f"{date_fr(s['first'], zone)} · dernier le {date_fr(s['last'], zone)} · vitesse maximale {s['peak']} message(s) "
        f"par heure · portée estimée {s['reach']:,} personnes (j'aime {s['likes']}, partages {s['shares']}).".replace(",", " ")
    )
    if data["alerts"]:
        para("Alertes", "h2")
        rows = [["Détectée le", "Type", "Vitesse", "Rythme habituel", "Envois"]]
        for a in data["alerts"]:
            rows.append(
                [date_fr(a.detected_at, zone), a.kind_label, f"{a.velocity:.0f}/h", f"{a.baseline:.1f}/h", str(a.sent)]
            )
        story.append(_table(rows, [45 * mm, 30 * mm, 22 * mm, 30 * mm, 20 * mm]))
    if data["timeline"]:
        para("Déroulé (messages par heure)", "h2")
        rows = [["Heure", "Messages"]] + [[label, str(n)] for label, n in data["timeline"]]
        story.append(_table(rows, [60 * mm, 25 * mm]))
    if data["amplifiers"]:
        para("Comptes qui ont amplifié", "h2")
        rows = [["Compte", "Pourquoi", "Messages"]]
        for a in data["amplifiers"][:30]:
            rows.append([Paragraph(text(a["author"]), st["small"]), Paragraph(text(a["why"]), st["small"]), str(a["posts"])])
        story.append(_table(rows, [50 * mm, 95 * mm, 20 * mm]))
    para("Ce que l'équipe a fait", "h2")
    rows = [["Étape", "Fait", "Par", "Le"]]
    for step in data["checklist"]:
        rows.append(
            [Paragraph(text(step["label"]), st["small"]), "oui" if step["done"] else "non", text(step["by"] or "—"),
             date_fr(step["at"], zone) if step["at"] else "—"]
        )
    story.append(_table(rows, [80 * mm, 12 * mm, 35 * mm, 40 * mm]))
    story.append(Spacer(1, 4 * mm))
    para(f"Messages signalés aux plateformes : {len(data['reports'])}. Réponses aux habitants : {len(data['replies'])}.")
    if data["reports"]:
        by_platform = Counter(r.item.platform for r in data["reports"])
        para("Par plateforme : " + ", ".join(f"{text(p)} {n}" for p, n in sorted(by_platform.items())), "small")
    if data["replies"]:
        para("Réponses aux habitants", "h2")
        rows = [["Le", "Par", "Réponse"]]
        for r in data["replies"][:40]:
            who = r.by.get_username() if r.by is not None else "—"
            rows.append([date_fr(r.at, zone), text(who), Paragraph(text(r.text), st["small"])])
        story.append(_table(rows, [38 * mm, 28 * mm, 100 * mm]))
    if crisis.closing_note:
        para("Bilan", "h2")
        para(text(crisis.closing_note))
    para("Premiers messages", "h2")
    rows = [["Publié le", "Compte", "Plateforme", "Texte"]]
    for item in data["first_items"][:25]:
        rows.append(
            [date_fr(item.published_at, zone), Paragraph(text(item.author or "—"), st["small"]), text(item.platform),
             Paragraph(text(item.text[:400]), st["small"])]
        )
    story.append(_table(rows, [32 * mm, 30 * mm, 20 * mm, 85 * mm]))
    story.append(Spacer(1, 6 * mm))
    para("Document produit par Beffroi à partir du journal d'audit de la commune.", "small")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=f"Rapport de crise — {data['commune'].name}", author="Beffroi", lang="fr",
    )
    doc.build(story)
    return buffer.getvalue()
