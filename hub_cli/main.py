"""The `hub` command: sign in, list challenges, download data, submit, and follow scores and leaderboards.

Every command takes --json (results as JSON on stdout, errors as {"error", "detail", "code", "status"}), and
exits 0 on success, 1 when the hub refused or a submission failed, 2 on a usage error, 3 when the hub cannot be
reached, 4 when not signed in or the token is refused.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Column, Table

from . import __version__, config
from .client import EXIT_AUTH, EXIT_FAILED, Client, HubError
from .transfer import ProgressFile, download, progress_bar, unzip

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

FINAL_STATUSES = ("scored", "failed")


# The hub's own wording of a size and of its hint for a file too large (workers/scoring/sizes.py), which this
# separate distribution cannot import: a file refused here before it is sent is described as the hub would describe
# it. tests/cli/test_sizes.py holds the two copies to each other.
COMPRESS_HINT = "Compress the CSV with gzip or zip, or check its contents."


def human_bytes(size: float) -> str:
    """1536 -> '1.5 KB'; whole bytes below 1 KB ('1,000 bytes'), as the hub words them."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


class State:
    def __init__(self, url: str | None, timeout: float):
        self.url_option = url
        self.timeout = timeout
        self._client: Client | None = None

    def settings(self) -> config.Settings:
        return config.resolve(self.url_option)

    def client(self, *, auth: bool = False) -> Client:
        settings = self.settings()
        if not settings.url:
            raise HubError(
                "No hub address: run `hub login URL`, or set HUB_URL (e.g. HUB_URL=http://localhost:8000).",
                exit_code=EXIT_AUTH,
            )
        if auth and not settings.token:
            raise HubError(
                f"You are not signed in to {settings.url}. Run `hub login {settings.url}`, or set HUB_TOKEN.",
                exit_code=EXIT_AUTH,
            )
        if self._client is None:
            self._client = Client(settings.url, settings.token, timeout=self.timeout)
        return self._client


def emit(as_json: bool, data: Any, human) -> None:
    """Print `data` as JSON for scripts, or call `human()` to print it for a person."""
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        human()


def hub_command(*, auth: bool = False):
    """Adds --json, hands the command a client, and turns every HubError into a message and an exit code."""

    def decorate(function):
        @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts).")
        @click.pass_obj
        @functools.wraps(function)
        def wrapper(state: State, *args, as_json: bool, **kwargs):
            try:
                return function(state, *args, as_json=as_json, **kwargs)
            except HubError as error:
                if as_json:
                    click.echo(json.dumps(error.as_json(), indent=2))
                else:
                    err.print(f"[bold red]Error:[/] {error.message}", highlight=False)
                sys.exit(error.exit_code)
            except KeyboardInterrupt:
                err.print("Interrupted.")
                sys.exit(130)
            finally:
                if state._client is not None:
                    state._client.close()

        return wrapper

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--url", envvar=None, help="The hub's address for this command (else HUB_URL, else `hub login`'s)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=60.0,
    envvar="HUB_TIMEOUT",
    show_default=True,
    help="Seconds to wait for the hub to answer (HUB_TIMEOUT).",
)
@click.version_option(__version__, prog_name="hub")
@click.pass_context
def cli(ctx: click.Context, url: str | None, timeout: float) -> None:
    """The practice hub from your terminal: challenges, data, submissions, scores and leaderboards."""
    ctx.obj = State(url, timeout)


# --- account --------------------------------------------------------------------------------------------------


@cli.command()
@click.argument("url")
@click.option("--token", help="Sign in with an API token (from the hub's token page) instead of a password.")
@click.option("--username", "-u", help="Your username (asked for if not given).")
@click.option("--password", help="Your password (asked for, hidden, if not given; prefer that).")
@hub_command()
def login(
    state: State, url: str, token: str | None, username: str | None, password: str | None, as_json: bool
):
    """Sign in to the hub at URL and store your token (readable only by you)."""
    url = config.normalize_url(url)
    if not token:
        username = username or click.prompt("Username", err=True)
        if not password and not sys.stdin.isatty():
            # Piped in (scripts, CI): nothing to hide from a screen, so no "may be echoed" warning.
            click.echo("Password: ", err=True, nl=False)
            password = sys.stdin.readline().rstrip("\r\n")
        password = password or click.prompt("Password", hide_input=True, err=True)
        client = Client(url, None, timeout=state.timeout)
        try:
            token = client.send(
                "POST", "/api/v1/auth/token/", json={"username": username, "password": password}
            )["token"]
        finally:
            client.close()
    client = Client(url, token, timeout=state.timeout)
    try:
        me = client.get("/api/v1/me/")
    finally:
        client.close()
    path = config.save(url=url, token=token, username=me["username"])
    emit(
        as_json,
        {"url": url, "username": me["username"], "config": str(path)},
        lambda: err.print(
            f"Signed in to {url} as [bold]{me['username']}[/]. Token stored in {path} (readable only by you).",
            highlight=False,
        ),
    )


