"""FlaskBB as the load benchmark's peer: install it, seed it with bench/load.py's content, serve it.

bench/load.py imports this module (stdlib only at the top) to make FlaskBB's virtualenv,
write its config and build its gunicorn command line; it then runs this same file *with
FlaskBB's Python* to seed the database:

    <venv>/bin/python bench/flaskbb_peer.py seed --config flaskbb.cfg --content content.json

FlaskBB 2.2.0, the newest release on PyPI, declares Python 3.12 or later (2.0.2, the newest
that installs on 3.11, pins celery 4.0.2, whose metadata pip 24.1 and later refuse, and Flask
1.0), so the virtualenv is made with a Python 3.12+ interpreter found on PATH or under pyenv.
It is in fact written for Python 3.14, whose annotations are evaluated lazily (PEP 649): it
annotates with names imported only under ``TYPE_CHECKING``, and on 3.12 importing it fails
with ``NameError: name 'Distribution' is not defined``. :func:`postpone_flaskbb_annotations`
works around that without touching the installed files: FlaskBB's modules are compiled with
``from __future__ import annotations`` (PEP 563), so annotations stay strings, as on 3.14.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

FLASKBB_VERSION = "2.2.0"
#: Installed beside FlaskBB: the same gunicorn as forum_kb, and the same PostgreSQL driver.
#: psycopg2, not 3: FlaskBB's user loader compares users.id with the session's string id,
#: which psycopg 3 sends as a typed VARCHAR parameter ("operator does not exist: integer =
#: character varying"); psycopg2 sends it untyped and PostgreSQL casts it.
PEER_PACKAGES = [f"flaskbb=={FLASKBB_VERSION}", "gunicorn==27.0.1", "psycopg2-binary>=2.9"]
DEFAULT_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / (
    f"forum_kb-bench/flaskbb-{FLASKBB_VERSION}"
)
BATCH = 5_000
ROOT = Path(__file__).resolve().parent.parent


# --- used by bench/load.py (forum_kb's Python) ---------------------------------------------------


def find_python() -> str:
    """A Python 3.12+ interpreter for FlaskBB 2.2.0."""
    candidates = [shutil.which(name) for name in ("python3.14", "python3.12", "python3.13")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv_root.is_dir():
        for version in sorted(pyenv_root.iterdir()):
            candidates.append(str(version / "bin" / "python"))
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return candidate
    raise SystemExit(
        f"FlaskBB {FLASKBB_VERSION} needs Python 3.12 or later and none was found "
        "(looked for python3.14, python3.12, python3.13 and pyenv versions); pass --peer-python."
    )


def ensure_venv(venv: Path, python: str | None = None) -> Path:
    """Make FlaskBB's virtualenv once (pip from PyPI); returns its Python."""
    peer_python = venv / "bin" / "python"
    marker = venv / ".installed"
    wanted = " ".join(PEER_PACKAGES) + "\n"
    if peer_python.exists() and marker.exists() and marker.read_text() == wanted:
        return peer_python
    if not peer_python.exists():
        python = python or find_python()
        print(f"Making FlaskBB's virtualenv {venv} (with {python})…", flush=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    print(f"Installing {' '.join(PEER_PACKAGES)} into {venv}…", flush=True)
    subprocess.run(
        [str(peer_python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True
    )
    marker.write_text(wanted)
    return peer_python


def write_config(path: Path, database_url: str, workdir: Path, secret_key: str) -> None:
    """FlaskBB's config file: the database, no rate limits, logs and index in ``workdir``."""
    if database_url.startswith("postgresql+psycopg://"):
        database_url = database_url.replace("+psycopg://", "+psycopg2://", 1)
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secret_key,
        "WTF_CSRF_SECRET_KEY": secret_key + "-csrf",
        "RATELIMIT_ENABLED": False,
        "USE_DEFAULT_LOGGING": False,
        "DEBUG_TB_ENABLED": False,
        "WHOOSHEE_DIR": str(workdir / "flaskbb-whoosh"),
        "LOG_PATH": str(workdir / "flaskbb-logs"),
        "REDIS_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
    }
    path.write_text("".join(f"{key} = {value!r}\n" for key, value in settings.items()))


def seed(peer_python: Path, config: Path, content: Path, *, index: bool) -> None:
    """Run this file's ``seed`` command with FlaskBB's Python."""
    command = [str(peer_python), __file__, "seed", "--config", str(config)]
    command += ["--content", str(content)] + ([] if index else ["--no-index"])
    subprocess.run(command, check=True, cwd=config.parent)
    # FlaskBB's app factory registers its plugins in plugin_registry when the table exists
    # and they are missing (with this module among them: its name starts with "flaskbb").
    # The table did not exist yet when the seeding process made its app (and FlaskBB's
    # factory runs only once per process), so make one more app now: otherwise gunicorn's
    # workers all insert them at once, all but one fail on the unique name and the server
    # may shut down ("Worker failed to boot").
    command = [str(peer_python), __file__, "register-plugins", "--config", str(config)]
    subprocess.run(command, check=True, cwd=config.parent)


def gunicorn_command(peer_python: Path, config: Path, port: int, workers: int, threads: int):
    """FlaskBB under gunicorn, with the same settings as forum_kb's run."""
    return [
        str(peer_python), "-m", "gunicorn",
        "--workers", str(workers), "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}", "--no-control-socket",
        # forum_kb's gunicorn.conf.py too (logs, recycling; the flags above win), so both
        # servers run with the very same settings.
        "--config", str(ROOT / "gunicorn.conf.py"), "--log-level", "warning",
        "--timeout", "120", "--pythonpath", str(ROOT / "bench"),
        f"flaskbb_peer:flaskbb_app(config={str(config)!r})",
    ]  # fmt: skip


# --- run with FlaskBB's Python -------------------------------------------------------------------


def postpone_flaskbb_annotations() -> None:
    """Before Python 3.14, compile FlaskBB's modules with postponed annotations (PEP 563)."""
    import __future__

    import importlib.abc
    import importlib.machinery

    if sys.version_info >= (3, 14):
        return

    class Loader(importlib.machinery.SourceFileLoader):
        def get_code(self, fullname):  # the bytecode cache may hold an unflagged compile
            source = self.get_data(self.path)
            return compile(
                source,
                self.path,
                "exec",
                flags=__future__.annotations.compiler_flag,
                dont_inherit=True,
            )

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if not name.startswith("flaskbb"):  # flaskbb and its bundled plugins
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
                spec.loader = Loader(spec.loader.name, spec.loader.path)
            return spec

    sys.meta_path.insert(0, Finder())


def flaskbb_app(config: str):
    """gunicorn's entry point: FlaskBB's app factory, importable on Python 3.12."""
    postpone_flaskbb_annotations()
    from flaskbb import create_app

    return create_app(config=config)


def _seed_main(config: str, content_path: str, index: bool) -> None:
    from datetime import UTC, datetime

    postpone_flaskbb_annotations()
    from flaskbb import create_app
    from flaskbb.extensions import db, whooshee
    from flaskbb.forum.models import Category, Forum, Post, Topic
    from flaskbb.management.models import Setting
    from flaskbb.user.models import Group, User
    from flaskbb.utils.populate import (
        create_default_groups,
        create_default_settings,
        create_latest_db,
    )
    from sqlalchemy import bindparam, select, text, update
    from werkzeug.security import generate_password_hash

    content = json.loads(Path(content_path).read_text())
    app = create_app(config)

    def when(seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)

    with app.app_context():
        started = time.perf_counter()
        create_latest_db()
        create_default_groups()
        create_default_settings()
        # Show as many posts on a topic page as forum_kb does (20; FlaskBB's default is 10).
        per_page = content["posts_per_page"]
        db.session.execute(
            update(Setting).where(Setting.key == "posts_per_page").values(value=per_page)
        )
        db.session.commit()
        Setting.invalidate_cache()
        member = db.session.execute(select(Group).filter_by(name="Member")).scalar_one()
        # FlaskBB's password column is 120 characters: a scrypt hash (werkzeug's default,
        # 162 characters) does not fit on PostgreSQL, so a cheap PBKDF2 one.
        password = generate_password_hash(content["password"], method="pbkdf2:sha256:1000")
        users = content["users"]
        post_counts = [0] * (len(users) + 1)
        for post in content["posts"]:
            post_counts[post[2]] += 1
        conn = db.session.connection()
        _insert(conn, User.__table__, [
            {"id": uid, "username": name, "email": f"{name}@example.com", "password": password,
             "date_joined": when(content["started"]), "activated": True,
             "post_count": post_counts[uid], "primary_group_id": member.id}
            for uid, name in enumerate(users, start=1)
        ])  # fmt: skip
        db.session.commit()
        category = Category(title="Community", position=1)
        category.save()
        for position, (name, _slug, description) in enumerate(content["categories"], start=1):
            # Forum.save() gives a new forum to every group (an explicit id would skip that);
            # forums are numbered 1, 2, ... in this order, like forum_kb's categories.
            Forum(
                title=name,
                description=description,
                category_id=category.id,
                position=position,
            ).save()
        conn = db.session.connection()
        topics = content["threads"]
        _insert(conn, Topic.__table__, [
            {"id": tid, "forum_id": cat, "title": title, "user_id": author,
             "username": users[author - 1], "date_created": when(created),
             "last_updated": when(last), "locked": False, "important": False,
             "views": views, "post_count": replies + 1, "hidden": False}
            for tid, cat, author, title, created, last, replies, views in topics
        ])  # fmt: skip
        bodies = content["bodies"]
        _insert(conn, Post.__table__, [
            {"id": pid, "topic_id": tid, "user_id": author, "username": users[author - 1],
             "content": bodies[body], "date_created": when(created), "hidden": False}
            for pid, tid, author, body, created in content["posts"]
        ])  # fmt: skip
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for pid, tid, *_ in content["posts"]:
            first.setdefault(tid, pid)
            last[tid] = pid
        conn.execute(
            update(Topic.__table__)
            .where(Topic.__table__.c.id == bindparam("tid"))
            .values(first_post_id=bindparam("first"), last_post_id=bindparam("last")),
            [{"tid": t, "first": first[t], "last": last[t]} for t in first],
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("users", "categories", "forums", "topics", "posts"):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            db.session.commit()
        for forum in db.session.execute(select(Forum)).unique().scalars():
            forum.recalculate(last_post=True)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        print(f"FlaskBB: seeded in {time.perf_counter() - started:.1f} s.", flush=True)
        if index:
            started = time.perf_counter()
            whooshee.reindex()
            print(f"FlaskBB: search index built in {time.perf_counter() - started:.1f} s.")


def _insert(conn, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="FlaskBB peer for bench/load.py")
    sub = parser.add_subparsers(dest="command", required=True)
    seed_parser = sub.add_parser("seed", help="create FlaskBB's tables and bulk-insert content")
    seed_parser.add_argument("--config", required=True)
    seed_parser.add_argument("--content", required=True)
    seed_parser.add_argument("--no-index", action="store_true", help="skip the search index")
    plugins_parser = sub.add_parser(
        "register-plugins", help="make FlaskBB's app once, so it registers its plugins"
    )
    plugins_parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    if args.command == "seed":
        _seed_main(args.config, args.content, index=not args.no_index)
    elif args.command == "register-plugins":
        # Through the module's own name, as gunicorn imports it: FlaskBB registers every
        # loaded module whose name starts with "flaskbb" as a plugin, this one included.
        import flaskbb_peer

        flaskbb_peer.flaskbb_app(args.config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
