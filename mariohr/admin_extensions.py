"""The one extension point of the core admin: an app adds inlines, actions, read-only fields,
list columns, queryset annotations and pages (URLs) to the admin another app registered, and
panels to the front page, without unregistering or subclassing it. The registered class is
extended (not the instance), so an admin that later subclasses it keeps them too.

Apps that extend another's admin come after it in INSTALLED_APPS (admin modules are
imported in that order)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin


def admin_extend(
    model,
    *,
    inlines=(),
    actions=(),
    readonly_fields=(),
    list_display=(),
    list_filter=(),
    queryset=(),
    urls=(),
    site=None,
) -> None:
    """Add ``inlines`` (InlineModelAdmin classes), ``actions`` (functions taking
    ``(modeladmin, request, queryset)``, decorated with ``@admin.action``) and
    ``readonly_fields`` (functions taking the object, decorated with ``@admin.display``;
    shown at the end of the change form of an admin without fieldsets), ``list_display``
    (columns: functions taking the object, decorated with ``@admin.display``), ``list_filter``
    (``ListFilter`` classes, after the admin's own), ``queryset``
    (functions ``(request, queryset) -> queryset``, e.g. annotating what a column reads, so a
    column costs no query per row) and ``urls`` (functions ``(model_admin) -> [path(...)]``,
    mounted under the model's admin URL before Django's catch-all) to ``model``'s registered
    admin."""
    site = site or admin.site
    model_admin = site._registry.get(model)
    if model_admin is None:
        raise LookupError(
            f"{model._meta.label} has no admin to extend (check INSTALLED_APPS order)."
        )
    admin_class = type(model_admin)
    added_inlines = [inline for inline in inlines if inline not in admin_class.inlines]
    added_actions = [action for action in actions if action not in (admin_class.actions or [])]
    admin_class.inlines = [*admin_class.inlines, *added_inlines]
    admin_class.actions = [*(admin_class.actions or []), *added_actions]
    model_admin.inlines = admin_class.inlines
    model_admin.actions = admin_class.actions
    added_fields = [f for f in readonly_fields if f not in admin_class.readonly_fields]
    if added_fields:
        admin_class.readonly_fields = [*admin_class.readonly_fields, *added_fields]
        model_admin.readonly_fields = admin_class.readonly_fields
    added_columns = [column for column in list_display if column not in admin_class.list_display]
    if added_columns:
        admin_class.list_display = [*admin_class.list_display, *added_columns]
        model_admin.list_display = admin_class.list_display
    added_filters = [f for f in list_filter if f not in admin_class.list_filter]
    if added_filters:
        admin_class.list_filter = [*admin_class.list_filter, *added_filters]
        model_admin.list_filter = admin_class.list_filter
    _hooks_add(admin_class, "extra_queryset_hooks", queryset, _with_queryset_hooks)
    _hooks_add(admin_class, "extra_url_makers", urls, _with_url_makers)


def _hooks_add(admin_class, attribute: str, hooks, wrap) -> None:
    if not hooks:
        return
    if attribute not in vars(admin_class):
        # Wrapped once per class; the wrapper reads the list, so later additions count too.
        wrap(admin_class)
        setattr(admin_class, attribute, [])
    known = getattr(admin_class, attribute)
    known.extend(hook for hook in hooks if hook not in known)


def _with_queryset_hooks(admin_class) -> None:
    original = admin_class.get_queryset

    def get_queryset(self, request):
        queryset = original(self, request)
        for hook in admin_class.extra_queryset_hooks:
            queryset = hook(request, queryset)
        return queryset

    admin_class.get_queryset = get_queryset


def _with_url_makers(admin_class) -> None:
    original = admin_class.get_urls

    def get_urls(self):
        extra = [url for make in admin_class.extra_url_makers for url in make(self)]
        return [*extra, *original(self)]

    admin_class.get_urls = get_urls


def front_page_panel(
    *, key: str, title: str, template: str, build, models=(), order: int = 100, site=None
) -> None:
    """Add a panel to the admin's front page, above the app list (mariohr/admin_site.py).

    ``build(request) -> dict`` makes the panel's context (the template gets it as ``panel``);
    the panel is shown only to a user who may view every model in ``models`` (through their
    registered admins), and panels come in ``order``. Registering ``key`` again replaces it.
    """
    site = site or admin.site
    panels = getattr(site, "front_page_panels", None)
    if panels is None:
        raise LookupError("This admin site has no front page panels (use MarioHRAdminSite).")
    panels[key] = FrontPagePanel(key, title, template, build, tuple(models), order)


@dataclass(frozen=True)
class FrontPagePanel:
    key: str
    title: str
    template: str
    build: Callable
    models: tuple
    order: int
