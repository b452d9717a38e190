"""Training scripts the on-premises provider runs under the script-mode contract."""