@cli.command()
@click.option(
    "--revoke", is_flag=True, help="Also revoke the token on the hub, so no copy of it works any more."
)
@hub_command()
def logout(state: State, revoke: bool, as_json: bool):
    """Forget the stored token (and with --revoke, revoke it on the hub)."""
    revoked = False
    if revoke:
        state.client(auth=True).request("DELETE", "/api/v1/auth/token/")
        revoked = True
    removed = config.forget()
    settings = state.settings()

    def human():
        if revoked:
            err.print("Your token was revoked on the hub.")
        err.print(
            f"Signed out: removed {removed}." if removed else "No stored sign-in to remove.", highlight=False
        )
        if settings.token_source == "HUB_TOKEN":
            err.print("HUB_TOKEN is still set in your environment and will still be used.")

    emit(as_json, {"removed": str(removed) if removed else None, "revoked": revoked}, human)


@cli.command()
@hub_command(auth=True)
def whoami(state: State, as_json: bool):
    """Show who you are signed in as, and where."""
    client = state.client(auth=True)
    me = client.get("/api/v1/me/")
    settings = state.settings()
    data = {**me, "url": client.url, "token_from": settings.token_source}
    emit(
        as_json,
        data,
        lambda: out.print(
            f"{me['username']} at {client.url} (token from {settings.token_source})", highlight=False
        ),
    )


# --- challenges and data --------------------------------------------------------------------------------------


@cli.command()
@click.option("--level", type=click.Choice(["beginner", "intermediate", "advanced"]), help="Only this level.")
@click.option(
    "--status", type=click.Choice(["upcoming", "open", "ended"]), help="Only challenges in this state."
)
@hub_command()
def challenges(state: State, level: str | None, status: str | None, as_json: bool):
    """List the challenges."""
    rows = state.client().all_pages("/api/v1/challenges/", level=level, status=status)

    def human():
        table = Table(Column("slug", no_wrap=True), "title", "level", "status", "metric", "ends")
        for c in rows:
            table.add_row(
                c["slug"], c["title"], c["level"], c["status"], c["metric_name"], c["end_at"] or "never"
            )
        out.print(table)

    emit(as_json, rows, human)


@cli.command()
@click.argument("slug")
@hub_command()
def files(state: State, slug: str, as_json: bool):
    """List a challenge's data files."""
    rows = state.client().all_pages(f"/api/v1/challenges/{slug}/files/")

    def human():
        table = Table(Column("name", no_wrap=True), "kind", "size", "sha256")
        for f in rows:
            table.add_row(f["name"], f["kind"], human_bytes(f["size"]), f["sha256"][:16] + "…")
        out.print(table)

    emit(as_json, rows, human)


@cli.command(name="download")
@click.argument("slug")
@click.argument("file", required=False)
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to save into (created if needed).",
)
@click.option("--unzip", "do_unzip", is_flag=True, help="Extract downloaded .zip files into the folder.")
@hub_command()
def download_command(state: State, slug: str, file: str | None, folder: Path, do_unzip: bool, as_json: bool):
    """Download a challenge's files (or just FILE), resuming interrupted downloads and checking each sha256."""
    client = state.client()
    listed = client.all_pages(f"/api/v1/challenges/{slug}/files/")
    if file is not None:
        listed = [f for f in listed if f["name"] == file]
        if not listed:
            names = ", ".join(f["name"] for f in client.all_pages(f"/api/v1/challenges/{slug}/files/"))
            raise HubError(f"Challenge '{slug}' has no file '{file}'. Its files: {names}.")
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    with progress_bar(err, enabled=not as_json) as progress:
        for item in listed:
            result = download(client, item, folder, progress)
            if do_unzip and result.name.lower().endswith(".zip"):
                result.unzipped_to = str(unzip(Path(result.path), folder))
            results.append(result)

    def human():
        for r in results:
            note = {
                "up-to-date": "already up to date",
                "resumed": f"resumed at {human_bytes(r.resumed_from)}",
            }.get(r.status, "downloaded")
            line = f"{r.path}  {human_bytes(r.size)}  sha256 verified ({note})"
            if r.unzipped_to:
                line += f", unzipped into {r.unzipped_to}"
            out.print(line, highlight=False)

    emit(as_json, [r.__dict__ for r in results], human)


