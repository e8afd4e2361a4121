"""Reads of challenges and datasets."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from hub.storage import ChecksumMismatch, local_copy
from workers.scoring import ScoringSpec, SolutionError, load_solution
from workers.scoring import Solution as ParsedSolution

from .models import (
    Admission,
    AllowedEmail,
    Challenge,
    DataFile,
    Dataset,
    Level,
    LimitOverride,
    Solution,
    Visibility,
)
from .scoring_spec import scoring_spec_for


class HostOnly(PermissionDenied):
    """A signed-in learner asked for what only the challenge's hosts may do (403 in every protocol)."""


Viewer = AbstractBaseUser | AnonymousUser
HOST_PERMISSION = "projects.host_challenges"


def user_is_host(user: Viewer) -> bool:
    """May this user create challenges? Granted by the permission, directly or through the Hosts group."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(HOST_PERMISSION))


def challenge_is_host(challenge: Challenge, user: Viewer) -> bool:
    """The one answer to "may this user manage this challenge?": its hosts and the superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cache = _viewer_cache(user)["hosts"]
    if challenge.pk not in cache:
        cache[challenge.pk] = challenge.hosts.filter(pk=user.pk).exists()
    return cache[challenge.pk]


def _viewer_cache(user: Viewer) -> dict[str, dict[int, bool]]:
    """Per request (kept on the request's user object): does this user host challenge N, does a host give them
    limits of their own there. The resolver fills it from its one query, so a page that asks many times (every
    row of a list of submissions) asks the database once at most."""
    cache = user.__dict__.get("_challenge_facts")
    if cache is None:
        cache = user.__dict__["_challenge_facts"] = {"hosts": {}, "override": {}}
    return cache


def viewer_fact_annotations(viewer: Viewer, challenge_ref: str = "pk") -> dict:
    """Annotations that answer the cached questions in the same query that reads the challenge (`challenge_ref`
    names the challenge's id in the outer query: "pk", or "challenge_id" for a submission)."""
    if not viewer.is_authenticated:
        return {}
    return {
        "viewer_hosts": Exists(
            Challenge.hosts.through.objects.filter(challenge_id=OuterRef(challenge_ref), user_id=viewer.pk)
        ),
        "viewer_has_override": Exists(
            LimitOverride.objects.filter(Q(challenge_id=OuterRef(challenge_ref)) & _overrides_of_q(viewer.pk))
        ),
    }


def viewer_facts_remember(viewer: Viewer, challenge_id: int, row) -> None:
    """Keep what viewer_fact_annotations read on `row` for this request."""
    if viewer.is_authenticated and hasattr(row, "viewer_hosts"):
        cache = _viewer_cache(viewer)
        cache["hosts"][challenge_id] = row.viewer_hosts
        cache["override"][challenge_id] = row.viewer_has_override


def hosted_challenge_ids_forget(user: Viewer) -> None:
    """After a change of hosts in this request: ask the database again."""
    user.__dict__.pop("_challenge_facts", None)


def _email_matches(user: Viewer) -> Q:
    """Challenges whose allowed e-mail list names this user's address or its domain. User.email holds only a
    verified address (accounts/services/email_address.py), so nobody is admitted by an address they typed."""
    email = (getattr(user, "email", "") or "").strip().lower()
    if "@" not in email:
        return Q(pk__in=[])
    domain = "@" + email.rsplit("@", 1)[1]
    return Q(Exists(AllowedEmail.objects.filter(challenge_id=OuterRef("pk"), address__in=[email, domain])))


def _visible_q(viewer: Viewer) -> Q:
    """THE visibility rule, as a filter. A published public or unlisted challenge is visible to everyone; a
    private one to the learners it admits; a draft, and everything, to its hosts and the superusers."""
    open_to_all = Q(is_published=True, visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED])
    if not viewer.is_authenticated or not viewer.is_active:
        return open_to_all
    if viewer.is_superuser:
        return Q()
    hosted = Exists(Challenge.hosts.through.objects.filter(challenge_id=OuterRef("pk"), user_id=viewer.pk))
    admitted = Exists(Admission.objects.filter(challenge_id=OuterRef("pk"), user_id=viewer.pk))
    admits = Q(is_published=True, visibility=Visibility.PRIVATE) & (Q(admitted) | _email_matches(viewer))
    return open_to_all | admits | Q(hosted)


