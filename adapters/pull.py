"""`--pull`: fetch the pinned images of the chosen targets, where a registry is reachable.

Opt-in, because a conformance run must not depend on a registry by default; only the pinned images of the
catalogue are pulled (a tag that never moves), never an image a `docker:` spec names.
"""
from __future__ import annotations

from .base import TargetUnavailable
from .catalogue import ALIASES, IMAGES
from .container import _first_line, docker_engine, image_present, registry_reachable


def pinned_image(spec: str) -> str | None:
    entry = IMAGES.get(ALIASES.get(spec, spec))
    return entry.image if entry else None


def pull_pinned(specs: list[str]) -> list[str]:
    """Pull each spec's pinned image that is not present yet; one line per image saying what happened."""
    images = [image for image in dict.fromkeys(map(pinned_image, specs)) if image]
    if not images:
        return []
    try:
        client = docker_engine()
    except TargetUnavailable as exc:
        return [f"{image}: not pulled, {exc}" for image in images]
    try:
        return [_pull_one(client, image) for image in images]
    finally:
        client.close()


def _pull_one(client, image: str) -> str:
    if image_present(client, image):
        return f"{image}: already present"
    if not registry_reachable(image):
        return f"{image}: not pulled, its registry is not reachable from here"
    repository, tag = image.rsplit(":", 1)
    try:
        client.images.pull(repository, tag=tag)
    except Exception as exc:  # noqa: BLE001 - the engine's errors all mean "could not pull", said in its words
        return f"{image}: pull failed ({_first_line(exc)})"
    return f"{image}: pulled"
