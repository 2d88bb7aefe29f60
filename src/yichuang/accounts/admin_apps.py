from django.contrib.admin.apps import AdminConfig


class ProjectAdminConfig(AdminConfig):
    """Django's admin with the project's site as ``admin.site``: one sign-in
    path (``accounts.admin_site``)."""

    default_site = "yichuang.accounts.admin_site.ProjectAdminSite"