# --- submissions ----------------------------------------------------------------------------------------------


@cli.command()
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("-m", "--message", default="", help="A note to remember this submission by.")
@click.option("--wait", is_flag=True, help="Wait for the score (or the validation error) and the new rank.")
@click.option(
    "--wait-timeout",
    type=click.FloatRange(1),
    default=600.0,
    show_default=True,
    help="Seconds to wait for scoring with --wait.",
)
@hub_command(auth=True)
def submit(state: State, slug: str, file: Path, message: str, wait: bool, wait_timeout: float, as_json: bool):
    """Upload FILE as a submission to challenge SLUG."""
    client = state.client(auth=True)
    challenge = client.get(f"/api/v1/challenges/{slug}/")
    size = file.stat().st_size
    if size > challenge["max_upload_bytes"]:
        raise HubError(
            f"{file.name} is {human_bytes(size)}; {challenge['title']} takes at most "
            f"{human_bytes(challenge['max_upload_bytes'])}. {COMPRESS_HINT}",
            code="too_large",
        )
    with progress_bar(err, enabled=not as_json) as progress:
        task = progress.add_task(f"Uploading {file.name}", total=size)
        with ProgressFile(file, on_read=lambda sent: progress.update(task, advance=sent)) as handle:
            submission = client.send(
                "POST",
                f"/api/v1/challenges/{slug}/submissions/",
                data={"description": message},
                files={"file": (file.name, handle, "application/octet-stream")},
            )
    if not as_json:
        err.print(f"Submission {submission['id']} uploaded ({submission['status']}).")
    if not wait:
        emit(as_json, submission, lambda: None)
        return

    submission = _wait_for_score(client, submission, wait_timeout, show=not as_json)
    result = {"submission": submission, "leaderboard": None}
    if submission["status"] == "scored":
        result["leaderboard"] = _my_rank(client, slug)
    metric = challenge["metric_name"]

    def human():
        if submission["status"] == "failed":
            return
        standing = submission.get("standing")  # hubs before issue 19 do not send it
        best = ""
        if standing and standing["is_new_personal_best"]:
            was = standing["previous_best"]
            best = " · new personal best" + ("" if was is None else f" (was {was:.6g})")
        out.print(f"Scored: public {metric} {submission['public_score']:.6g}{best}", highlight=False)
        board = result["leaderboard"]
        if board and board.get("rank"):
            of = f" of {standing['learners']}" if standing else ""
            out.print(
                f"Your rank on the public leaderboard: {board['rank']}{of} (your best: {board['score']:.6g})",
                highlight=False,
            )
        if standing and standing["baseline_score"] is not None:
            verdict = "beaten" if standing["beats_baseline"] else "not beaten yet"
            out.print(f"Baseline: {standing['baseline_score']:.6g} ({verdict})", highlight=False)

    emit(as_json, result, human)
    if submission["status"] == "failed":
        if not as_json:
            err.print(
                f"[bold red]Submission {submission['id']} failed:[/] {submission['error']}", highlight=False
            )
        sys.exit(EXIT_FAILED)


def _wait_for_score(client: Client, submission: dict, timeout: float, *, show: bool) -> dict:
    deadline = time.monotonic() + timeout
    delay = 0.5
    with err.status("Waiting for the score…") if show else _nothing():
        while submission["status"] not in FINAL_STATUSES:
            if time.monotonic() > deadline:
                raise HubError(
                    f"Submission {submission['id']} is still {submission['status']} after {timeout:.0f} s. "
                    "Check it later with `hub submissions SLUG`."
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 5.0)
            submission = client.get(f"/api/v1/submissions/{submission['id']}/")
    return submission


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _my_rank(client: Client, slug: str) -> dict | None:
    try:
        row = client.get(f"/api/v1/challenges/{slug}/leaderboard/me/")
    except HubError as error:
        if error.status == 404:
            return None  # e.g. a baseline account, or the entry is not on the board
        raise
    return row


