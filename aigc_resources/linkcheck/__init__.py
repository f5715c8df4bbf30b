"""The link checker: collect -> check -> classify -> history -> report (DESIGN §5).

Modules, in pipeline order:

* :mod:`.collect`: every URL of the catalog (or a URL file), once, with its origins;
* :mod:`.check`: concurrent, polite checking (:mod:`.schedule`), one attempt at a time
  (:mod:`.fetch`) under the address policy and total deadline (:mod:`.net`);
* :mod:`.classify`: what an answer means (:class:`LinkStatus`) and whether to retry;
* :mod:`.history`: every observation in SQLite; verdicts recomputed from the rows;
  :func:`~.history.link_health` for the site;
* :mod:`.report`: the output formats; :mod:`.fix`: ``--fix``.

Settings live in :mod:`.config` (``[tool.aigc-resources.linkcheck]``), site knowledge in
:mod:`.quirks`. The CLI commands are in :mod:`.commands`, loaded by :mod:`aigc_resources.cli`.
"""

from .check import Checker
from .config import Exclusion, Settings, load_settings
from .history import FailPolicy, LinkHealth, link_health
from .result import ErrorKind, LinkResult, LinkStatus, LinkTarget, Origin
from .run import CheckRun, check_links

__all__ = [
    "CheckRun", "Checker", "ErrorKind", "Exclusion", "FailPolicy", "LinkHealth", "LinkResult", "LinkStatus",
    "LinkTarget", "Origin", "Settings", "check_links", "link_health", "load_settings",
]
