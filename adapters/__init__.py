"""How a target server is obtained: in-process reference, spawned binary, container, or an existing endpoint."""
from .base import Capabilities, Target, TargetUnavailable
from .catalogue import make_target, known_targets

__all__ = ["Capabilities", "Target", "TargetUnavailable", "make_target", "known_targets"]
