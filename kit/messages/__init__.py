"""All user-facing text, Japanese first, in one namespace: ``from kit import messages as msg``.

One submodule per concern keeps reviews small; every name is re-exported here, so code
always reads ``msg.SOMETHING``. Names must not clash between submodules (a test checks).
"""

from kit.messages.access import *  # noqa: F403
from kit.messages.common import *  # noqa: F403
from kit.messages.connection import *  # noqa: F403
from kit.messages.issues import *  # noqa: F403
from kit.messages.office import *  # noqa: F403
from kit.messages.privacy import *  # noqa: F403
from kit.messages.record import *  # noqa: F403
from kit.messages.screens import *  # noqa: F403
from kit.messages.serving import *  # noqa: F403
from kit.messages.setup import *  # noqa: F403
from kit.messages.supportmap import *  # noqa: F403
from kit.messages.voting import *  # noqa: F403
