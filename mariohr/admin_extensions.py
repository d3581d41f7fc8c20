"""The one extension point of the core admin: an app adds inlines and actions to the admin
another app registered, without unregistering or subclassing it. The registered class is
extended (not the instance), so an admin that later subclasses it keeps them too.

Apps that extend another's admin come after it in INSTALLED_APPS (admin modules are
imported in that order)."""

from django.contrib import admin


def admin_extend(model, *, inlines=(), actions=(), site=None) -> None:
    """Add ``inlines`` (InlineModelAdmin classes) and ``actions`` (functions taking
    ``(modeladmin, request, queryset)``, decorated with ``@admin.action``) to ``model``'s
    registered admin."""
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
