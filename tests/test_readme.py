"""The README stays true: it opens with the two commands and documents every setting."""

from __future__ import annotations

import re
from pathlib import Path

from ioc.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["./scripts/demo", "./scripts/test"]
    assert (ROOT / "scripts/demo").stat().st_mode & 0o111 and (ROOT / "scripts/test").stat().st_mode & 0o111
    assert "./scripts/test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"IOC_{name.upper()}" for name in Settings.model_fields if f"IOC_{name.upper()}" not in text]
    assert not missing, f"settings missing from the README's table: {missing}"
