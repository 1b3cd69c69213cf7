"""The README stays true: every setting read from the environment is in its table, every picture exists, the
demo's printout shows what the demo prints."""

import re
from pathlib import Path

from pools.sandbox import DEFAULT_ACCOUNT
from pools.services.demo import DEMO_USERS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SETTINGS = (ROOT / "modelarts_admin" / "settings.py").read_text()


def configuration_table() -> str:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `"))


def test_every_environment_variable_of_the_settings_is_in_the_configuration_table():
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS))
    read |= set(re.findall(r'required_secret\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS))
    assert {"DEBUG", "DATABASE_URL", "FIELD_ENCRYPTION_KEYS", "AUDIT_HMAC_KEY"} <= read
    table = configuration_table()
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert missing == [], f"README's configuration table lacks {missing}"


def test_every_screenshot_the_readme_shows_exists_and_is_small():
    pictures = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[^)]+\.png)\)", README)
    assert len(pictures) >= 8
    for picture in pictures:
        path = ROOT / picture
        assert path.is_file(), f"{picture} is missing: run scripts/screenshots.py"
        assert path.stat().st_size < 300 * 1024, f"{picture} is over 300 KB"


def demo_printout() -> str:
    return README.split("## Try it", 1)[1].split("```\n", 2)[2].split("```", 1)[0]


def test_the_demo_printout_lists_every_demo_user_and_the_sandbox_keys():
    printout = demo_printout()
    for username, role, _ in DEMO_USERS:
        assert re.search(rf"^  {username} +{role} +password: ", printout, re.MULTILINE), username
    for label, value in (
        ("project id", DEFAULT_ACCOUNT.project_id),
        ("access key", DEFAULT_ACCOUNT.ak),
        ("secret key", DEFAULT_ACCOUNT.sk),
    ):
        assert re.search(rf"^  {label} +{re.escape(value)}$", printout, re.MULTILINE), label


def test_the_readme_says_who_gives_roles_in_djangos_admin():
    superusers = [username for username, _, superuser in DEMO_USERS if superuser]
    assert superusers == ["admin"]
    assert "`admin` is also a superuser" in README and "Managing users takes a superuser" in README
