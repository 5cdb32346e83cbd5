"""URL map. Each app owns its URLs; commune pages live under /c/<commune-slug>/."""

from django.contrib import admin
from django.urls import include, path

from beffroi.core import views as core_views

admin.site.site_header = "Beffroi — administration"
admin.site.site_title = "Beffroi"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("connexion/", core_views.LoginView.as_view(), name="login"),
    path("deconnexion/", core_views.logout_view, name="logout"),
    path("langue/", include("django.conf.urls.i18n")),
    path("sante/", core_views.health, name="health"),
    path("admin/", admin.site.urls),
    path("c/<slug:commune>/", include("beffroi.workspace.urls")),
    path("c/<slug:commune>/veille/", include("beffroi.veille.urls")),
    path("", include("beffroi.connectors.urls")),
    path("", include("beffroi.workspace.public_urls")),
]
