"""NAPALM community driver for FRRouting: get_network_driver("frr") finds FRRDriver here."""
from napalm_frr.frr import FRRDriver

__all__ = ["FRRDriver"]
