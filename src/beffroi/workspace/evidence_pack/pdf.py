"""The evidence pack's PDF (reportlab): a clean French document for the police, a prosecutor or PHAROS."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from beffroi.workspace.evidence_pack import legal

if TYPE_CHECKING:
    from beffroi.workspace.evidence_pack import PackData
    from beffroi.workspace.models import EvidenceRecord

MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
PURPOSE_FR = {
    "plainte": "Dossier joint à un dépôt de plainte",
    "pharos": "Dossier joint à un signalement PHAROS",
    "archive": "Dossier de preuves (archive de la commune)",
}
_FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str, frozenset[int]]:
    """(regular, bold, covered code points): DejaVu Sans when installed (wide coverage), otherwise the
    Bitstream Vera shipped with reportlab."""
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    candidates = [*_FONT_CANDIDATES, (str(vera / "Vera.ttf"), str(vera / "VeraBd.ttf"))]
    for regular, bold in candidates:
        if Path(regular).exists() and Path(bold).exists():
            name = Path(regular).stem
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, regular))
                pdfmetrics.registerFont(TTFont(name + "-Bold", bold))
            face = pdfmetrics.getFont(name).face
            covered = frozenset(getattr(face, "charToGlyph", {}).keys())
            return name, name + "-Bold", covered
    return "Helvetica", "Helvetica-Bold", frozenset(range(32, 256))


def printable(text: str) -> str:
    """Escape for reportlab's mini-markup; characters the font cannot draw (emoji …) are written as
    [U+1F621] so the printed text stays faithful (the exact text is in the ZIP)."""
    _, _, covered = _fonts()
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append("<br/>")
        elif ch in "\r\t":
            out.append(" ")
        elif code < 32 or 0x200B <= code <= 0x200F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or (covered and code not in covered):
            out.append(f"[U+{code:04X}]")
        else:
            out.append(escape(ch))
    return "".join(out)


def date_fr(value: dt.datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{local.day} {MONTHS_FR[local.month - 1]} {local.year} à {local.hour:02d} h {local.minute:02d} ({tz.key})"


def _article_name(article_id: str) -> str:
    from beffroi.workspace.actions.charter import article_name

    return article_name(article_id)


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, _ = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=13, alignment=TA_LEFT)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor("#3d4450")),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#3d4450")),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=23, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=13, leading=17, spaceBefore=10, spaceAfter=5,
                             textColor=colors.HexColor("#1d3557")),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3),
        "quote": ParagraphStyle("quote", parent=base, fontSize=10, leading=14, leftIndent=6, borderPadding=5,
                                backColor=colors.HexColor("#f3f4f6"), borderColor=colors.HexColor("#c9ced6"),
                                borderWidth=0.5, spaceBefore=3, spaceAfter=6),
        "flag": ParagraphStyle("flag", parent=base, fontName=bold, textColor=colors.HexColor("#8a1c14")),
    }


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    regular, _, _ = _fonts()
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 8.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#d9dee5")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _record_block(record: EvidenceRecord, data: PackData, st: dict[str, ParagraphStyle], tz: ZoneInfo) -> list[Any]:
    labels = list(record.labels or [])
    paths = legal.paths_for(labels)
    kind = legal.KINDS_FR.get(record.kind, record.kind or "élément")
    platform = data.platform_label(record.platform)
    head = f"Preuve n° {record.seq} — {kind} sur {printable(platform)}"
    flow: list[Any] = [Paragraph(head, st["h3"])]
    if paths:
        flow.append(Paragraph(" · ".join(legal.PATH_LABELS_FR[p] for p in paths), st["flag"]))
    p = lambda text: Paragraph(text, st["base"])  # noqa: E731
    rows = [
        [p("Auteur"), p(printable(record.author_label or "inconnu"))],
        [p("Adresse"), p(printable(record.url) if record.url else "— (non fournie par la plateforme)")],
        [p("Identifiant sur la plateforme"), p(printable(str(record.platform_ids.get("external_id", ""))))],
        [p("Publié le"), p(date_fr(record.published_at, tz))],
        [p("Vu par la commune le"), p(date_fr(record.first_seen_at, tz))],
        [p("Décision"), p(f"{legal.DECISIONS_FR.get(record.decision_kind, record.decision_kind)}, le {date_fr(record.decided_at, tz)}")],
        [p("Motifs relevés"), p(printable(", ".join(legal.label_fr(label) for label in labels)) or "—")],
    ]
    if record.article:
        title, _text = data.articles.get(record.article, ("", ""))
        article = f"{_article_name(record.article)} — {title}" if title else record.article
        rows.append([p("Article de la charte"), p(printable(article))])
    flow.append(_table(rows, [45 * mm, 125 * mm]))
    flow.append(Paragraph("Texte publié :", st["small"]))
    flow.append(Paragraph(printable(record.rendered_text) or "<i>(texte vide)</i>", st["quote"]))
    flow.append(
        Paragraph(
            f"Empreinte du contenu (SHA-256) : {record.content_sha256}<br/>"
            f"Empreinte de l'enregistrement : {record.record_hash}<br/>"
            f"Enregistrement précédent : {record.prev_hash}",
            st["mono"],
        )
    )
    flow.append(Spacer(1, 5 * mm))
    return flow


def render_pdf(data: PackData) -> bytes:
    st = _styles()
    tz = ZoneInfo(data.commune.timezone or "Europe/Paris")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Dossier de preuves — {data.commune.name}",
        author=f"Commune de {data.commune.name} (Beffroi)",
        subject=PURPOSE_FR.get(data.purpose, PURPOSE_FR["archive"]),
        lang="fr-FR",
    )
    records = data.records
    flow: list[Any] = [
        Paragraph(f"Dossier de preuves — {printable(data.commune.name)}", st["title"]),
        Paragraph(PURPOSE_FR.get(data.purpose, PURPOSE_FR["archive"]), st["h3"]),
    ]
    p = lambda text: Paragraph(text, st["base"])  # noqa: E731
    info = [
        [p("Commune"), p(printable(data.commune.name) + (f" (INSEE {data.commune.insee_code})" if data.commune.insee_code else ""))],
        [p("Établi le"), p(date_fr(data.exported_at, tz))],
        [p("Par"), p(printable(data.exported_by))],
        [p("Nombre de publications"), p(str(len(records)))],
    ]
    if data.note:
        info.append([p("Objet"), p(printable(data.note))])
    if records:
        first = min(r.published_at for r in records)
        last = max(r.published_at for r in records)
        info.append([p("Période"), p(f"du {date_fr(first, tz)} au {date_fr(last, tz)}")])
    flow.append(_table(info, [45 * mm, 125 * mm]))

    # Summary: what the records are, and what to do.
    counts = Counter(label for r in records for label in (r.labels or []) if label in legal.POINTERS)
    if counts:
        flow.append(Paragraph("Ce que contient ce dossier", st["h2"]))
        rows = [[p("<b>Motif</b>"), p("<b>Publications</b>")]]
        rows += [[p(legal.label_fr(label)), p(str(n))] for label, n in counts.most_common()]
        flow.append(_table(rows, [110 * mm, 60 * mm]))
    complaint = [r for r in records if legal.COMPLAINT in legal.paths_for(list(r.labels or []))]
    pharos = [r for r in records if legal.PHAROS in legal.paths_for(list(r.labels or []))]
    flow.append(Paragraph("Suites à donner", st["h2"]))
    if complaint:
        seqs = ", ".join(f"n° {r.seq}" for r in complaint)
        flow.append(
            Paragraph(
                f"<b>Dépôt de plainte.</b> Les preuves {seqs} visent une ou des personnes (injures, menaces, "
                "harcèlement ou divulgation d'informations personnelles) : la personne visée peut déposer plainte, "
                "et doit le faire elle-même pour une injure ou une diffamation, dans les trois mois.",
                st["base"],
            )
        )
    if pharos:
        seqs = ", ".join(f"n° {r.seq}" for r in pharos)
        flow.append(
            Paragraph(
                f"<b>Signalement PHAROS.</b> Les preuves {seqs} relèvent de la haine ou de la menace : signalez-les "
                f"sur {legal.PHAROS_URL} en donnant l'adresse de chaque publication.",
                st["base"],
            )
        )
    if not complaint and not pharos:
        flow.append(Paragraph("Aucune des publications de ce dossier n'appelle de plainte ni de signalement PHAROS "
                              "d'après les motifs relevés ; le dossier sert d'archive.", st["base"]))
    for key in ("plainte", "pharos", "plateforme", "force_probante"):
        if key == "plainte" and not complaint and data.purpose != "plainte":
            continue
        if key == "pharos" and not pharos and data.purpose != "pharos":
            continue
        title, text = legal.GENERAL_FR[key]
        flow.append(Paragraph(title, st["h3"]))
        flow.append(Paragraph(printable(text), st["base"]))

    pointers = legal.pointers_for(sorted({label for r in records for label in (r.labels or [])}))
    if pointers:
        flow.append(Paragraph("Repères juridiques", st["h2"]))
        for pointer in pointers:
            flow.append(
                KeepTogether(
                    [
                        Paragraph(printable(pointer.title), st["h3"]),
                        Paragraph(printable(pointer.offences), st["base"]),
                        Paragraph("<i>Qui agit, dans quel délai :</i> " + printable(pointer.who_acts), st["base"]),
                    ]
                )
            )

    flow.append(PageBreak())
    flow.append(Paragraph("Les publications", st["h2"]))
    for record in records:
        flow.extend(_record_block(record, data, st, tz))

    used_articles = sorted({r.article for r in records if r.article and r.article in data.articles})
    if used_articles:
        flow.append(Paragraph("Articles de la charte de modération cités", st["h2"]))
        for article_id in used_articles:
            title, text = data.articles[article_id]
            flow.append(Paragraph(printable(f"{_article_name(article_id)} — {title}"), st["h3"]))
            flow.append(Paragraph(printable(text), st["base"]))

    flow.append(Paragraph("Vérifier l'intégrité", st["h2"]))
    flow.append(
        Paragraph(
            "Chaque preuve a été enregistrée au moment de la décision, avec l'empreinte SHA-256 de son contenu et "
            "celle de la preuve précédente de la commune : les preuves forment une chaîne, et toute modification "
            "ou suppression ultérieure se voit au recalcul. L'archive ZIP jointe contient les fichiers exacts "
            "dont les empreintes sont imprimées ici, et le mode d'emploi VERIFIER.txt (outils standard : "
            "sha256sum, shasum ou PowerShell).",
            st["base"],
        )
    )
    flow.append(
        Paragraph(
            f"État de la chaîne au moment de l'export : {printable(data.chain_summary)}<br/>"
            f"Tête de la chaîne : n° {data.head_seq}, empreinte {data.head_hash}",
            st["mono"],
        )
    )

    def footer(canvas: Any, document: Any) -> None:
        regular, _, _ = _fonts()
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#5a6472"))
        canvas.drawString(20 * mm, 10 * mm, f"Dossier de preuves — {data.commune.name} — établi par Beffroi")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