@cli.command()
@click.argument("slug")
@hub_command(auth=True)
def submissions(state: State, slug: str, as_json: bool):
    """List your submissions to a challenge, newest first."""
    rows = state.client(auth=True).all_pages(f"/api/v1/challenges/{slug}/submissions/")

    def human():
        table = Table("id", "submitted", "status", "public", "private", "file", "note / error")
        for s in rows:
            score = lambda value: "" if value is None else f"{value:.6g}"  # noqa: E731
            table.add_row(
                str(s["id"]),
                s["created_at"][:19].replace("T", " "),
                s["status"],
                score(s["public_score"]),
                score(s["private_score"]),
                s["original_name"],
                s["error"] or s["description"],
            )
        out.print(table)

    emit(as_json, rows, human)


@cli.command()
@click.argument("slug")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many rows.")
@click.option("--split", type=click.Choice(["public", "private"]), default="public", show_default=True)
@hub_command()
def leaderboard(state: State, slug: str, top: int, split: str, as_json: bool):
    """Show the top of a challenge's leaderboard."""
    page = state.client().get(f"/api/v1/challenges/{slug}/leaderboard/", split=split, page_size=top)

    def human():
        table = Table("rank", "participant", "score", "entries", "submitted", title=f"{split} leaderboard")
        for row in page["results"]:
            table.add_row(
                "-" if row["rank"] is None else str(row["rank"]),
                row["participant"] + (" (starter kit)" if row["is_baseline"] else ""),
                f"{row['score']:.6g}",
                str(row["entries"]),
                row["submitted_at"][:19].replace("T", " "),
            )
        out.print(table)
        # Hubs before issue 19 send no `learners`: their count holds the baselines too.
        learners = page.get("learners", page["count"])
        out.print(f"{learners} learner{'' if learners == 1 else 's'} on the board.")

    emit(as_json, page, human)


@cli.command()
@click.argument("slug")
@hub_command(auth=True)
def limits(state: State, slug: str, as_json: bool):
    """Show how many submissions you may still make today."""
    data = state.client(auth=True).get(f"/api/v1/challenges/{slug}/limits/")

    def human():
        out.print(
            f"Today: {data['used_today']} of {data['daily_limit']} used, {data['remaining_today']} left "
            f"(resets {data['resets_at']}).",
            highlight=False,
        )
        if data["total_limit"] is not None:
            out.print(f"In total: {data['used_total']} of {data['total_limit']} used.", highlight=False)
        out.print("Failed submissions do not count.")

    emit(as_json, data, human)


# --- teams ----------------------------------------------------------------------------------------------------


@cli.group()
def team() -> None:
    """Your team in a challenge: show it, create one, join one by its invite code, or leave it."""


def _print_team(data: dict) -> None:
    if data.get("solo"):
        out.print(f"You are on your own in this challenge (team {data['id']}).", highlight=False)
    else:
        out.print(f"[bold]{data['name']}[/] (team {data['id']}), led by {data['leader']}", highlight=False)
    table = Table("member", "joined (UTC)")
    for member in data["members"]:
        table.add_row(member["username"], member["joined_at"][:16].replace("T", " "))
    out.print(table)
    if not data.get("solo"):
        out.print(f"Invite link: {data['invite_url']}", highlight=False)
        out.print(f"Invite code: {data['invite_code']}", highlight=False)
    for request in data["merge_requests"]["received"]:
        out.print(f"Merge request {request['id']} from {request['sender']['name']}", highlight=False)
    for request in data["merge_requests"]["sent"]:
        out.print(
            f"You asked {request['receiver']['name']} to merge (request {request['id']})", highlight=False
        )


@team.command("show")
@click.argument("slug")
@hub_command(auth=True)
def team_show(state: State, slug: str, as_json: bool):
    """Show your team: its members, invite link and merge requests."""
    data = state.client(auth=True).get(f"/api/v1/challenges/{slug}/team/")
    emit(as_json, data, lambda: _print_team(data))


@team.command("create")
@click.argument("slug")
@click.argument("name")
@hub_command(auth=True)
def team_create(state: State, slug: str, name: str, as_json: bool):
    """Create a team named NAME; your submissions so far stay with it."""
    data = state.client(auth=True).send("POST", f"/api/v1/challenges/{slug}/team/", json={"name": name})
    emit(as_json, data, lambda: _print_team(data))


