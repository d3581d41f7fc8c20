"""The core admin's extension point gains columns, queryset hooks, pages and front-page panels,
keeping what it did (inlines, actions, read-only fields); shown on a site of the test's own."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Value
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from assessments.models import Organization
from mariohr.admin_extensions import admin_extend, front_page_panel
from mariohr.admin_site import MarioHRAdminSite

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    site = MarioHRAdminSite(name="extension_test")

    class OrganizationAdmin(admin.ModelAdmin):
        list_display = ["name"]

    site.register(Organization, OrganizationAdmin)
    return site


def request_by(*codenames: str):
    user = get_user_model().objects.create_user(f"u-{'-'.join(codenames)}", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@admin.display(description="extra")
def extra_column(organization):
    return organization.extra


def with_extra(request, queryset):
    return queryset.annotate(extra=Value("x"))


def extra_urls(model_admin):
    return [path("<int:object_id>/extra/", lambda request, object_id: HttpResponse("extra"))]


def test_columns_queryset_hooks_and_urls_are_added_once(site, org):
    for _ in range(2):
        admin_extend(
            Organization,
            list_display=[extra_column],
            queryset=[with_extra],
            urls=[extra_urls],
            site=site,
        )
    model_admin = site._registry[Organization]
    request = request_by("view_organization")

    assert model_admin.list_display == ["name", extra_column]
    assert [o.extra for o in model_admin.get_queryset(request)] == ["x"]
    routes = [str(url.pattern) for url in model_admin.get_urls()]
    # Before Django's catch-all "<path:object_id>/", which would otherwise take it.
    assert routes.count("<int:object_id>/extra/") == 1
    assert routes.index("<int:object_id>/extra/") < routes.index("<path:object_id>/")


def test_a_subclass_of_an_extended_admin_keeps_the_extensions(site, org):
    admin_extend(Organization, queryset=[with_extra], urls=[extra_urls], site=site)
    subclass = type("Sub", (type(site._registry[Organization]),), {})(Organization, site)

    assert [o.extra for o in subclass.get_queryset(request_by())] == ["x"]
    assert "<int:object_id>/extra/" in [str(url.pattern) for url in subclass.get_urls()]


def panel_keys(site, request) -> list[str]:
    response = site.index(request)
    return [panel["key"] for panel in response.context_data["front_page_panels"]]


def test_front_page_panels_in_order_for_who_may_view_their_models(site, org):
    front_page_panel(key="second", title="2", template="t", build=lambda r: {}, order=20, site=site)
    front_page_panel(
        key="first",
        title="1",
        template="t",
        build=lambda r: {"n": 1},
        models=[Organization],
        order=10,
        site=site,
    )
    front_page_panel(key="hidden", title="3", template="t", build=lambda r: None, site=site)

    assert panel_keys(site, request_by("view_organization")) == ["first", "second"]
    assert panel_keys(site, request_by()) == ["second"]


def test_a_panel_for_an_unregistered_model_is_never_shown(site):
    front_page_panel(
        key="users",
        title="u",
        template="t",
        build=lambda r: {},
        models=[get_user_model()],
        site=site,
    )
    assert panel_keys(site, request_by("view_user")) == []


def test_a_site_without_panels_refuses_them():
    with pytest.raises(LookupError):
        front_page_panel(key="k", title="t", template="t", build=dict, site=admin.AdminSite())
