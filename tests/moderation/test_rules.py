"""Each rule, with the rules alone (no model): what fires, what must not, and the evidence."""

from __future__ import annotations

import pytest

from beffroi.domain.moderation.engine import Engine
from beffroi.domain.moderation.rules import RULES
from beffroi.domain.moderation.types import Label

# (text, rule that must fire, label it gives)
FIRES = [
    # slurs
    ("Ferme-la sale pédé", "slurs", "hate"),
    ("Ferme-la sale pédé", "slurs", "insult"),
    ("T'es qu'un youpin", "slurs", "hate"),
    ("des b.a.m.b.o.u.l.a.s partout", "slurs", "hate"),
    # derogation
    ("Les juifs sont des rats.", "derogation", "hate"),
    ("Je déteste les musulmans.", "derogation", "hate"),
    ("Les femmes me dégoûtent.", "derogation", "hate"),
    ("Ces sales Arabes nous envahissent.", "derogation", "hate"),
    ("J'ai croisé des Roms hier. Ce sont des parasites.", "derogation", "hate"),
    ("Les juifs ne sont-ils pas tous des voleurs ?", "derogation", "hate"),
    ("Pourquoi les handicapés sont-ils si inutiles ?", "derogation", "hate"),
    ("Je pense que les femmes sont inférieures.", "derogation", "hate"),
    # exclusion and negated positives
    ("Dehors les migrants !", "exclusion", "hate"),
    ("Les femmes n'ont rien à faire en politique.", "exclusion", "hate"),
    ("Les Noirs ne sont pas des êtres humains.", "exclusion", "hate"),
    ("Les trans ne méritent pas le respect.", "exclusion", "hate"),
    ("Je n'aime pas les Arabes.", "exclusion", "hate"),
    # threats
    ("Je vais te tuer.", "threats", "threat"),
    ("Il faudrait exécuter tous les Roms.", "threats", "threat"),
    ("Il faudrait exécuter tous les Roms.", "threats", "hate"),
    ("Tous les trans devraient être pendus.", "threats", "threat"),
    ("Je sais où tu habites.", "threats", "threat"),
    ("Mort aux juifs.", "threats", "hate"),
    ("Il faudrait brûler la maison de l'adjoint.", "threats", "threat"),
    # insults
    ("T'es qu'une ordure.", "insults", "insult"),
    ("Mon voisin est un connard.", "insults", "insult"),
    ("Les élus sont des parasites.", "insults", "insult"),
    ("connard !", "insults", "insult"),
    ("ntm fdp", "insults", "insult"),
    ("putain de maire", "insults", "insult"),
    # harassment
    ("personne ne t'aime", "harassment", "harassment"),
    ("va te pendre", "harassment", "harassment"),
    ("t moche grosse vache", "harassment", "harassment"),
    ("envoie des nudes", "harassment", "sexual"),
    # sexual
    ("Regarde ma bite", "sexual", "sexual"),
    ("vidéos porno gratuites", "sexual", "sexual"),
    # personal data
    ("Appelez-le au 06 12 34 56 78", "personal_data", "personal_data"),
    ("il habite 12 rue des Lilas", "personal_data", "personal_data"),
    ("son mail : kevin.durand@gmail.com", "personal_data", "personal_data"),
    ("sa voiture AB-123-CD est garée devant", "personal_data", "personal_data"),
    # spam
    ("Gagnez 500€ par jour depuis chez vous, cliquez ici bit.ly/xyz", "spam", "spam"),
    ("Crypto : rendement garanti, contactez-moi sur WhatsApp", "spam", "spam"),
    # style and civic labels
    ("LE MAIRE NE FAIT RIEN POUR NOUS", "shouting", "shouting"),
    ("Quand est-ce qu'on aura la fibre ???", "shouting", "shouting"),
    ("Bonjour, à quelle heure ouvre la déchetterie ?", "question", "question"),
    ("Merci pour le feu d'artifice, bravo à toute l'équipe !", "praise", "praise"),
    ("Les travaux n'avancent pas, c'est inadmissible.", "criticism", "criticism"),
]

