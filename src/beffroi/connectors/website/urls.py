"""Public URLs of the website comments (included from ``beffroi.connectors.urls``)."""

from django.urls import path

from beffroi.connectors.website import views

urlpatterns = [
    path("api/website/<slug:commune>/comments", views.comments_api, name="website_comments"),
    path("widget/<slug:commune>/", views.embed_page, name="website_widget"),
    path("widget/<slug:commune>/widget.js", views.widget_js, name="website_widget_js"),
    path("widget/<slug:commune>/widget.css", views.widget_css, name="website_widget_css"),
]
