"""The commune's own website: an embeddable comment widget whose comments go through the same moderation
as every platform, and are published only when allowed (pre-moderation).

A Django app (label ``website``) inside the connectors package: it stores the submissions
(:class:`~beffroi.connectors.website.models.WebsiteComment`), serves the widget and its REST endpoint
(:mod:`.views`), and its connector (:mod:`.connector`) reads the submissions and acts on their publication.
"""