# (text, labels that must NOT be given by the rules)
SILENT = [
    ("Je ne déteste pas les musulmans.", {"hate"}),
    ("Aucune femme n'est inférieure.", {"hate"}),
    ("Les immigrés ne sont pas des criminels.", {"hate"}),
    ("« Les Arabes dehors », voilà ce qu'on lit, c'est honteux.", {"hate"}),
    ("Dire que les gays sont malades, c'est de l'homophobie.", {"hate"}),
    ("Si tu dis que les Noirs sont des singes, t'es un abruti.", {"hate"}),
    ("Je suis fière d'être lesbienne.", {"hate", "insult"}),
    ("Les réfugiés ukrainiens sont arrivés à l'école.", {"hate"}),
    ("J'adore les musulmans.", {"hate"}),
    ("Putain quelle journée.", {"insult", "hate"}),
    ("Merde, raté le bus.", {"insult", "hate"}),
    ("Ce parking est une merde.", {"insult"}),
    ("Je déteste les lundis.", {"hate", "insult"}),
    ("Les moustiques sont des parasites.", {"hate", "insult"}),
    ("Les élus sont des parasites.", {"hate"}),
    ("Ce film m'a tué.", {"threat"}),
    ("Je vais tuer le temps en lisant.", {"threat"}),
    ("Je suis mort de rire.", {"threat"}),
    ("Le platane malade sera abattu lundi.", {"threat"}),
    ("Salut mon pote !", {"insult", "sexual"}),
    ("La chatte de ma voisine a eu des chatons.", {"sexual"}),
    ("Standard de l'hôtel de ville : 02 41 57 30 00", {"personal_data"}),
    ("Rendez-vous samedi à 10h pour la plantation", {"question", "spam"}),
    ("Bravo la mairie, encore une rue fermée sans prévenir", {"praise"}),
    ("t'es trop con jtm frérot", {"harassment"}),
]


@pytest.mark.parametrize(("text", "rule", "label"), FIRES)
def test_rule_fires_with_evidence(rules_engine: Engine, text: str, rule: str, label: str) -> None:
    judgement = rules_engine.run_rules(text)
    hits = [h for h in judgement.hits if h.source == rule and h.label.value == label and h.score >= 0.5]
    assert hits, (
        f"{rule} n'a pas donné {label}: {[(h.source, h.label.value, round(h.score, 2)) for h in judgement.hits]}"
    )
    for hit in hits:
        assert hit.detail
        for span in hit.evidence:
            assert text[span.start : span.end] == span.text and span.text.strip()


@pytest.mark.parametrize(("text", "forbidden"), SILENT)
def test_rules_stay_silent(rules_engine: Engine, text: str, forbidden: set[str]) -> None:
    verdict = rules_engine.judge(text)
    assert not {label.value for label in verdict.labels} & forbidden, verdict.scores


def test_every_rule_is_registered_once() -> None:
    names = [name for name, _ in RULES]
    assert len(names) == len(set(names))
    assert {
        "slurs",
        "derogation",
        "exclusion",
        "threats",
        "insults",
        "harassment",
        "sexual",
        "personal_data",
        "spam",
        "shouting",
        "question",
        "criticism",
        "praise",
        "intervention",
        "charter_block",
    } == set(names)


def test_private_message_lowers_personal_data(rules_engine: Engine) -> None:
    from beffroi.domain.moderation.types import Context

    text = "Vous pouvez me joindre au 06 12 34 56 78"
    public = rules_engine.judge(text).scores[Label.PERSONAL_DATA]
    private = rules_engine.judge(text, Context(is_private=True)).scores[Label.PERSONAL_DATA]
    assert private < public


def test_repeated_posts_are_spam(rules_engine: Engine) -> None:
    text = "Venez découvrir notre nouvelle page de recettes de cuisine maison"
    assert Label.SPAM not in rules_engine.judge(text).labels
    assert Label.SPAM in rules_engine.judge(text, repeats=3).labels


def test_a_defender_naming_the_abuse_is_not_flagged_but_abuse_beside_it_is(full_engine: Engine) -> None:
    engine = full_engine
    for text in (
        "arrête de la harceler elle a rien fait",
        "elle t'a rien fait pourquoi tu l'insultes",
        "si ça continue je vais en parler au CPE",
        "laissez-le tranquille, c'est du harcèlement ce que vous faites",
    ):
        verdict = engine.judge(text)
        assert not set(verdict.labels) & {Label.INSULT, Label.THREAT, Label.HARASSMENT, Label.HATE}, text
    assert Label.INSULT in engine.judge("laisse-la tranquille sale connard").labels
    assert Label.THREAT in engine.judge("arrête de la harceler ou je te défonce").labels
