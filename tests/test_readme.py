"""The README's commands stay valid: every script, config and file they
name exists and every option they pass is one the script accepts. What
the commands do is tested where each tool is (tests/test_tools,
tests/test_apis)."""
import re
import shlex
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / 'README.md'


def readme_commands() -> List[List[str]]:
    """The shell commands of the README's ``bash`` blocks, as tokens."""
    blocks = re.findall(r'```bash\n(.*?)```', README.read_text(), re.S)
    commands = []
    for block in blocks:
        for line in block.replace('\\\n', ' ').splitlines():
            line = line.split(' #')[0].strip()
            if line and not line.startswith('#'):
                commands.append(shlex.split(line))
    return commands


def script_of(tokens: List[str]) -> str:
    """``tools/...`` script a command runs, or ''."""
    for i, token in enumerate(tokens[:3]):
        if token.startswith('tools/') and tokens[i - 1:i] in (['python'],
                                                              ['bash']):
            return token
    return ''


@lru_cache()
def help_text(script: str) -> str:
    proc = subprocess.run([sys.executable, script, '-h'],
                          cwd=ROOT,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


COMMANDS = readme_commands()


def test_readme_has_the_main_commands():
    scripts = {script_of(c) for c in COMMANDS}
    assert {
        'tools/setup_env.sh', 'tools/train.py', 'tools/test.py',
        'tools/infer.py', 'tools/dist_train.sh'
    } <= scripts
    assert ['python', '-m', 'pytest', 'tests'] in COMMANDS


@pytest.mark.parametrize('tokens', COMMANDS, ids=' '.join)
def test_readme_command_names_existing_paths_and_options(tokens):
    for token in tokens:
        value = token.split('=', 1)[-1]
        if re.match(r'(configs|tools|docs)/\S+\.(py|sh|md|png)$', value):
            assert (ROOT / value).is_file(), f'{value} does not exist'
    script = script_of(tokens)
    if script.endswith('.py'):
        options = {t.split('=')[0] for t in tokens if t.startswith('--')}
        accepted = set(re.findall(r'--[\w-]+', help_text(script)))
        assert options <= accepted, f'{script} does not accept ' \
            f'{sorted(options - accepted)}'