@team.command("join")
@click.argument("slug")
@click.argument("invite_code")
@hub_command(auth=True)
def team_join(state: State, slug: str, invite_code: str, as_json: bool):
    """Join a team with its INVITE_CODE (the last part of its invite link)."""
    code = invite_code.rstrip("/").rsplit("/", 1)[-1]  # the whole link works too
    data = state.client(auth=True).send(
        "POST", f"/api/v1/challenges/{slug}/team/join/", json={"invite_code": code}
    )
    emit(as_json, data, lambda: _print_team(data))


@team.command("leave")
@click.argument("slug")
@hub_command(auth=True)
def team_leave(state: State, slug: str, as_json: bool):
    """Leave your team; its submissions stay with it."""
    state.client(auth=True).request("POST", f"/api/v1/challenges/{slug}/team/leave/")
    data = {"left": True}
    emit(as_json, data, lambda: out.print("You left the team; you are on your own again."))


# --- datasets -------------------------------------------------------------------------------------------------


@cli.group()
def datasets() -> None:
    """Browse, download and publish datasets (OWNER/SLUG, as on Kaggle)."""


def _ref(ref: str) -> str:
    parts = ref.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        raise HubError(f"'{ref}' is not a dataset reference: write OWNER/SLUG, as `hub datasets list` shows.")
    return "/".join(parts)


def _folder_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise HubError(f"{folder} holds no files to publish (folders and hidden files are skipped).")
    return files


def _upload(
    client: Client, path: str, files: list[Path], fields: list[tuple[str, str]], *, show: bool
) -> dict:
    """POST `files` (all under the field `files`) and `fields` (which may repeat, e.g. `remove`) as one multipart
    body, streamed from disk by httpx with a progress bar over the files' bytes."""
    data: dict[str, list[str]] = {}
    for key, value in fields:
        data.setdefault(key, []).append(value)
    with progress_bar(err, enabled=show) as progress, contextlib.ExitStack() as stack:
        task = progress.add_task(
            f"Uploading {len(files)} file(s)", total=sum(f.stat().st_size for f in files)
        )
        handles = [
            stack.enter_context(ProgressFile(f, on_read=lambda sent: progress.update(task, advance=sent)))
            for f in files
        ]
        return client.send(
            "POST",
            path,
            data=data,
            files=[
                ("files", (f.name, h, "application/octet-stream"))
                for f, h in zip(files, handles, strict=True)
            ],
        )


@datasets.command(name="list")
@click.option("-s", "--search", help="Words in the title, subtitle or slug.")
@click.option("--tag", help="Only datasets with this tag.")
@click.option("--owner", help="Only this user's datasets.")
@click.option("--sort", type=click.Choice(["recent", "downloads"]), default="recent", show_default=True)
@hub_command()
def datasets_list(
    state: State, search: str | None, tag: str | None, owner: str | None, sort: str, as_json: bool
):
    """List the datasets you may see."""
    params = {"sort": sort, **{k: v for k, v in {"q": search, "tag": tag, "owner": owner}.items() if v}}
    rows = state.client().all_pages("/api/v1/datasets/", **params)

    def human():
        table = Table(Column("ref", no_wrap=True), "title", "version", "downloads", "licence")
        for row in rows:
            table.add_row(
                row["ref"], row["title"], str(row["latest_version"]), str(row["downloads"]), row["licence"]
            )
        out.print(table)

    emit(as_json, rows, human)


@datasets.command(name="show")
@click.argument("ref")
@hub_command()
def datasets_show(state: State, ref: str, as_json: bool):
    """Show a dataset with its versions and the files of the latest."""
    data = state.client().get(f"/api/v1/datasets/{_ref(ref)}/")

    def human():
        out.print(f"[bold]{data['title']}[/] ({data['ref']}, {data['licence_name'] or data['licence']})")
        for version in data["versions"]:
            out.print(f"Version {version['number']}: {version['note']}  ({len(version['files'])} files)")
        latest = data["versions"][0]
        table = Table(Column("name", no_wrap=True), "size", "sha256")
        for f in latest["files"]:
            table.add_row(f["name"], human_bytes(f["size"]), f["sha256"][:16] + "…")
        out.print(table)

    emit(as_json, data, human)


