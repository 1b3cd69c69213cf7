"""Create the roles (groups) and give them their permissions."""

from django.db import migrations

# Frozen copy of pools.permissions at the time of this migration: migrations must not import app code
# that may change later.
PERMISSIONS = {
    "view_dashboard": "Can view pools, nodes, usage and monitoring",
    "request_change": "Can request pool changes and cancel own requests",
    "approve_change": "Can approve or reject others' change requests",
    "manage_connections": "Can create, edit, test and delete connections",
    "view_audit": "Can view and export the audit log",
}
ROLES = {
    "Viewer": ["view_dashboard"],
    "Operator": ["view_dashboard", "request_change"],
    "Approver": ["view_dashboard", "approve_change", "view_audit"],
    "Auditor": ["view_dashboard", "view_audit"],
    "Administrator": list(PERMISSIONS),
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="pools", model="access")
    perms = {}
    for codename, name in PERMISSIONS.items():
        perms[codename], _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(perms[c] for c in codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pools", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
