"""netops source-of-truth App for Nautobot 3.x.

Two REST endpoints under /api/plugins/netops-sot/ that do, server-side, what netops' stock-REST
path does in 8 requests: the site view its runtime reads (one set of ORM queries) and the
two-phase peer changes (prepare / commit / abort of add_peer and remove_peer, each in one
request and one database transaction). No models, hence no migrations. See docs/nautobot.md.
"""

from nautobot.apps import NautobotAppConfig

__version__ = "0.1.0"


class NetopsSotConfig(NautobotAppConfig):
    """App configuration of netops_sot."""

    name = "netops_sot"
    verbose_name = "netops source of truth"
    version = __version__
    author = "netops"
    description = "Site view and two-phase BGP peer changes for netops, one request and one transaction each."
    base_url = "netops-sot"
    min_version = "3.0.0"
    max_version = "3.99"
    required_settings = []
    default_settings = {}


config = NetopsSotConfig  # pylint: disable=invalid-name
