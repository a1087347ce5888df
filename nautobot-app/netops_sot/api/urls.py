"""REST API URLs of netops_sot (mounted by Nautobot at /api/plugins/netops-sot/)."""

from django.urls import path

from . import views

app_name = "netops_sot-api"
urlpatterns = [
    path("", views.StatusView.as_view(), name="status"),
    path("sites/", views.SitesView.as_view(), name="sites"),
    path("sites/<path:name>/", views.SiteView.as_view(), name="site"),
    path("changes/", views.ChangeView.as_view(), name="changes"),
]
