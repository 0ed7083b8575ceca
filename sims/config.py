"""The one reader of experiment settings files (TOML): every experiment's ``--config FILE`` goes through
``read_settings``, so a file is judged the same way everywhere. Settings sit either at the top level or
all under the experiment's ``[section]`` table; a key given in both places, a key outside the table when
the table exists, another table, a file that is not UTF-8 or not TOML: each is an error that names the
file (and the key), never a setting silently dropped."""

from __future__ import annotations

from pathlib import Path


def _toml():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


def read_settings(path: Path | str, section: str) -> dict:
    """The settings of ``[section]`` (or the top level) of the TOML file at ``path``."""
    path = Path(path)
    tomllib = _toml()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory, not a config file") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text (byte {e.start}); TOML files are UTF-8") from None
    except OSError as e:
        raise ValueError(f"{path}: cannot read ({e.strerror})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not valid TOML ({e})") from None
    if section not in doc:
        tables = [k for k, v in doc.items() if isinstance(v, dict)]
        if tables:
            raise ValueError(f"{path}: table [{tables[0]}] is not [{section}]; settings go at the top level "
                             f"or under [{section}]")
        return doc
    table = doc[section]
    if not isinstance(table, dict):
        raise ValueError(f"{path}: {section} must be a table [{section}], got a {type(table).__name__}")
    outside = [k for k in doc if k != section]
    if outside:
        key = outside[0]
        where = "also inside" if key in table else "outside"
        raise ValueError(f"{path}: setting {key!r} is {where} [{section}]; with a [{section}] table every "
                         "setting goes inside it, once")
    nested = [k for k, v in table.items() if isinstance(v, dict)]
    if nested:
        raise ValueError(f"{path}: [{section}.{nested[0]}] is not a setting")
    return table
