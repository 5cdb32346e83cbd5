"""Import of history files, through the same machinery as the platforms.

An imported file is an account of platform ``import`` (one per file content, so a file imported twice is
the same account): ``options`` holds the stored file's ``path``, its ``format`` and the commune's
``timezone``; ``fetch`` reads it in pages of ``PAGE_SIZE`` items and the cursor (``{"offset": n}``) is
saved with each page, so a large import interrupted half-way resumes where it stopped. Imported items
are history: they are judged and searchable, but not sent to the review queue (the account is not
"owned"), and no action can be applied on a platform from a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from beffroi.connectors.base import Capability, Connector, CredentialField, FetchPage, PermanentError
from beffroi.connectors.importer.formats import ImportFileError, ParseResult, parse_file

PAGE_SIZE = 500


class ImportConnector(Connector):
    platform = "import"
    label = "Import de fichier"
    guide = "GUIDE.fr.md"
    capabilities = frozenset({Capability.FETCH})
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        cap: "Ces messages viennent d'un fichier importé : aucune action n'est possible sur la plateforme d'origine "
        "depuis Beffroi."
        for cap in Capability
        if cap is not Capability.FETCH
    }
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    external_id_label_fr = "Empreinte du fichier"

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        self._parsed: ParseResult | None = None

    def parsed(self) -> ParseResult:
        if self._parsed is None:
            path = self.config.options.get("path")
            fmt = self.config.options.get("format")
            if not path or not fmt:
                raise PermanentError(
                    "import without file", message_fr="Aucun fichier n'est associé à cet import."
                )
            try:
                result = parse_file(
                    path, str(fmt), timezone=str(self.config.options.get("timezone") or "Europe/Paris")
                )
            except FileNotFoundError as exc:
                raise PermanentError(
                    "file missing", message_fr="Le fichier importé n'est plus disponible sur le serveur."
                ) from exc
            if result.problems:
                raise ImportFileError(result.problems)
            self._parsed = result
        return self._parsed

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        items = self.parsed().items
        offset = int(cursor.get("offset") or 0)
        page = items[offset : offset + PAGE_SIZE]
        new_offset = offset + len(page)
        return FetchPage(
            items=page, cursor={"offset": new_offset, "total": len(items)}, has_more=new_offset < len(items)
        )