@datasets.command(name="download")
@click.argument("ref")
@click.argument("file", required=False)
@click.option("--version", "number", type=click.IntRange(1), help="A version's number (default: the latest).")
@click.option(
    "--to", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True
)
@click.option("--zip", "as_zip", is_flag=True, help="Download the version's zip of all files instead.")
@click.option("--unzip", "do_unzip", is_flag=True, help="With --zip: extract it into the folder.")
@hub_command()
def datasets_download(
    state: State,
    ref: str,
    file: str | None,
    number: int | None,
    folder: Path,
    as_zip: bool,
    do_unzip: bool,
    as_json: bool,
):
    """Download a dataset version's files (or FILE, or its zip), resuming and checking each sha256."""
    client = state.client()
    data = client.get(f"/api/v1/datasets/{_ref(ref)}/")
    versions = {v["number"]: v for v in data["versions"]}
    version = versions.get(number) if number else data["versions"][0]
    if version is None:
        raise HubError(
            f"{data['ref']} has no version {number}; its versions: {', '.join(map(str, versions))}."
        )
    if as_zip:
        if not version["zip_ready"]:
            # A HEAD has the hub build a small version's zip now (a big one answers 503: try again later).
            client.request("HEAD", version["download_url"])
            refreshed = client.get(f"/api/v1/datasets/{_ref(ref)}/")["versions"]
            version = next(v for v in refreshed if v["number"] == version["number"])
        listed = [
            {
                "name": f"{data['slug']}-v{version['number']}.zip",
                "size": version["zip_size"],
                "sha256": version["zip_sha256"],
                "download_url": version["download_url"],
            }
        ]
    else:
        listed = version["files"]
        if file is not None:
            listed = [f for f in listed if f["name"] == file]
            if not listed:
                names = ", ".join(f["name"] for f in version["files"])
                raise HubError(f"Version {version['number']} has no file '{file}'. Its files: {names}.")
    folder.mkdir(parents=True, exist_ok=True)
    with progress_bar(err, enabled=not as_json) as progress:
        results = [download(client, item, folder, progress) for item in listed]
    if as_zip and do_unzip:
        results[0].unzipped_to = str(unzip(Path(results[0].path), folder))

    def human():
        for r in results:
            out.print(f"{r.path}  {human_bytes(r.size)}  sha256 verified ({r.status})", highlight=False)

    emit(as_json, [r.__dict__ for r in results], human)


@datasets.command(name="create")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--slug", required=True, help="Its address: YOU/SLUG.")
@click.option("--title", required=True)
@click.option(
    "--licence",
    required=True,
    type=click.Choice(["CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0", "MIT", "other"]),
)
@click.option("--licence-text", default="", help="The licence's text, with --licence other.")
@click.option("--subtitle", default="")
@click.option("--description", default="", help="The data card, in Markdown.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for several).")
@click.option("--private", is_flag=True, help="Only you will see it.")
@hub_command(auth=True)
def datasets_create(
    state: State,
    folder: Path,
    slug: str,
    title: str,
    licence: str,
    licence_text: str,
    subtitle: str,
    description: str,
    tags: tuple[str, ...],
    private: bool,
    as_json: bool,
):
    """Publish FOLDER's files as a new dataset (version 1)."""
    fields = [
        ("slug", slug),
        ("title", title),
        ("licence", licence),
        ("licence_text", licence_text),
        ("subtitle", subtitle),
        ("description", description),
        ("visibility", "private" if private else "public"),
        *(("tags", tag) for tag in tags),
    ]
    data = _upload(
        state.client(auth=True), "/api/v1/datasets/", _folder_files(folder), fields, show=not as_json
    )
    emit(
        as_json, data, lambda: out.print(f"Published {data['ref']} version 1: {data['url']}", highlight=False)
    )


@datasets.command(name="version")
@click.argument("ref")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-m", "--message", "note", default="", help="What changed.")
@click.option("--remove", multiple=True, help="A file of the latest version to drop (repeat for several).")
@hub_command(auth=True)
def datasets_version(state: State, ref: str, folder: Path, note: str, remove: tuple[str, ...], as_json: bool):
    """Publish a new version: the latest version's files, with FOLDER's files added or replacing theirs."""
    fields = [("note", note), *(("remove", name) for name in remove)]
    data = _upload(
        state.client(auth=True),
        f"/api/v1/datasets/{_ref(ref)}/versions/",
        _folder_files(folder),
        fields,
        show=not as_json,
    )
    emit(
        as_json,
        data,
        lambda: out.print(f"Published version {data['number']} of {_ref(ref)}.", highlight=False),
    )


if __name__ == "__main__":
    cli()