def challenges_visible(*, viewer: Viewer) -> QuerySet[Challenge]:
    """Every challenge the viewer may open: the base of every read of a challenge for a request."""
    return Challenge.objects.filter(_visible_q(viewer)).select_related("dataset__owner", "dataset_version")


def challenge_is_visible(challenge: Challenge, viewer: Viewer) -> bool:
    return challenges_visible(viewer=viewer).filter(pk=challenge.pk).exists()


def _by_status(challenges: QuerySet[Challenge], status: str | None) -> QuerySet[Challenge]:
    now = timezone.now()
    if status == "upcoming":
        challenges = challenges.filter(start_at__gt=now)
    elif status == "open":
        challenges = challenges.filter(start_at__lte=now).exclude(end_at__lte=now)
    elif status == "ended":
        challenges = challenges.filter(end_at__lte=now)
    return challenges


def challenges_listed(
    *, viewer: Viewer, level: str | None = None, status: str | None = None
) -> QuerySet[Challenge]:
    """The challenges a list shows this viewer (pages, the REST API, the EvalAI and Kaggle lists): the visible
    ones, but an unlisted challenge only to its hosts; `status` is one of upcoming, open, ended."""
    challenges = challenges_visible(viewer=viewer)
    if viewer.is_authenticated and not viewer.is_superuser:
        hosted = Exists(
            Challenge.hosts.through.objects.filter(challenge_id=OuterRef("pk"), user_id=viewer.pk)
        )
        challenges = challenges.filter(~Q(visibility=Visibility.UNLISTED) | Q(hosted))
    elif not viewer.is_authenticated:
        challenges = challenges.exclude(visibility=Visibility.UNLISTED)
    if level:
        challenges = challenges.filter(level=level)
    return _by_status(challenges.order_by(_LEVEL_RANK, "featured_order", "title"), status)


def profile_challenges(
    *, user: AbstractBaseUser, viewer: AbstractBaseUser | AnonymousUser | None
) -> QuerySet[Challenge]:
    """The challenges a learner's profile may name to this viewer: all the learner may see, to the learner;
    to anyone else only those listed to them (an unlisted challenge is open by its link, not named to all)."""
    if viewer is None or viewer.pk == user.pk:
        return challenges_visible(viewer=user)
    return challenges_listed(viewer=viewer).order_by()


# The order to take challenges in: by level (beginner first), then the featured order the host gave, then title.
_LEVEL_RANK = Case(
    *(When(level=value, then=Value(rank)) for rank, value in enumerate(Level.values)),
    default=Value(len(Level.values)),
)


def challenges_published(*, status: str | None = None) -> QuerySet[Challenge]:
    """Every published challenge, whoever may see it: for the hub's own work (warming the workers' caches),
    never for a request; requests use challenges_listed or challenge_get_visible."""
    return _by_status(Challenge.objects.filter(is_published=True).select_related("dataset"), status)


def challenge_get_visible(*, slug: str, viewer: Viewer) -> Challenge:
    """THE resolver of a challenge for a request. A challenge the viewer may not see does not exist: the same
    404 as a slug nobody uses, on every page, API, file and protocol."""
    challenges = challenges_visible(viewer=viewer).annotate(**viewer_fact_annotations(viewer))
    challenge = challenges.filter(slug=slug).first()
    if challenge is None:
        raise Http404(
            f"There is no challenge '{slug}'. See the list at /challenges/, or run `hub challenges`."
        )
    viewer_facts_remember(viewer, challenge.pk, challenge)
    return challenge


def challenge_get_visible_by_id(*, challenge_id: int, viewer: Viewer) -> Challenge:
    """challenge_get_visible for clients that name a challenge by its number (the EvalAI CLI)."""
    challenges = challenges_visible(viewer=viewer).annotate(**viewer_fact_annotations(viewer))
    challenge = challenges.filter(pk=challenge_id).first()
    if challenge is None:
        raise Http404(f"There is no challenge {challenge_id}.")
    viewer_facts_remember(viewer, challenge.pk, challenge)
    return challenge


