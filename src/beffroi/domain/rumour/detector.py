"""The streaming detector: ``Detector.observe(post) -> list[Alert]``.

One detector per commune. It keeps, in memory and in its JSON snapshot:

- the commune's rhythm (:class:`~.baseline.RhythmBaseline`), learned from the stream;
- the active clusters of near-duplicate and paraphrased posts, with their aggregates;
- the authors seen (first appearance), to spot new accounts amplifying a claim;
- the term statistics that weight content words.

``snapshot()`` returns a JSON-serialisable dict; ``Detector.restore(snapshot)`` gives a detector that
continues exactly as the original would have (same alerts for the same following posts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from beffroi.domain.rumour.baseline import RhythmBaseline
from beffroi.domain.rumour.classify import Params, Verdict, decide
from beffroi.domain.rumour.clusters import (
    MARK_CLAIM,
    MARK_OFFICIAL,
    MARK_PRESS,
    MARK_REPLY,
    MAX_MEMBERS,
    MAX_SIGS,
    MAX_TEXTS,
    Cluster,
    centrality,
    cluster_similarity,
    minhash_similarity,
    poles,
    story_overlap,
    weighted_f1,
)
from beffroi.domain.rumour.embeddings import Embedder, cosine, normalise_vector
from beffroi.domain.rumour.explain import build_alert
from beffroi.domain.rumour.facts import FactBase, FactCheck
from beffroi.domain.rumour.features import (
    DISRUPTIVE_POLES,
    PostFeatures,
    extract,
    generic_terms,
    is_official_author,
    is_press_author,
    town_keys,
    town_stems,
)
from beffroi.domain.rumour.minhash import LSHIndex, MinHasher
from beffroi.domain.rumour.types import BAD_BUZZ, RUMOUR, SPIKE, Alert, CommuneConfig, Post, load_zone
from beffroi.domain.rumour.weights import TermStats
from beffroi.domain.sentiment.textprep import stem, stopwords, tokens

SNAPSHOT_VERSION = 1
OFFICIAL_UPDATE_DAYS = 14
EPISODE_HOURS = 6.0  # the posts an alert shows come from the last hours of the cluster
NUM_PERM = 64
BANDS = 16
SEED = 20190114
_DIGITS = re.compile(r"\d")
_INSTITUTION = frozenset({"C:mairie", "C:impot", "C:arrete"})
ANNOUNCEMENT_HOURS = 72.0  # an official or press announcement covers its relays this long
ANNOUNCEMENTS_KEPT = 200
#: A cluster alerted as a spike may be alerted again as a bad buzz or a rumour when the evidence grows
#: (a bad buzz that starts as a surge of news); never the other way round.
_RANK = {SPIKE: 0, BAD_BUZZ: 1, RUMOUR: 2}


class Detector:
    def __init__(
        self, config: CommuneConfig, params: Params | None = None, embedder: Embedder | None = None
    ) -> None:
        self.config = config
        self.embedder = embedder
        self.params = params or Params()
        self.zone = load_zone(config.timezone)
        self.baseline = RhythmBaseline(config.posts_per_day)
        self.stats = TermStats()
        self.hasher = MinHasher(NUM_PERM, SEED)
        self.lsh = LSHIndex(NUM_PERM, BANDS)
        self.clusters: dict[str, Cluster] = {}
        self.term_index: dict[str, list[str]] = {}
        self.post_cluster: dict[str, tuple[str, float]] = {}
        self.authors: dict[str, float] = {}  # author -> first seen (epoch seconds)
        # fact key -> recent contradicting posts [ts, author, cluster id, names the fact's place (1/0)]
        self.fact_hits: dict[str, list[tuple[float, str, str, int]]] = {}
        # fact key -> last time an official account said otherwise (the fact base is out of date)
        self.official_updates: dict[str, float] = {}
        # changes announced by official or press accounts: [ts, subject terms, disruptive poles]
        self.announcements: list[tuple[float, list[str], list[str]]] = []
        self.first_ts: float | None = None
        self.clock: float = 0.0
        self.next_prune: float = 0.0
        self.counter = 0
        self.observed = 0
        self._vector: list[float] | None = None
        self._town_terms = frozenset(
            stem(t) for t in tokens(f"{config.name} {config.slug}") if len(t) >= 3 and t not in stopwords()
        )
        self._town_keys = town_keys(config.slug, config.name)
        self.facts = FactBase(config.facts, ignore=self._town_terms, town=self._town_keys)
        self._local_places = [
            " ".join(tokens(p)) for p in [config.name, config.slug, *config.local_places] if p
        ]

    # -- public API ---------------------------------------------------------------------------------
    def observe(self, post: Post) -> list[Alert]:
        """Feed one post (in stream order); returns the alerts it triggers (usually none)."""
        ts = post.created_at.timestamp()
        if self.first_ts is None:
            self.first_ts = ts
        self.clock = max(self.clock, ts)
        self.observed += 1
        self.baseline.observe(post.created_at.astimezone(self.zone))
        feats = extract(post.text)
        town = self._town_terms | town_stems(feats, self._town_keys)
        if town:
            feats.terms = [t for t in feats.terms if t not in town]
            feats.subject_terms = [t for t in feats.subject_terms if t not in town]
        names = set(feats.names)
        for term in feats.terms:
            self.stats.note_prior(term, feats.surface.get(term, ""), term in names)
        sig = self.hasher.signature(post.text)
        self._vector = normalise_vector(self.embedder(post.text)) if self.embedder is not None else None
        check = self.facts.assess(feats)
        cluster = self._assign(post, feats, sig, ts, against=check.contradicted is not None)
        self._add(cluster, post, feats, sig, ts, check)
        if self._vector is not None:
            k = min(cluster.n, 50)
            if not cluster.centroid:
                cluster.centroid = list(self._vector)
            else:
                cluster.centroid = [
                    (c * (k - 1) + v) / k for c, v in zip(cluster.centroid, self._vector, strict=True)
                ]
        self.post_cluster[post.id] = (cluster.id, ts)
        cluster = self._consolidate(cluster, ts)
        self.authors.setdefault(post.author, ts)
        alerts = self._evaluate(cluster, post, ts)
        if self.clock >= self.next_prune:
            self._prune()
            self.next_prune = self.clock + 3600.0
        return alerts

    def observe_many(self, posts: Iterable[Post]) -> list[Alert]:
        out: list[Alert] = []
        for post in posts:
            out.extend(self.observe(post))
        return out

    def cluster_of(self, post_id: str) -> Cluster | None:
        entry = self.post_cluster.get(post_id)
        return None if entry is None else self.clusters.get(entry[0])

    def active_clusters(self, min_size: int = 2) -> list[Cluster]:
        return sorted(
            (c for c in self.clusters.values() if c.n >= min_size), key=lambda c: (-c.last_ts, c.id)
        )

    # -- clustering ---------------------------------------------------------------------------------
    def _candidates(self, feats: PostFeatures, sig: Any, ts: float, near: set[str]) -> list[Cluster]:
        ids: set[str] = set(near)
        ranked = sorted(feats.terms, key=lambda t: (-self.stats.weight(t), t))
        for term in ranked[:5]:
            if self.stats.weight(term) < 1.0:
                continue
            ids.update(self.term_index.get(term, [])[-40:])
        if self._vector is not None:  # with embeddings, a paraphrase may share no word at all
            recent = sorted(self.clusters.values(), key=lambda c: (-c.last_ts, c.id))[:100]
            ids.update(c.id for c in recent if c.centroid)
        out: list[Cluster] = []
        for cid in sorted(ids):
            c = self.clusters.get(cid)
            if c is None:
                continue
            horizon = self.params.story_hours if c.alerted else self.params.active_hours
            if ts - c.last_ts <= horizon * 3600:
                out.append(c)
        return out

    def _assign(self, post: Post, feats: PostFeatures, sig: Any, ts: float, against: bool = False) -> Cluster:
        p = self.params
        # a reply stays in its parent's conversation unless it clearly tells another story
        parent = self.cluster_of(post.reply_to) if post.reply_to is not None else None
        if parent is not None:
            horizon = p.story_hours if parent.alerted else p.active_hours
            if ts - parent.last_ts > horizon * 3600:
                parent = None
        if parent is not None and (
            len(feats.terms) <= 3
            or feats.has("debunk")
            or feats.has("doubt")
            or self._similarity(feats, sig, parent) >= p.reply_threshold
        ):
            return parent
        best: Cluster | None = None
        best_sim = 0.0
        near = self.lsh.query(sig)
        for c in self._candidates(feats, sig, ts, near):
            if against and not c.contra and (c.count("official") or c.count("support")):
                continue  # a claim against a fact does not join the official news it twists
            sim = self._similarity(feats, sig, c, c.id in near)
            if sim > best_sim:
                best, best_sim = c, sim
        if best is not None and best_sim >= p.join_threshold:
            return best
        if parent is not None:
            return parent
        self.counter += 1
        cid = f"c{self.counter:06d}"
        cluster = Cluster(id=cid, first_ts=ts, last_ts=ts)
        self.clusters[cid] = cluster
        self.stats.new_cluster()
        return cluster

    def _consolidate(self, c: Cluster, ts: float) -> Cluster:
        """Merge a young cluster with another young cluster telling the same story (paraphrases that
        started apart: "l'eau est polluée" and "des bactéries dans l'eau du robinet")."""
        p = self.params
        if c.n < 1 or c.n > p.merge_max_size:
            return c
        ranked = sorted(c.core_terms(), key=lambda t: (-self.stats.weight(t), t))
        ids: set[str] = set()
        for term in ranked[:4]:
            if self.stats.weight(term) >= 1.5:
                ids.update(self.term_index.get(term, [])[-30:])
        if c.count("claim"):
            # what most of a claim's posts name, however common the word ("la poste"): see
            # clusters._same_claim
            generic = generic_terms()
            for term in ranked:
                if (
                    not term.startswith(("P:", "A:"))
                    and term not in generic
                    and c.term_counts.get(term, 0) * 2 >= c.n
                    and self.stats.weight(term) >= 1.0
                ):
                    ids.update(self.term_index.get(term, [])[-30:])
        for cid in sorted(ids):
            other = self.clusters.get(cid)
            if other is None or other is c or other.n > p.merge_max_size:
                continue
            if ts - other.last_ts > p.merge_hours * 3600:
                continue
            if story_overlap(c, other, self.stats) >= p.merge_threshold:
                dst, src = (other, c) if (other.first_ts, other.id) < (c.first_ts, c.id) else (c, other)
                self._merge(src, dst)
                c = dst
        return c

    def _similarity(self, feats: PostFeatures, sig: Any, c: Cluster, near: bool = True) -> float:
        p = self.params
        sim = weighted_f1(feats.terms, c, self.stats)
        if self._vector is not None and c.centroid and len(feats.terms) >= 2:
            close = cosine(self._vector, c.centroid)
            if close >= p.embed_threshold:
                sim = max(sim, p.join_threshold + (close - p.embed_threshold))
        if near and len(feats.terms) >= 3:  # near-duplicate shingles, not for "Merci !" or "Source ?"
            sim = max(sim, minhash_similarity(sig, c) * (p.join_threshold / p.minhash_threshold))
        return sim

    def _add(
        self,
        c: Cluster,
        post: Post,
        feats: PostFeatures,
        sig: Any,
        ts: float,
        check: FactCheck,
    ) -> None:
        official = is_official_author(post.author, self.config.official_accounts)
        press = not official and is_press_author(post.author)
        new_terms = [t for t in feats.terms if t not in c.term_counts]
        self.stats.add_cluster_terms(ts, new_terms)
        for t in feats.terms:
            c.term_counts[t] = c.term_counts.get(t, 0) + 1
            if t in new_terms:
                self.term_index.setdefault(t, []).append(c.id)
        c.n += 1
        c.last_ts = max(c.last_ts, ts)
        c.first_ts = min(c.first_ts, ts)
        member = len(c.ids) < MAX_MEMBERS
        if member:
            c.ids.append(post.id)
            c.times.append(ts)
            c.authors.append(post.author)
            c.marks.append(0)
        flags = (1 if feats.has("debunk") else 0) | (2 if feats.has("doubt") else 0)
        flags |= (4 if post.reply_to else 0) | (8 if official else 0)
        carries = (
            feats.has("hearsay")
            or feats.has("urgency")
            or feats.has("official_claim")
            or feats.has("alarm")
            or any(pole in DISRUPTIVE_POLES for pole in feats.predicates)
            or check.contradicted is not None
        )
        if carries:
            flags |= 16
        stored_claims = sum(1 for f in c.text_flags if f & 16)
        if len(c.texts) < MAX_TEXTS or (carries and stored_claims < MAX_TEXTS):
            c.texts.append(post.text)
            c.text_terms.append(list(feats.terms))
            c.text_flags.append(flags)
        if len(c.sigs) < MAX_SIGS:
            c.sigs.append(sig)
            self.lsh.insert(c.id, sig)
        for category, phrases in feats.cues.items():
            if phrases:
                c.bump(category)
        for pole in feats.predicates:
            c.bump("pole:" + pole)
        unverified = (
            feats.has("hearsay") or feats.has("urgency") or (feats.has("official_claim") and not official)
        )
        if unverified:
            c.bump("unverified")
        disruptive = any(pole in DISRUPTIVE_POLES for pole in feats.predicates) or feats.has("alarm")
        reported = feats.has("hearsay") or feats.has("urgency")  # not "c'est officiel !" (often good news)
        if (disruptive or reported) and (unverified or not feats.question):
            # an assertion ("le gymnase est fermé ?" only asks); a hearsay report ("ma sœur a vu les
            # gendarmes embarquer le maire") asserts that something happened, whatever the verb
            c.bump("claim")
        if any(t in _INSTITUTION for t in feats.terms):
            c.bump("institution")
        if feats.question and not unverified:
            c.bump("question")
        if feats.sentiment is not None:
            c.bump(feats.sentiment.label)
        if official:
            c.bump("official")
        if post.reply_to:
            c.bump("replies")
        contradicted, reason, supported = check.contradicted, check.reason, check.supported
        asserts = not feats.has("debunk") and (not feats.question or unverified)
        if press:
            c.bump("press")
        if official or press:
            self._note_announcement(feats, ts)
        if contradicted is not None and asserts and press:
            c.bump("press_contra")  # the news reports it: the fact base may be out of date
        elif contradicted is not None and asserts:
            numeric = reason is not None and reason.startswith("chiffre")
            key = ("n" if numeric else "") + str(contradicted.index)
            self.fact_hits.setdefault(key, []).append((ts, post.author, c.id, 1 if check.strong else 0))
            authors = c.contra.setdefault(key, [])
            if post.author not in authors:
                authors.append(post.author)
            if reason is not None:
                c.contra_reason.setdefault(key, reason)
            if official:
                c.bump("official_contra")
                self.official_updates[key] = ts
        elif supported is not None or (official and not unverified):
            c.bump("support")
            if supported is not None:
                key = str(supported.index)
                c.support[key] = c.support.get(key, 0) + 1
        if member:
            carries = carries or feats.has("doubt") or feats.has("debunk")
            c.marks[-1] = (
                (MARK_REPLY if post.reply_to else 0)
                | (MARK_CLAIM if carries else 0)
                | (MARK_OFFICIAL if official else 0)
                | (MARK_PRESS if press else 0)
            )
        why = self._suspect(post, ts)
        if why and not any(s.split("\t", 1)[0] == post.author for s in c.suspects):
            c.suspects.append(f"{post.author}\t{why}")
        c.reach["likes"] = c.reach.get("likes", 0) + post.likes
        c.reach["shares"] = c.reach.get("shares", 0) + post.shares
        c.reach["followers"] = c.reach.get("followers", 0) + post.followers

    def _suspect(self, post: Post, ts: float) -> str | None:
        if post.author_created_at is not None:
            age_days = (post.created_at - post.author_created_at).total_seconds() / 86400
            if age_days < 30:
                return f"compte créé il y a {max(0, int(age_days))} jour(s)"
        if post.author_location and self._local_places:
            loc = " ".join(tokens(post.author_location))
            if loc and not any(p and (p in loc or loc in p) for p in self._local_places):
                return f"compte situé hors de la commune ({post.author_location})"
        first = self.authors.get(post.author)
        history_h = (ts - self.first_ts) / 3600 if self.first_ts is not None else 0.0
        handle = post.author
        digits = len(_DIGITS.findall(handle))
        if (first is None or first >= ts - 3600) and digits >= 4:
            return "compte inconnu au nom généré (chiffres)"
        if first is None and history_h >= 72 and digits >= 2:
            return "compte jamais vu auparavant"
        return None

    # -- detection ----------------------------------------------------------------------------------
    def _expected(self, c: Cluster, ts: float) -> tuple[float, float]:
        local = datetime.fromtimestamp(ts, UTC).astimezone(self.zone)
        rate = self.baseline.rate(local)
        age_h = (ts - c.first_ts) / 3600
        # a long-lived conversation has its own pace; a young cluster's history is the surge itself
        own = max(0, c.n - c.recent_count(ts, 3600)) / (age_h - 1.0) if age_h >= 6.0 else 0.0
        expected = max(self.params.min_expected, self.params.cluster_share * rate, 1.5 * own)
        return rate, expected

    def _evaluate(self, c: Cluster, post: Post, ts: float) -> list[Alert]:
        if c.n < 3 or RUMOUR in c.alerted:
            return []
        rate, expected = self._expected(c, ts)
        velocity = c.velocity(ts)
        hits = self._fact_hits(c, ts)
        announced = self._announced(c, ts)
        verdict = decide(
            c, ts, velocity, c.velocity(ts, top_only=True), expected, self.params, hits, announced
        )
        if verdict.kind is None or verdict.kind in c.alerted:
            return []
        if any(_RANK[kind] >= _RANK[verdict.kind] for kind in c.alerted):
            return []  # only upgrades (spike -> bad buzz -> rumour), one alert per kind: no flapping
        sibling = self._sibling(c, verdict)
        if sibling is not None:
            self._merge(c, sibling)  # the story was already alerted: no second alert
            return []
        if verdict.contradicted is not None:
            c = self._gather(c, verdict.contradicted, ts)
            if verdict.kind in c.alerted:
                return []
        c.alerted[verdict.kind] = post.iso
        c.alerted_ts = ts
        return [self._alert(c, post, verdict, velocity, rate, expected)]

    def _note_announcement(self, feats: PostFeatures, ts: float) -> None:
        announced = sorted({p for p in feats.predicates if p in DISRUPTIVE_POLES})
        if not announced:
            return
        generic = generic_terms()
        terms = sorted({t for t in feats.subject_terms if t not in generic})
        if terms:
            self.announcements.append((ts, terms, announced))
            del self.announcements[:-ANNOUNCEMENTS_KEPT]

    def _announced(self, c: Cluster, ts: float) -> bool:
        """An official or press account announced this change (same disruption, about what most of the
        cluster's posts name) in the last days: residents relaying it in their own words, in another
        cluster, are not spreading a rumour."""
        told = {p for p in poles(c) if p in DISRUPTIVE_POLES}
        if not told or not self.announcements:
            return False
        named = {t for t, n in c.term_counts.items() if n * 2 >= c.n}
        for when, terms, announced in self.announcements:
            if ts - when <= ANNOUNCEMENT_HOURS * 3600 and told & set(announced) and named & set(terms):
                return True
        return False

    def _fact_hits(self, c: Cluster, ts: float) -> dict[str, tuple[int, int, int]]:
        """For each fact this cluster contradicts: distinct authors and posts contradicting it recently,
        in any cluster, and the distinct authors among them who name the fact's place (a post about
        "la cantine" is only weakly about "la cantine de l'école Calmette")."""
        window = self.params.contra_window_h * 3600
        out: dict[str, tuple[int, int, int]] = {}
        for key in sorted(c.contra):
            updated = self.official_updates.get(key)
            if updated is not None and ts - updated <= OFFICIAL_UPDATE_DAYS * 86400:
                out[key] = (0, 0, 0)  # an official account said so recently: not a rumour
                continue
            recent = [h for h in self.fact_hits.get(key, []) if ts - window < h[0] <= ts]
            strong = {h[1] for h in recent if h[3]}
            out[key] = (len({h[1] for h in recent}), len(recent), len(strong))
        return out

    def _gather(self, c: Cluster, fact: str, ts: float) -> Cluster:
        """Merge into ``c`` the clusters that recently contradicted the same fact (same story)."""
        window = self.params.contra_window_h * 3600
        others = sorted(
            {h[2] for h in self.fact_hits.get(fact, []) if ts - window < h[0] <= ts and h[2] != c.id}
        )
        for cid in others:
            other = self.clusters.get(cid)
            if other is not None and other is not c and not (other.alerted and not c.alerted):
                self._merge(other, c)
        return c

    def _sibling(self, c: Cluster, verdict: Verdict) -> Cluster | None:
        """An already alerted cluster telling the same story (same fact, or same core terms)."""
        for other in sorted(self.clusters.values(), key=lambda x: x.id):
            if other is c or verdict.kind not in other.alerted:
                continue
            if c.last_ts - other.last_ts > self.params.story_hours * 3600:
                continue
            same_fact = verdict.contradicted is not None and verdict.contradicted in other.contra
            if same_fact or cluster_similarity(c, other, self.stats) >= 0.35:
                return other
        return None

    def _merge(self, src: Cluster, dst: Cluster) -> None:
        for i, pid in enumerate(src.ids):
            if len(dst.ids) < MAX_MEMBERS:
                dst.ids.append(pid)
                dst.times.append(src.times[i])
                dst.authors.append(src.authors[i])
                dst.marks.append(src.marks[i])
            self.post_cluster[pid] = (dst.id, src.times[i])
        for t, n in src.term_counts.items():
            if t not in dst.term_counts:
                self.term_index.setdefault(t, []).append(dst.id)
            dst.term_counts[t] = dst.term_counts.get(t, 0) + n
        for k, v in src.counts.items():
            dst.bump(k, v)
        for k, authors in src.contra.items():
            merged = dst.contra.setdefault(k, [])
            merged.extend(a for a in authors if a not in merged)
        for k, reason in src.contra_reason.items():
            dst.contra_reason.setdefault(k, reason)
        for k, v in src.support.items():
            dst.support[k] = dst.support.get(k, 0) + v
        for s in src.suspects:
            if s not in dst.suspects:
                dst.suspects.append(s)
        for k, v in src.reach.items():
            dst.reach[k] = dst.reach.get(k, 0) + v
        room = MAX_TEXTS - len(dst.texts)
        dst.texts.extend(src.texts[:room])
        dst.text_terms.extend(src.text_terms[:room])
        dst.text_flags.extend(src.text_flags[:room])
        for kind, at in src.alerted.items():
            dst.alerted.setdefault(kind, at)
        dst.alerted_ts = max(dst.alerted_ts, src.alerted_ts)
        dst.n += src.n
        dst.last_ts = max(dst.last_ts, src.last_ts)
        self.lsh.remove(src.id)
        del self.clusters[src.id]

    def _fact_to_show(self, c: Cluster, decided: str | None) -> str | None:
        """The fact a rumour alert answers with. Alerted on another ground (hearsay, a plain claim)
        while some posts already contradict a fact, too few yet to decide alone: that fact. When the
        claim contradicts several facts, the commune's first one that states the truth without a
        negation: "La piscine est ouverte à toutes et à tous" rather than "Aucun créneau n'est
        réservé aux femmes", which repeats the rumour's words."""
        keys = [k for k in c.contra if c.contra[k] and not k.startswith("n")]
        ordered = sorted(keys, key=lambda k: int(k))
        if decided is not None and self.facts.facts[int(decided.lstrip("n"))].affirmative:
            return decided
        for key in ordered:
            if self.facts.facts[int(key)].affirmative:
                return key
        if decided is not None:
            return decided
        return max(sorted(c.contra), key=lambda k: len(c.contra[k]))

    def claim_of(self, c: Cluster, claims_only: bool = False) -> str:
        """The member text that best represents the cluster (central, not a reply or a denial); for a
        rumour, among the posts that carry the claim."""
        best_i = 0
        best = -1.0
        for i, terms in enumerate(c.text_terms):
            if claims_only and not c.text_flags[i] & 16 and any(f & 16 for f in c.text_flags):
                continue
            score = centrality(terms, c, self.stats)
            if c.text_flags[i] & 1:
                score *= 0.3
            if c.text_flags[i] & 6:
                score *= 0.7
            if score > best + 1e-12:
                best_i, best = i, score
        return c.texts[best_i] if c.texts else ""

    def _alert(
        self, c: Cluster, post: Post, verdict: Verdict, velocity: float, rate: float, expected: float
    ) -> Alert:
        fact = None
        if verdict.kind == RUMOUR and c.contra:
            key = self._fact_to_show(c, verdict.contradicted)
            if key != verdict.contradicted:
                verdict = Verdict(verdict.kind, verdict.score, verdict.reasons, key, verdict.surge)
        if verdict.contradicted is not None:
            fact = self.facts.facts[int(verdict.contradicted.lstrip("n"))]
        claim = self.claim_of(c, claims_only=verdict.kind == RUMOUR)
        since = post.created_at.timestamp() - EPISODE_HOURS * 3600
        post_ids = c.first_posts(10, claim_only=verdict.kind == RUMOUR, since=since)
        return build_alert(c, post, verdict, claim, post_ids, fact, velocity, rate, expected)

    # -- housekeeping -------------------------------------------------------------------------------
    def _prune(self) -> None:
        now = self.clock
        self.announcements = [a for a in self.announcements if now - a[0] <= ANNOUNCEMENT_HOURS * 3600]
        for cid in sorted(self.clusters):
            c = self.clusters[cid]
            horizon = self.params.story_hours if c.alerted else self.params.active_hours
            if now - c.last_ts > horizon * 3600:
                self.lsh.remove(cid)
                del self.clusters[cid]
        for term in list(self.term_index):
            kept = [cid for cid in self.term_index[term] if cid in self.clusters]
            if kept:
                self.term_index[term] = kept
            else:
                del self.term_index[term]
        window = self.params.contra_window_h * 3600
        for key in list(self.fact_hits):
            kept_hits = [h for h in self.fact_hits[key] if now - h[0] <= window]
            if kept_hits:
                self.fact_hits[key] = kept_hits
            else:
                del self.fact_hits[key]
        keep_s = 7 * 86400
        self.post_cluster = {
            pid: entry for pid, entry in self.post_cluster.items() if now - entry[1] <= keep_s
        }

    # -- persistence --------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION,
            "config": self.config.to_dict(),
            "params": dict(self.params.__dict__),
            "baseline": self.baseline.to_dict(),
            "stats": self.stats.to_dict(),
            "clusters": [self.clusters[cid].to_dict() for cid in self.clusters],
            "term_index": self.term_index,
            "post_cluster": [[pid, cid, ts] for pid, (cid, ts) in self.post_cluster.items()],
            "authors": self.authors,
            "fact_hits": {k: [list(h) for h in v] for k, v in self.fact_hits.items()},
            "official_updates": self.official_updates,
            "announcements": [[ts, terms, ann] for ts, terms, ann in self.announcements],
            "first_ts": self.first_ts,
            "clock": self.clock,
            "next_prune": self.next_prune,
            "counter": self.counter,
            "observed": self.observed,
        }

    @classmethod
    def restore(cls, snap: dict[str, Any]) -> Detector:
        if snap.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"version d'instantané inconnue : {snap.get('version')!r}")
        det = cls(CommuneConfig.from_dict(snap["config"]), Params(**snap["params"]))
        det.baseline = RhythmBaseline.from_dict(snap["baseline"])
        det.stats = TermStats.from_dict(snap["stats"])
        for obj in snap["clusters"]:
            c = Cluster.from_dict(obj)
            det.clusters[c.id] = c
            for sig in c.sigs:
                det.lsh.insert(c.id, sig)
        det.term_index = {str(k): [str(v) for v in vs] for k, vs in snap["term_index"].items()}
        det.post_cluster = {str(p): (str(c), float(t)) for p, c, t in snap["post_cluster"]}
        det.authors = {str(k): float(v) for k, v in snap["authors"].items()}
        det.official_updates = {str(k): float(v) for k, v in snap["official_updates"].items()}
        det.announcements = [
            (float(t), [str(x) for x in terms], [str(x) for x in ann])
            for t, terms, ann in snap.get("announcements", [])
        ]
        det.fact_hits = {
            str(k): [(float(h[0]), str(h[1]), str(h[2]), int(h[3]) if len(h) > 3 else 1) for h in v]
            for k, v in snap["fact_hits"].items()
        }
        det.first_ts = snap["first_ts"]
        det.clock = float(snap["clock"])
        det.next_prune = float(snap["next_prune"])
        det.counter = int(snap["counter"])
        det.observed = int(snap["observed"])
        return det
