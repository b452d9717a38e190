"""The on-premises provider: the base interface served by offline engines on this machine."""