def challenge_get_by_invite(*, slug: str, invite_code: str) -> Challenge | None:
    """The published challenge this invite code opens, or None: a wrong code tells nothing of the challenge."""
    code = invite_code.strip()
    challenge = Challenge.objects.filter(slug=slug, is_published=True).select_related("dataset").first()
    if challenge is None or not challenge.invite_code or not code:
        return None
    # Bytes: compare_digest refuses str with non-ASCII characters, which anyone may send.
    return challenge if secrets.compare_digest(challenge.invite_code.encode(), code.encode()) else None


def challenge_get_hosted(*, slug: str, user: Viewer) -> Challenge:
    """A challenge for its host's management pages and API: 404 to anyone who cannot see it, and
    HostOnly (403) to a learner who can see it but does not host it."""
    challenge = challenge_get_visible(slug=slug, viewer=user)
    if not challenge_is_host(challenge, user):
        raise HostOnly(f"Only the hosts of {challenge.title} may do this.")
    return challenge


def challenge_status(challenge: Challenge) -> str:
    now = timezone.now()
    if challenge.start_at > now:
        return "upcoming"
    if challenge.end_at is not None and challenge.end_at <= now:
        return "ended"
    return "open"


@dataclass(frozen=True)
class OwnLimits:
    """What hosts set for one learner in one challenge, from their own override and their team's: each field the
    learner's own if set, else the team's, else None (the challenge's). `note` says why, for the roster."""

    daily_limit: int | None = None
    total_limit: int | None = None
    end_at: dt.datetime | None = None
    note: str = ""


def own_limits_merge(own: LimitOverride | None, team: LimitOverride | None) -> OwnLimits | None:
    """THE rule of overrides: a learner's own fields win over their team's, which win over the challenge's."""
    if own is None and team is None:
        return None
    layers = [layer for layer in (own, team) if layer is not None]

    def first(name: str):
        return next((getattr(layer, name) for layer in layers if getattr(layer, name) is not None), None)

    notes = [layer.note for layer in layers if layer.note]
    return OwnLimits(
        daily_limit=first("daily_limit"),
        total_limit=first("total_limit"),
        end_at=first("end_at"),
        note=" · ".join(dict.fromkeys(notes)),
    )


def _overrides_of_q(user_id: int) -> Q:
    """The overrides that apply to a learner: their own, and their team's (the team they are in now)."""
    return Q(user_id=user_id) | Q(participant__members__user_id=user_id)


def limit_override_of(*, challenge: Challenge, user: Viewer) -> OwnLimits | None:
    """The learner's own limits and deadline in this challenge, set by its hosts for them or for their team,
    or None (one query at most; none when the request already knows there is no override)."""
    if not user.is_authenticated:
        return None
    if _viewer_cache(user)["override"].get(challenge.pk) is False:
        return None
    own = team = None
    for row in LimitOverride.objects.filter(Q(challenge=challenge) & _overrides_of_q(user.pk)):
        if row.user_id == user.pk:
            own = row
        else:
            team = row
    return own_limits_merge(own, team)


def team_own_limits(*, challenge: Challenge, participant_id: int) -> OwnLimits | None:
    """What hosts set for one team as a whole (no member's own override): the limits a merge must fit."""
    row = LimitOverride.objects.filter(challenge=challenge, participant_id=participant_id).first()
    return own_limits_merge(None, row)


def submission_caps(challenge: Challenge, override: OwnLimits | None) -> tuple[int, int | None]:
    """(daily limit, total limit or None) of a learner or team: the override's where set, else the challenge's."""
    if override is None:
        return challenge.daily_limit, challenge.total_limit
    daily = override.daily_limit if override.daily_limit is not None else challenge.daily_limit
    total = override.total_limit if override.total_limit is not None else challenge.total_limit
    return daily, total


