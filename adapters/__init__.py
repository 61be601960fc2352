"""How a target server is obtained: in-process reference, spawned binary, container, or an existing endpoint."""
from .base import Capabilities, Target, TargetUnavailable
from .catalogue import TargetInfo, describe, known_targets, make_target

__all__ = ["Capabilities", "Target", "TargetInfo", "TargetUnavailable", "describe", "known_targets", "make_target"]