def challenge_end_for(challenge: Challenge, override: OwnLimits | None) -> dt.datetime | None:
    """When the challenge stops taking this learner's submissions: their (or their team's) own deadline if a
    host set one."""
    if override is not None and override.end_at is not None and challenge.end_at is not None:
        return override.end_at
    return challenge.end_at


def challenge_private_visible(challenge: Challenge) -> bool:
    """Private scores stay hidden, from everyone, until the challenge ends or the host reveals them."""
    return challenge.private_revealed or challenge_status(challenge) == "ended"


def challenge_data_files(challenge: Challenge) -> QuerySet[DataFile]:
    return DataFile.objects.filter(dataset_id=challenge.dataset_id).order_by("position", "name")


def data_file_get(*, challenge: Challenge, name: str) -> DataFile:
    if "\x00" in name:  # no file has one, and PostgreSQL refuses the query instead of finding nothing
        raise Http404(f"Challenge '{challenge.slug}' has no such file.")
    try:
        return challenge_data_files(challenge).get(name=name)
    except DataFile.DoesNotExist:
        raise Http404(f"Challenge '{challenge.slug}' has no file '{name}'.") from None


def datasets_all() -> QuerySet[Dataset]:
    return Dataset.objects.prefetch_related("files", "challenges")


def challenge_scoring_spec(challenge: Challenge) -> ScoringSpec:
    test_files = (
        challenge_data_files(challenge).filter(kind=DataFile.Kind.TEST).values_list("name", flat=True)
    )
    return scoring_spec_for(challenge, test_file_name=test_files.first() or "test.csv")


def challenge_solution(challenge: Challenge) -> ParsedSolution:
    """The challenge's hidden solution, parsed (from this process's cache when it was parsed before), for scoring.

    Every way the hub's side can keep a challenge from being scored raises SolutionError, with a message for the
    hosts naming the challenge and the file: no solution, a spec the engine refuses, a stored file that is gone,
    unreadable or not the one imported. Retrying cannot fix any of them.
    """
    try:
        stored = challenge.solution
    except Solution.DoesNotExist:
        raise SolutionError(
            f"Challenge {challenge.slug} has no hidden solution: import its bundle again."
        ) from None
    try:
        spec = challenge_scoring_spec(challenge)
        with local_copy(stored.file, sha256=stored.sha256) as path:
            return load_solution(path, spec, sha256=stored.sha256)
    except SolutionError as error:
        raise SolutionError(f"Challenge {challenge.slug}: {error.message}") from error
    except FileNotFoundError as error:  # from a remote storage: the object is gone from the bucket
        raise SolutionError(
            f"Challenge {challenge.slug}: the hidden solution file {stored.file.name} is missing from storage "
            f"({error})."
        ) from error
    except ChecksumMismatch as error:
        raise SolutionError(
            f"Challenge {challenge.slug}: {error} It was changed or damaged in storage."
        ) from error


def data_file_preview_image(*, challenge: Challenge, name: str, index: int) -> tuple[DataFile, dict]:
    """One thumbnail stored in a challenge's public file's preview: only what the preview holds, never a stored
    file."""
    data_file = challenge_data_files(challenge).filter(name=name).only("sha256", "preview").first()
    images = (data_file.preview.get("images") or []) if data_file is not None else []
    # Only the two types previews.py writes: a preview edited by hand can never serve a page or a script.
    if not 0 <= index < len(images) or images[index].get("mime") not in ("image/png", "image/jpeg"):
        raise Http404(f"Challenge '{challenge.slug}' has no preview image {index} of '{name}'.")
    return data_file, images[index]


def challenge_split_sizes(challenge: Challenge) -> dict[str, int] | None:
    """How many test rows score the public and the private leaderboard (which rows is never shown)."""
    solution = Solution.objects.filter(challenge=challenge).only("rows", "public_rows").first()
    if solution is None or not solution.rows:
        return None
    return {
        "total": solution.rows,
        "public": solution.public_rows,
        "private": solution.rows - solution.public_rows,
        "percent": round(100 * solution.public_rows / solution.rows),
    }
